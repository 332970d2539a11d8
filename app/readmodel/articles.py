"""Rendering articles into the read model, once per change.

Every write path (the demo loader, imports, the editorial API) ends by calling
``render_articles`` (or ``render_videos``, which renders the articles showing the
videos) in the same transaction, so a reader never sees a representation older
than the content it stands for.
"""

from collections.abc import Iterable
from typing import Any, cast

import orjson
from sqlalchemy import BindParameter, Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from app.kit.images import Resizer
from app.kit.timeutil import iso, now_ms, opt_ms, to_ms
from app.models import (
    Article,
    ArticleRelatedVideo,
    ArticleRender,
    ArticleVideo,
    Video,
    VideoRender,
)
from app.readmodel.availability import Rules, has_rules, resolve
from app.readmodel.changes import record_articles
from app.readmodel.documents import (
    article_document,
    content_etag,
    etag_prefix,
    public_from,
    ref,
    resizer_of,
    video_document,
    video_rules,
)
from app.readmodel.loading import load_articles, load_videos
from app.readmodel.search_index import index_articles
from app.readmodel.suggestions import (
    Inputs,
    Suggester,
    inputs_of,
    playable_somewhere,
    source_of,
    stored_inputs,
)
from app.readmodel.translations import translations_of

# Core inserts (executemany) of the rows rendered: the ORM's bulk path costs more.
_RENDERS = cast(Table, ArticleRender.__table__)
_RELATED = cast(Table, ArticleRelatedVideo.__table__)

# Built once: a write renders one article, and building these costs more than running them.
_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_DROP_RENDERS = delete(ArticleRender).where(ArticleRender.article_id.in_(_IDS))
_DROP_RELATED = delete(ArticleRelatedVideo).where(ArticleRelatedVideo.article_id.in_(_IDS))
_CURATED = (
    select(ArticleVideo.article_id, ArticleVideo.video_id)
    .where(ArticleVideo.article_id.in_(_IDS))
    .order_by(ArticleVideo.article_id, ArticleVideo.position)
)
_STORED_INPUTS = select(
    ArticleRender.article_id,
    ArticleRender.teaser,
    ArticleRender.detail,
    ArticleRender.section_id,
    ArticleRender.published_ts,
).where(ArticleRender.article_id.in_(_IDS))
_STORED_RELATED = (
    select(
        ArticleRelatedVideo.article_id, ArticleRelatedVideo.video_id, ArticleRelatedVideo.curated
    )
    .where(ArticleRelatedVideo.article_id.in_(_IDS))
    .order_by(ArticleRelatedVideo.article_id, ArticleRelatedVideo.position)
)
_STORED_TRANSLATIONS = (
    select(Article.id, Article.translation_group, ArticleRender.translations)
    .outerjoin(ArticleRender, ArticleRender.article_id == Article.id)
    .where(
        Article.translation_group.in_(bindparam("groups", expanding=True)),
        Article.id.not_in(_IDS),
    )
)

#: How many related videos are rendered with an article (curated first).
RELATED_MAX = 12
#: How many of them an article's detail shows.
DETAIL_RELATED = 6


def render_article(session: Session, article_id: int, *, cascade: bool = True) -> None:
    render_articles(session, [article_id], cascade=cascade)


