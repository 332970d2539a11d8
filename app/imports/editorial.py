"""Import batches: IPTC ninjs documents and articles in Masthead's own shape,
upserted by ``uri`` into one service, all or nothing.

An item with a ``uri`` and ninjs members (``headlines``, ``bodies``,
``versionCreated``...) is read as ninjs (see :mod:`app.imports.ninjs`); any other
item as an article in the bundle's article shape (the write shape of the API
plus ``uri``, ``published_at``, ``summary``, ``related_videos``...), whose
``uri`` is required: it is the key that makes a second import an update.

Every item is read and checked before anything is written; one bad item rejects
the batch with the position and reason of every bad item. Tags and authors that
ninjs items name are created when missing, never renamed. Withheld or canceled
ninjs text items take an existing article with that uri out of public view
(archived) and create nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.articles.repository import ArticleRepository
from app.imports import ninjs
from app.imports.bundle import BundleError, Loader
from app.imports.repository import ImportRepository
from app.imports.schemas import (
    MAX_ITEMS,
    ArticleIn,
    AuthorIn,
    Bundle,
    ImportArticle,
    TermIn,
    VideoBlockIn,
    VideoIn,
)
from app.models import Article, Section, Service, Tag, Video, utcnow
from app.readmodel.articles import render_articles

#: Members that only ninjs has: one of them next to a ``uri`` makes an item ninjs.
NINJS_MEMBERS = (ninjs.property_names("2") | ninjs.property_names("3") | {"$schema"}) - {
    "uri",
    "language",
    "urgency",
}


@dataclass(frozen=True)
class ItemError:
    position: int
    path: str
    reason: str

    @property
    def field(self) -> str:
        return f"items.{self.position}" + (f".{self.path}" if self.path else "")


class ImportRejected(Exception):
    """The batch was not imported; ``errors`` names each bad item."""

    def __init__(self, errors: list[ItemError]) -> None:
        super().__init__(f"{len(errors)} invalid item(s)")
        self.errors = errors


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    tags_created: int = 0
    authors_created: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def is_ninjs(item: dict[str, Any]) -> bool:
    return "uri" in item and not NINJS_MEMBERS.isdisjoint(item)


class _Stored(NamedTuple):
    """An article or video already stored under an item's uri."""

    id: int
    service_id: int
    published_at: datetime | None
    status: str


@dataclass
class _Item:
    position: int
    kind: Literal["article", "video"]
    data: dict[str, Any]
    withdrawn: bool = False
    own: ImportArticle | None = None


