"""All SQL of the public article reads, against the read model."""

from functools import lru_cache

from sqlalchemy import BigInteger, Select, and_, bindparam, exists, or_, select

from app.models import (
    ArticleAuthor,
    ArticleRender,
    ArticleSlug,
    ArticleTag,
    Author,
    Section,
    Service,
    Tag,
)
from app.readstore import Query

R = ArticleRender.__table__.c

BY_ID = Query(
    select(
        R.public_from,
        R.withheld_in,
        R.breaking_until,
        R.etag,
        R.updated_ts,
        R.detail,
        R.related,
        R.service,
        R.language,
        R.translations,
        R.related_detail,
    ).where(R.article_id == bindparam("id"))
)

BY_SLUG = Query(
    select(
        R.public_from,
        R.withheld_in,
        R.breaking_until,
        R.etag,
        R.updated_ts,
        R.detail,
        R.related,
        R.service,
        R.language,
        R.translations,
        R.related_detail,
        R.article_id,
    ).where(R.service == bindparam("service"), R.slug == bindparam("slug"))
)

OLD_SLUG = Query(
    select(R.slug, R.public_from, R.withheld_in)
    .select_from(ArticleSlug)
    .join(Service, Service.id == ArticleSlug.service_id)
    .join(ArticleRender, ArticleRender.article_id == ArticleSlug.article_id)
    .where(Service.code == bindparam("service"), ArticleSlug.slug == bindparam("slug"))
)

SUMMARY = Query(
    select(R.public_from, R.withheld_in, R.summary, R.updated_ts, R.service).where(
        R.article_id == bindparam("id")
    )
)

RELATED = Query(
    select(R.public_from, R.withheld_in, R.related, R.updated_ts, R.service).where(
        R.article_id == bindparam("id")
    )
)

SORTS = {
    "-published_at": (R.published_ts, True),
    "published_at": (R.published_ts, False),
    "-updated_at": (R.updated_ts, True),
}


@lru_cache(maxsize=512)
def list_query(sort: str, filters: frozenset[str], after: bool) -> Query:
    """The list statement for one combination of filters, compiled once."""
    key, descending = SORTS[sort]
    conditions = [R.public_from.is_not(None), R.public_from <= bindparam("now")]
    if "service" in filters:
        conditions.append(R.service == bindparam("service"))
    if "language" in filters:
        conditions.append(R.language == bindparam("language"))
    if "section" in filters:
        sections = select(Section.id).where(Section.slug == bindparam("section"))
        if "service" in filters:
            sections = sections.join(Service, Service.id == Section.service_id).where(
                Service.code == bindparam("service")
            )
        conditions.append(R.section_id.in_(sections))
    if "tag" in filters:
        conditions.append(
            exists(
                select(ArticleTag.article_id)
                .join(Tag, Tag.id == ArticleTag.tag_id)
                .where(ArticleTag.article_id == R.article_id, Tag.slug == bindparam("tag"))
            )
        )
    if "author" in filters:
        conditions.append(
            exists(
                select(ArticleAuthor.article_id)
                .join(Author, Author.id == ArticleAuthor.author_id)
                .where(
                    ArticleAuthor.article_id == R.article_id,
                    Author.slug == bindparam("author"),
                )
            )
        )
    if "country" in filters:
        # Hide articles withheld where the reader is (two-letter codes joined by
        # commas, so the pattern can only match a whole code).
        conditions.append(R.withheld_in.not_like(bindparam("withheld_pattern")))
    if "breaking_true" in filters:
        conditions.append(R.breaking_until > bindparam("now"))
    if "breaking_false" in filters:
        conditions.append(or_(R.breaking_until.is_(None), R.breaking_until <= bindparam("now")))
    if "published_after" in filters:
        conditions.append(R.published_ts >= bindparam("published_after"))
    if "published_before" in filters:
        conditions.append(R.published_ts < bindparam("published_before"))
    if after:
        cursor_key = bindparam("cursor_key", type_=BigInteger)
        cursor_id = bindparam("cursor_id", type_=BigInteger)
        if descending:
            conditions.append(
                or_(key < cursor_key, and_(key == cursor_key, R.article_id < cursor_id))
            )
        else:
            conditions.append(
                or_(key > cursor_key, and_(key == cursor_key, R.article_id > cursor_id))
            )
    order = (key.desc(), R.article_id.desc()) if descending else (key.asc(), R.article_id.asc())
    statement: Select[tuple[int, int, int | None, str, int, str]] = (
        select(R.article_id, key, R.breaking_until, R.teaser, R.updated_ts, R.etag)
        .where(*conditions)
        .order_by(*order)
        .limit(bindparam("limit"))
    )
    return Query(statement)
