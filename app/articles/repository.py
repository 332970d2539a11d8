"""Every SQL statement of articles: the public reads against the read model (on
the read store), and the writes and editors' reads (``ArticleRepository``, on the
request's session)."""

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar, cast

from sqlalchemy import (
    BigInteger,
    BindParameter,
    CursorResult,
    Delete,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, joinedload

from app.models import (
    Article,
    ArticleAuthor,
    ArticleRender,
    ArticleSlug,
    ArticleTag,
    ArticleVideo,
    Author,
    Correction,
    Revision,
    Section,
    Service,
    Summary,
    Tag,
    Video,
)
from app.readmodel.loading import load_article
from app.readstore import Query, utf8_column

LinkModel = TypeVar("LinkModel", ArticleTag, ArticleAuthor, ArticleVideo)

R = ArticleRender.__table__.c

# The stored renderings come as UTF-8 bytes, to be spliced into the answer as they
# are; the resolvable related videos only when no reader-independent rendering
# of them is stored (reading them is most of the row).
_DETAIL = (
    R.public_from,
    R.withheld_in,
    R.breaking_until,
    R.etag,
    R.updated_ts,
    utf8_column(R.detail),
    case((R.related_detail.is_(None), utf8_column(R.related))),
    R.service,
    R.language,
    utf8_column(R.translations),
    utf8_column(R.related_detail),
)

BY_ID = Query(select(*_DETAIL).where(R.article_id == bindparam("id")))

BY_SLUG = Query(
    select(*_DETAIL, R.article_id).where(
        R.service == bindparam("service"), R.slug == bindparam("slug")
    )
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
    select(
        R.public_from, R.withheld_in, R.related, R.updated_ts, R.service, R.related_detail
    ).where(R.article_id == bindparam("id"))
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


# The statements every editorial write runs, built once: building a statement and
# its cache key costs more than SQLite takes to run it.
_ID: BindParameter[int] = bindparam("id")
_FIND = select(Article).where(Article.id == _ID).options(joinedload(Article.service))
_RENDERED_RELATED = select(ArticleRender.related).where(ArticleRender.article_id == _ID)
_CLAIM = (
    update(Article)
    .where(Article.id == bindparam("article_id"), Article.version == bindparam("read"))
    .values(version=Article.version + 1)
    .execution_options(synchronize_session=False)
)
_VERSION = select(Article.version).where(Article.id == _ID)
_TAG_SLUGS = (
    select(Tag.slug)
    .join(ArticleTag, ArticleTag.tag_id == Tag.id)
    .where(ArticleTag.article_id == _ID)
    .order_by(ArticleTag.position)
)
_AUTHOR_SLUGS = (
    select(Author.slug)
    .join(ArticleAuthor, ArticleAuthor.author_id == Author.id)
    .where(ArticleAuthor.article_id == _ID)
    .order_by(ArticleAuthor.position)
)
_SECTION_SLUG = select(Section.slug).where(Section.id == _ID)
_GROUP = select(Article.translation_group).where(Article.id == _ID)
_LAST_REVISION = select(func.max(Revision.number)).where(Revision.article_id == _ID)


@lru_cache(maxsize=8)
def _linked(model: type[LinkModel], column: str) -> Select[tuple[int]]:
    return select(getattr(model, column)).where(model.article_id == _ID).order_by(model.position)


@lru_cache(maxsize=8)
def _unlink(model: type[LinkModel]) -> Delete:
    return delete(model).where(model.article_id == _ID)


class ArticleRepository:
    """Every statement of the article writes and editors' reads, on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def flush(self) -> None:
        self.session.flush()

    # finding ----------------------------------------------------------------------

    def find(self, article_id: int) -> Article | None:
        """The article with its service (enough for permission checks)."""
        return self.session.scalars(_FIND, {"id": article_id}).one_or_none()

    def load(self, article_id: int) -> Article | None:
        """The article with everything its representation shows, fresh from the database."""
        return load_article(self.session, article_id)

    def service(self, code: str) -> Service | None:
        return self.session.scalars(select(Service).where(Service.code == code)).one_or_none()

    def service_id(self, code: str) -> int | None:
        return self.session.scalar(select(Service.id).where(Service.code == code))

    def id_by_slug(self, service_id: int, slug: str) -> int | None:
        return self.session.scalar(
            select(Article.id).where(Article.service_id == service_id, Article.slug == slug)
        )

    def id_by_old_slug(self, service_id: int, slug: str) -> int | None:
        return self.session.scalar(
            select(ArticleSlug.article_id).where(
                ArticleSlug.service_id == service_id, ArticleSlug.slug == slug
            )
        )

    def rendered_related(self, article_id: int) -> str | None:
        """The related videos as last rendered (every write renders them again)."""
        return self.session.scalar(_RENDERED_RELATED, {"id": article_id})

    # the version ----------------------------------------------------------------

    def claim_version(self, article_id: int, version: int) -> bool:
        """Move the article to ``version + 1`` if, and only if, it is still at
        ``version``: one statement, which the database serialises on the row."""
        result = cast(
            CursorResult[Any],
            self.session.execute(_CLAIM, {"article_id": article_id, "read": version}),
        )
        return result.rowcount == 1

    def version(self, article_id: int) -> int | None:
        return self.session.scalar(_VERSION, {"id": article_id})

    # the write shape ---------------------------------------------------------------

    def tag_slugs(self, article_id: int) -> list[str]:
        return list(self.session.scalars(_TAG_SLUGS, {"id": article_id}))

    def author_slugs(self, article_id: int) -> list[str]:
        return list(self.session.scalars(_AUTHOR_SLUGS, {"id": article_id}))

    def section_slug(self, section_id: int) -> str | None:
        return self.session.scalar(_SECTION_SLUG, {"id": section_id})

    def section_id(self, service_id: int, slug: str) -> int | None:
        return self.session.scalar(
            select(Section.id).where(Section.service_id == service_id, Section.slug == slug)
        )

    def term_ids(
        self, model: type[Tag] | type[Author], slugs: list[str], service_id: int | None
    ) -> dict[str, int]:
        """Ids of the tags (of the service) or authors holding these slugs."""
        query = select(model.slug, model.id).where(model.slug.in_(slugs))
        if model is Tag:
            query = query.where(Tag.service_id == service_id)
        return {slug: term_id for slug, term_id in self.session.execute(query)}

    def existing_videos(self, ids: Iterable[int]) -> set[int]:
        wanted = list(ids)
        if not wanted:
            return set()
        return set(self.session.scalars(select(Video.id).where(Video.id.in_(wanted))))

    # translations -------------------------------------------------------------------

    def translation_of(self, article: Article) -> int | None:
        """The article this one was linked to as its translation, while the two are
        still one story (an import may have moved either to another group since)."""
        if article.translation_of_id is None or article.translation_group is None:
            return None
        group = self.session.scalar(_GROUP, {"id": article.translation_of_id})
        return article.translation_of_id if group == article.translation_group else None

    def is_translated(self, article: Article) -> bool:
        """Whether other articles of its story were linked to it as its translations."""
        if article.translation_group is None:
            return False
        return bool(
            self.session.scalar(
                select(
                    exists().where(
                        Article.translation_of_id == article.id,
                        Article.translation_group == article.translation_group,
                    )
                )
            )
        )

    def story_members(self, group: str) -> list[tuple[int, int]]:
        """``(id, service_id)`` of every article of a translation group."""
        rows = self.session.execute(
            select(Article.id, Article.service_id).where(Article.translation_group == group)
        )
        return [(article_id, service_id) for article_id, service_id in rows]

    # slugs ----------------------------------------------------------------------

    def slug_owner(self, service_id: int, slug: str) -> int | None:
        """The article that has (or had) the slug in the service."""
        return self.id_by_old_slug(service_id, slug) or self.id_by_slug(service_id, slug)

    def unique_slug(
        self,
        service_id: int,
        base: str,
        article_id: int | None,
        also_taken: set[str] | None = None,
    ) -> str:
        """``base``, or ``base-2``, ``base-3``... so no other article of the service holds it."""
        also_taken = also_taken or set()
        for start in range(1, 10_000, 50):
            candidates = [base if n == 1 else f"{base}-{n}" for n in range(start, start + 50)]
            taken = {
                slug
                for slug, owner in self.session.execute(
                    select(ArticleSlug.slug, ArticleSlug.article_id).where(
                        ArticleSlug.service_id == service_id, ArticleSlug.slug.in_(candidates)
                    )
                )
                if owner != article_id
            }
            taken |= {
                slug
                for slug, owner in self.session.execute(
                    select(Article.slug, Article.id).where(
                        Article.service_id == service_id, Article.slug.in_(candidates)
                    )
                )
                if owner != article_id
            }
            for candidate in candidates:
                if candidate not in taken and candidate not in also_taken:
                    return candidate
        raise ValueError(f"no free slug for {base!r}")

    def held_slugs(self, service_id: int, slugs: list[str]) -> set[str]:
        """Which of these slugs an article of the service has, or had."""
        held: set[str] = set()
        for start in range(0, len(slugs), 500):
            chunk = slugs[start : start + 500]
            held.update(
                self.session.scalars(
                    select(ArticleSlug.slug).where(
                        ArticleSlug.service_id == service_id, ArticleSlug.slug.in_(chunk)
                    )
                )
            )
            held.update(
                self.session.scalars(
                    select(Article.slug).where(
                        Article.service_id == service_id, Article.slug.in_(chunk)
                    )
                )
            )
        return held

    def record_slug(self, article: Article) -> None:
        """Keep every slug the article has had, so old links answer 301."""
        existing = self.session.scalars(
            select(ArticleSlug).where(
                ArticleSlug.service_id == article.service_id, ArticleSlug.slug == article.slug
            )
        ).one_or_none()
        if existing is None:
            self.session.add(
                ArticleSlug(article_id=article.id, service_id=article.service_id, slug=article.slug)
            )
            self.session.flush()

    # writing ----------------------------------------------------------------------

    def add(self, article: Article) -> None:
        self.session.add(article)
        self.session.flush()

    def insert_many(self, rows: list[dict[str, Any]]) -> list[int]:
        """New articles from column values, in one statement; their ids in order."""
        # Core executemany with RETURNING: the ORM's unit of work would cost
        # more than everything else an import does.
        table = cast(Table, Article.__table__)
        return list(
            self.session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
            ).scalars()
        )

    def insert_rows(self, model: type[Any], rows: list[dict[str, Any]]) -> None:
        if rows:
            # Into the table, not the mapped class: the ORM's bulk path costs more
            # per row than the statement itself.
            self.session.execute(insert(cast(Table, model.__table__)), rows)

    def linked_ids(self, model: type[LinkModel], column: str, article_id: int) -> list[int]:
        return list(self.session.scalars(_linked(model, column), {"id": article_id}))

    def replace_links(
        self, model: type[LinkModel], column: str, article_id: int, ids: list[int]
    ) -> None:
        """The article's tags, authors or curated videos, in this order."""
        self.session.execute(_unlink(model), {"id": article_id})
        self.insert_rows(
            model,
            [{"article_id": article_id, column: i, "position": n} for n, i in enumerate(ids)],
        )

    def archive(self, article_ids: list[int], now: datetime) -> None:
        self.session.execute(
            update(Article)
            .where(Article.id.in_(article_ids))
            .values(status="archived", version=Article.version + 1, updated_at=now)
        )

    def corrections(self, article_id: int) -> list[Correction]:
        return list(
            self.session.scalars(
                select(Correction)
                .where(Correction.article_id == article_id)
                .order_by(Correction.created_at)
            )
        )

    def add_correction(self, correction: Correction) -> None:
        self.session.add(correction)

    def summary(self, article_id: int, source: str) -> Summary | None:
        return self.session.get(Summary, (article_id, source))

    def add_summary(self, summary: Summary) -> None:
        self.session.add(summary)

    def delete_summary(self, summary: Summary) -> None:
        self.session.delete(summary)

    def store_generated_summary(self, article: Article, bullets: list[str]) -> None:
        """The generated key points (the editorial ones, if any, stay in front)."""
        existing = self.summary(article.id, "generated")
        if existing is None:
            self.session.add(Summary(article_id=article.id, source="generated", bullets=bullets))
        elif existing.bullets != bullets:
            existing.bullets = bullets
            existing.updated_at = datetime.now(UTC)
        self.session.flush()

    # history ----------------------------------------------------------------------

    def add_revision(self, revision: Revision) -> None:
        """The revision, numbered after the article's last one."""
        revision.number = (
            self.session.scalar(_LAST_REVISION, {"id": revision.article_id}) or 0
        ) + 1
        self.session.add(revision)

    def revisions(self, article_id: int, before: int | None, limit: int) -> list[Revision]:
        """Newest first; ``before`` is the number the page starts below."""
        query = select(Revision).where(Revision.article_id == article_id)
        if before is not None:
            query = query.where(Revision.number < before)
        return list(self.session.scalars(query.order_by(Revision.number.desc()).limit(limit)))

    def revisions_after(self, article_id: int, number: int) -> list[Revision]:
        """The revisions after ``number``, oldest first, up to the first one with a
        snapshot (or to the last)."""
        later = Revision.article_id == article_id, Revision.number > number
        upto = self.session.scalar(
            select(func.min(Revision.number)).where(*later, Revision.snapshot.is_not(None))
        )
        query = select(Revision).where(*later)
        if upto is not None:
            query = query.where(Revision.number <= upto)
        return list(self.session.scalars(query.order_by(Revision.number)))

    def revision(self, article_id: int, number: int) -> Revision | None:
        return self.session.scalars(
            select(Revision).where(Revision.article_id == article_id, Revision.number == number)
        ).one_or_none()

    # editorial lists ----------------------------------------------------------------

    def teasers_by_status(
        self,
        status: str,
        services: list[str] | None,
        before_id: int | None,
        limit: int,
        now: datetime,
    ) -> list[tuple[int, int | None, str]]:
        """``(id, breaking_until, teaser)`` of the articles with this (effective)
        status, in these services (all when None), newest first."""
        render = ArticleRender
        query = select(render.article_id, render.breaking_until, render.teaser).join(
            Article, Article.id == render.article_id
        )
        if status == "published":
            query = query.where(
                or_(
                    Article.status == "published",
                    and_(Article.status == "scheduled", Article.published_at <= now),
                )
            )
        elif status == "scheduled":
            query = query.where(Article.status == "scheduled", Article.published_at > now)
        else:
            query = query.where(Article.status == status)
        if services is not None:
            query = query.where(render.service.in_(services))
        if before_id is not None:
            query = query.where(render.article_id < before_id)
        rows = self.session.execute(query.order_by(render.article_id.desc()).limit(limit))
        return [(article_id, until, teaser) for article_id, until, teaser in rows]