def render_articles(
    session: Session,
    article_ids: Iterable[int],
    *,
    cascade: bool = True,
    videos_unchanged: bool = False,
) -> None:
    """Store every public representation of these articles, in a few set-based queries.

    With ``cascade``, the other members of their translation groups are rendered
    again too, so that their ``translations`` lists stay true.

    ``videos_unchanged`` says the transaction changed no video: an article whose
    inputs to its suggested videos (``suggestions.Inputs``) are those its stored
    rendering's were ranked from keeps them, as long as each can still be played
    somewhere.
    """
    ids = sorted(set(article_ids))
    if not ids:
        return
    session.flush()
    articles = load_articles(session, ids)
    stored = _stored_suggestions(session, ids) if videos_unchanged else {}
    session.execute(_DROP_RENDERS, {"ids": ids})
    session.execute(_DROP_RELATED, {"ids": ids})
    if not articles:
        record_articles(session, ids)
        return
    curated_by_article: dict[int, list[int]] = {}
    for article_id, video_id in session.execute(_CURATED, {"ids": ids}):
        curated_by_article.setdefault(article_id, []).append(video_id)
    sources = {article.id: source_of(article) for article in articles}
    kept = {}
    for article in articles:
        found = stored.get(article.id)
        curated = curated_by_article.get(article.id, [])
        if found is not None and found[0] == inputs_of(article, sources[article.id], curated):
            kept[article.id] = found[1]
    resizer = resizer_of(session)
    video_docs = _video_documents(
        session,
        {
            video_id
            for chosen in (*curated_by_article.values(), *kept.values())
            for video_id in chosen
        },
        resizer,
    )
    now = now_ms()
    kept = {
        article_id: suggested
        for article_id, suggested in kept.items()
        if all(
            video_id in video_docs and playable_somewhere(video_docs[video_id][1], now)
            for video_id in suggested
        )
    }
    fresh = [article for article in articles if article.id not in kept]
    suggester = Suggester(session, fresh) if fresh else None
    chosen_by_article = {}
    for article in articles:
        curated = curated_by_article.get(article.id, [])
        suggested = kept.get(article.id)
        if suggested is None:
            assert suggester is not None
            suggested = suggester.suggest(
                article,
                set(curated),
                limit=max(0, RELATED_MAX - len(curated)),
                source=sources[article.id],
            )
        chosen_by_article[article.id] = (curated + suggested)[:RELATED_MAX]
    missing = {video_id for chosen in chosen_by_article.values() for video_id in chosen}
    video_docs.update(_video_documents(session, missing - video_docs.keys(), resizer))
    translations = translations_of(session, articles)

    render_rows: list[dict[str, Any]] = []
    related_rows: list[dict[str, Any]] = []
    for article in articles:
        curated_ids = set(curated_by_article.get(article.id, []))
        related = []
        for position, video_id in enumerate(chosen_by_article[article.id]):
            if video_id not in video_docs:
                continue
            doc, rules = video_docs[video_id]
            related.append({"video": {**doc, "curated": video_id in curated_ids}, "rules": rules})
            related_rows.append(
                {
                    "article_id": article.id,
                    "video_id": video_id,
                    "position": position,
                    "curated": video_id in curated_ids,
                }
            )
        others = [
            [visible_from, doc]
            for other_id, visible_from, doc in translations.get(article.translation_group or "", [])
            if other_id != article.id and visible_from is not None
        ]
        render_rows.append(_render_row(article, related, others, resizer))
    session.execute(insert(_RENDERS), render_rows)
    if related_rows:
        session.execute(insert(_RELATED), related_rows)
    index_articles(session, ids)
    record_articles(session, ids)

    if cascade:
        groups = {a.translation_group for a in articles if a.translation_group is not None}
        if groups:
            stale = _stale_translations(session, groups, ids, translations)
            render_articles(session, stale, cascade=False, videos_unchanged=videos_unchanged)


def _stale_translations(
    session: Session,
    groups: set[str],
    rendered: list[int],
    translations: dict[str, list[tuple[int, int | None, dict[str, Any]]]],
) -> list[int]:
    """The other members of these translation groups whose stored ``translations``
    list is no longer what the group shows now; the rest are left as they are
    (an edit of a dek or a body does not re-render the other languages)."""
    stale = []
    for article_id, group, stored in session.execute(
        _STORED_TRANSLATIONS, {"groups": sorted(groups), "ids": rendered}
    ):
        shown = [
            [visible_from, doc]
            for other_id, visible_from, doc in translations.get(group or "", [])
            if other_id != article_id and visible_from is not None
        ]
        if stored is None or orjson.dumps(shown).decode() != stored:
            stale.append(article_id)
    return stale


_STORED_VIDEOS = select(VideoRender.video_id, VideoRender.detail, VideoRender.rules).where(
    VideoRender.video_id.in_(bindparam("ids", expanding=True))
)


def _video_documents(
    session: Session, ids: set[int], resizer: Resizer
) -> dict[int, tuple[dict[str, Any], Rules]]:
    """Each video's public document and availability rules, as its rendering stored
    them (videos are rendered before the articles that show them, in the same
    transaction); a video with no rendering yet is built from its rows."""
    if not ids:
        return {}
    found: dict[int, tuple[dict[str, Any], Rules]] = {}
    for video_id, detail, rules in session.execute(_STORED_VIDEOS, {"ids": sorted(ids)}):
        doc = orjson.loads(detail)
        # The detail alone shows the transcript; the related lists never do.
        doc.pop("transcript", None)
        found[video_id] = (doc, orjson.loads(rules))
    for video_id, video in load_videos(session, ids - set(found)).items():
        found[video_id] = (
            video_document(video, video.service.code, resizer),
            video_rules(video),
        )
    return found