class _Reader:
    """Reads and checks a batch against the store, before any write."""

    def __init__(self, session: Session, service: Service) -> None:
        self.store = ImportRepository(session)
        self.service = service
        self.errors: list[ItemError] = []
        self.items: list[_Item] = []
        self.tags: dict[str, str] = {}
        self.authors: dict[str, str] = {}

    def fail(self, position: int, path: str, reason: str) -> None:
        self.errors.append(ItemError(position, path, reason))

    def read(self, raw_items: list[Any]) -> None:
        for position, raw in enumerate(raw_items):
            if not isinstance(raw, dict):
                self.fail(position, "", "not a JSON object")
            elif is_ninjs(raw):
                self._ninjs(position, raw)
            else:
                self._own(position, raw)

    def _ninjs(self, position: int, raw: dict[str, Any]) -> None:
        try:
            mapped = ninjs.read(raw)
        except ninjs.NinjsError as error:
            self.fail(position, error.path, error.reason)
            return
        for slug, name in mapped.tags.items():
            self.tags.setdefault(slug, name)
        for slug, name in mapped.authors.items():
            self.authors.setdefault(slug, name)
        self.items.append(_Item(position, mapped.kind, mapped.item, mapped.withdrawn))

    def _own(self, position: int, raw: dict[str, Any]) -> None:
        if "uri" not in raw:
            self.fail(
                position,
                "uri",
                "required: an imported article needs the uri that makes a second import an "
                "update (ninjs items are recognised by a uri next to ninjs members)",
            )
            return
        try:
            article = ImportArticle.model_validate(raw)
        except ValidationError as error:
            for problem in error.errors()[:5]:
                path = ".".join(str(part) for part in problem["loc"])
                self.fail(position, path, str(problem["msg"]))
            return
        if article.service is not None and article.service != self.service.code:
            self.fail(position, "service", f"the batch imports into '{self.service.code}'")
            return
        data = article.model_dump(exclude={"service", "body"})
        data["body"] = [block.model_dump() for block in article.body]
        self.items.append(_Item(position, "article", data, own=article))

    # checks against the store ---------------------------------------------------

    def check(self) -> tuple[dict[str, "_Stored"], dict[str, "_Stored"]]:
        """Existing articles and videos by uri; items whose uri repeats, or belongs
        to another service, and references to unknown terms are errors."""
        seen: dict[tuple[str, str], int] = {}
        for item in self.items:
            key = (item.kind, item.data["uri"])
            if key in seen:
                self.fail(item.position, "uri", f"repeats the uri of item {seen[key]}")
            else:
                seen[key] = item.position
        articles = self._existing(
            Article, [i.data["uri"] for i in self.items if i.kind == "article"]
        )
        videos = self._existing(Video, [i.data["uri"] for i in self.items if i.kind == "video"])
        for item in self.items:
            found = (articles if item.kind == "article" else videos).get(item.data["uri"])
            if found is not None and found.service_id != self.service.id:
                self.fail(
                    item.position, "uri", f"names a {item.kind} of another service; not moved"
                )
        self._check_references()
        return articles, videos

    def _existing(
        self, model: type[Article] | type[Video], uris: list[str]
    ) -> dict[str, "_Stored"]:
        return {uri: _Stored(*row) for uri, row in self.store.stored(model, uris).items()}

    def _check_references(self) -> None:
        own = [item for item in self.items if item.own is not None]
        if not own:
            return
        sections = {a.own.section for a in own if a.own and a.own.section}
        tags = {slug for a in own if a.own for slug in a.own.tags}
        authors = {slug for a in own if a.own for slug in a.own.authors}
        video_ids = {
            block.video_id
            for a in own
            if a.own
            for block in a.own.body
            if isinstance(block, VideoBlockIn) and block.video_id is not None
        }
        known_sections = self.slugs(Section, sections)
        known_tags = self.slugs(Tag, tags)
        known_authors = set(self.store.author_ids(authors))
        uri_of = self.store.video_uris(video_ids)
        batch_videos = {i.data["uri"] for i in self.items if i.kind == "video"}
        wanted_uris = {
            ref
            for a in own
            if a.own
            for ref in [
                *a.own.related_videos,
                *(
                    b.video_uri
                    for b in a.own.body
                    if isinstance(b, VideoBlockIn) and b.video_uri is not None
                ),
            ]
        } - batch_videos
        stored_uris = self.store.stored_video_uris(wanted_uris)
        for item in own:
            article = item.own
            assert article is not None
            if article.section and article.section not in known_sections:
                self.fail(item.position, "section", f"unknown section '{article.section}'")
            for n, slug in enumerate(article.tags):
                if slug not in known_tags:
                    self.fail(item.position, f"tags.{n}", f"unknown tag '{slug}'")
            for n, slug in enumerate(article.authors):
                if slug not in known_authors:
                    self.fail(item.position, f"authors.{n}", f"unknown author '{slug}'")
            for n, uri in enumerate(article.related_videos):
                if uri not in batch_videos and uri not in stored_uris:
                    self.fail(item.position, f"related_videos.{n}", f"unknown video '{uri}'")
            for n, block in enumerate(article.body):
                if not isinstance(block, VideoBlockIn):
                    continue
                if block.video_id is not None:
                    stored_uri = uri_of.get(block.video_id)
                    if stored_uri is None:
                        self.fail(item.position, f"body.{n}.video_id", "unknown video")
                    else:
                        item.data["body"][n] = {"type": "video", "video_uri": stored_uri}
                elif block.video_uri not in batch_videos and block.video_uri not in stored_uris:
                    self.fail(item.position, f"body.{n}.video_uri", "unknown video")
                else:
                    item.data["body"][n] = {"type": "video", "video_uri": block.video_uri}

    def slugs(self, model: type[Section] | type[Tag], slugs: set[str]) -> set[str]:
        return self.store.term_slugs(model, self.service.id, slugs)


