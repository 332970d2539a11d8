"""Every table, imported together so that Alembic sees the whole schema."""

from app.models.article import (
    ARTICLE_STATUSES,
    Article,
    ArticleAuthor,
    ArticleSlug,
    ArticleTag,
    ArticleVideo,
    Correction,
    Summary,
)
from app.models.base import Base, utcnow
from app.models.change import Change, ChangeConsumer, ChangeCounter, ChangeItem
from app.models.editorial import ROLES, ApiToken, IdempotencyRecord, Revision
from app.models.notice import Notice
from app.models.render import ArticleRelatedVideo, ArticleRender, VideoRender
from app.models.search import SearchDocument
from app.models.service import Service
from app.models.taxonomy import Author, Section, Tag
from app.models.video import Video, VideoTag
from app.models.webhook import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "ARTICLE_STATUSES",
    "ROLES",
    "ApiToken",
    "Article",
    "ArticleAuthor",
    "ArticleRelatedVideo",
    "ArticleRender",
    "ArticleSlug",
    "ArticleTag",
    "ArticleVideo",
    "Author",
    "Base",
    "Change",
    "ChangeConsumer",
    "ChangeCounter",
    "ChangeItem",
    "Correction",
    "IdempotencyRecord",
    "Notice",
    "Revision",
    "SearchDocument",
    "Section",
    "Service",
    "Summary",
    "Tag",
    "Video",
    "VideoRender",
    "VideoTag",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
    "utcnow",
]