def _stored_suggestions(session: Session, ids: list[int]) -> dict[int, tuple[Inputs, list[int]]]:
    """Each article's stored suggested videos, in order, with the inputs they were
    ranked from."""
    curated: dict[int, list[int]] = {}
    suggested: dict[int, list[int]] = {}
    for article_id, video_id, is_curated in session.execute(_STORED_RELATED, {"ids": ids}):
        (curated if is_curated else suggested).setdefault(article_id, []).append(video_id)
    found = {}
    for article_id, teaser, detail, section_id, published_ts in session.execute(
        _STORED_INPUTS, {"ids": ids}
    ):
        inputs = stored_inputs(
            orjson.loads(teaser + "}"),
            orjson.loads(detail + "}"),
            section_id,
            published_ts,
            curated.get(article_id, []),
        )
        found[article_id] = (inputs, suggested.get(article_id, []))
    return found


def _render_row(
    article: Article,
    related: list[dict[str, Any]],
    translations: list[list[Any]],
    resizer: Resizer,
) -> dict[str, Any]:
    service = article.service
    detail_doc = article_document(article, [], resizer)
    # Translations are appended per request, each once it is public itself.
    del detail_doc["translations"]
    summary = detail_doc["summary"]
    published_at = article.published_at or article.updated_at
    teaser_doc: dict[str, Any] = {
        "id": article.id,
        "service": service.code,
        "language": article.language,
        "slug": article.slug,
        "url": detail_doc["url"],
        "kicker": article.kicker,
        "headline": article.headline,
        "dek": article.dek,
        "summary": summary["bullets"] if summary else [],
        "lead_image": detail_doc["lead_image"],
        "section": ref(article.section),
        "published_at": iso(published_at),
        "updated_at": iso(article.updated_at),
    }
    # The stored detail and teaser leave their objects open: the parts that
    # depend on the reader or the clock (translations, breaking, related_videos,
    # notices) are appended per request.
    detail = orjson.dumps(detail_doc)[:-1]
    related_bytes = orjson.dumps(related)
    translations_bytes = orjson.dumps(translations)
    shown = related[:DETAIL_RELATED]
    related_detail = None
    if all(not has_rules(entry["rules"]) for entry in shown):
        resolved = [resolve(dict(entry["video"]), entry["rules"], None, 0) for entry in shown]
        keys = " ".join(f"video-{video['id']}" for video in resolved)
        related_detail = f"{keys}\n{orjson.dumps(resolved).decode()}"
    return {
        "article_id": article.id,
        "service": service.code,
        "section_id": article.section_id,
        "language": article.language,
        "slug": article.slug,
        "public_from": public_from(article),
        "published_ts": to_ms(published_at),
        "updated_ts": to_ms(article.updated_at),
        "breaking_until": opt_ms(article.breaking_until),
        "withheld_in": ",".join(sorted(article.withheld_in or [])),
        "etag": content_etag(resizer, detail, related_bytes, translations_bytes),
        "detail": detail.decode(),
        "teaser": orjson.dumps(teaser_doc)[:-1].decode(),
        "summary": orjson.dumps(summary).decode(),
        "related": related_bytes.decode(),
        "translations": translations_bytes.decode(),
        "related_detail": related_detail,
    }


def live_document(session: Session, article: Article, status: str) -> dict[str, Any]:
    """The editorial view of an article (loaded by ``load_article``): the public
    shape, rendered now from the store, with its real status and times."""
    translations = translations_of(session, [article])
    others = [
        doc
        for other_id, _, doc in translations.get(article.translation_group or "", [])
        if other_id != article.id
    ]
    return article_document(article, others, resizer_of(session), status=status)


def rendered_ids(session: Session) -> tuple[list[int], list[int]]:
    """Every video id and article id, to render them all again."""
    video_ids = list(session.scalars(select(Video.id).order_by(Video.id)))
    article_ids = list(session.scalars(select(Article.id).order_by(Article.id)))
    return video_ids, article_ids


def stale_ids(session: Session) -> tuple[list[int], list[int]]:
    """The videos and articles rendered with other image settings than the
    session's (their stored ETags start with another fingerprint)."""
    prefix = etag_prefix(resizer_of(session)) + "%"
    video_ids = list(
        session.scalars(
            select(VideoRender.video_id)
            .where(VideoRender.etag.not_like(prefix))
            .order_by(VideoRender.video_id)
        )
    )
    article_ids = list(
        session.scalars(
            select(ArticleRender.article_id)
            .where(ArticleRender.etag.not_like(prefix))
            .order_by(ArticleRender.article_id)
        )
    )
    return video_ids, article_ids