def import_batch(session: Session, service_code: str, raw_items: list[Any]) -> BatchResult:
    """Read, check and upsert a batch into one service; :class:`ImportRejected`
    when any item is bad, and then nothing is written."""
    service = ImportRepository(session).service(service_code)
    if service is None:
        raise ValueError(f"unknown service '{service_code}'")
    if len(raw_items) > MAX_ITEMS:
        raise ImportRejected([ItemError(MAX_ITEMS, "", f"a batch holds at most {MAX_ITEMS} items")])
    reader = _Reader(session, service)
    reader.read(raw_items)
    existing_articles, existing_videos = reader.check()
    articles: list[ArticleIn] = []
    videos: list[VideoIn] = []
    withdrawn: list[_Item] = []
    for item in reader.items:
        if item.withdrawn:
            withdrawn.append(item)
            continue
        data = {**item.data, "service": service.code}
        stored = (existing_articles if item.kind == "article" else existing_videos).get(data["uri"])
        if data.get("published_at") is None:
            # No time in the item: keep the stored one, so a second import changes nothing.
            data["published_at"] = (
                stored.published_at if stored and stored.published_at else utcnow()
            )
        if item.kind == "video":
            data["availability"] = {
                k: v for k, v in data.get("availability", {}).items() if v is not None
            }
        try:
            if item.kind == "article":
                articles.append(ArticleIn.model_validate(_without_none(data)))
            else:
                videos.append(VideoIn.model_validate(_without_none(data)))
        except ValidationError as error:
            for problem in error.errors()[:5]:
                path = ".".join(str(part) for part in problem["loc"])
                reader.fail(item.position, path, str(problem["msg"]))
    if reader.errors:
        raise ImportRejected(sorted(reader.errors, key=lambda e: e.position))

    result = BatchResult()
    loader = Loader(session)
    missing_tags = sorted(set(reader.tags) - reader.slugs(Tag, set(reader.tags)))
    credited = set(reader.authors) | {
        slug for item in reader.items if item.kind == "article" for slug in item.data["authors"]
    }
    stored_authors = ImportRepository(session).author_ids(credited)
    # The loader knows only the authors of the bundle it loads; these ones exist.
    loader.authors.update(stored_authors)
    missing_authors = sorted(set(reader.authors) - set(stored_authors))
    try:
        if missing_tags or missing_authors:
            loader.load(
                Bundle(
                    tags=[
                        TermIn(service=service.code, slug=s, name=reader.tags[s])
                        for s in missing_tags
                    ],
                    authors=[AuthorIn(slug=s, name=reader.authors[s]) for s in missing_authors],
                )
            )
            result.tags_created, result.authors_created = len(missing_tags), len(missing_authors)
        for part in (Bundle(videos=videos), Bundle(articles=articles)):
            if part.videos or part.articles:
                for name, count in loader.load(part).items():
                    setattr(result, name, getattr(result, name) + count)
    except BundleError as error:
        raise ImportRejected(
            [ItemError(0, "", f"the batch could not be stored: {error}")]
        ) from None
    # The loader gives every article it changes a new version and a revision.
    _archive(session, withdrawn, existing_articles, result)
    _report_items(session, reader.items, result)
    return result


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def _archive(
    session: Session,
    items: list[_Item],
    existing: dict[str, _Stored],
    result: BatchResult,
) -> set[int]:
    """Withheld or canceled ninjs items take the stored article out of public view."""
    to_archive = []
    for item in items:
        found = existing.get(item.data["uri"])
        if found is None or found.status == "archived":
            result.unchanged += 1
        else:
            to_archive.append(found.id)
            result.updated += 1
    if to_archive:
        ArticleRepository(session).archive(to_archive, utcnow())
        render_articles(session, to_archive)
    return set(to_archive)


def _report_items(session: Session, items: list[_Item], result: BatchResult) -> None:
    store = ImportRepository(session)
    ids: dict[tuple[str, str], int] = {}
    for kind, model in (("article", Article), ("video", Video)):
        uris = [i.data["uri"] for i in items if i.kind == kind]
        ids.update({(kind, uri): item_id for uri, item_id in store.ids(model, uris).items()})
    result.items = [
        {
            "position": item.position,
            "type": item.kind,
            "uri": item.data["uri"],
            "id": ids.get((item.kind, item.data["uri"])),
        }
        for item in items
    ]
