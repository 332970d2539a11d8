"""Import batches: IPTC ninjs documents and articles in Masthead's own shape,
upserted by ``uri``, all or nothing.

An item with a ``uri`` and ninjs members (``headlines``, ``bodies``,
``versionCreated``...) is read as ninjs (see :mod:`app.imports.ninjs`); any other
item as an article in the bundle's article shape (the write shape of the API
plus ``uri``, ``published_at``, ``summary``, ``related_videos``...), whose
``uri`` is required: it is the key that makes a second import an update.

A batch goes into the service it is given, or else each item into the service it
names (``service``, Masthead's shape) or into the one service of its language
(:func:`service_for_language`).

Several items may be versions of one uri (agency updates): only the latest is
applied, the others are ``superseded`` (:func:`in_order`); an item older than the
version an earlier import stored is ``outdated`` and changes nothing
(:func:`is_older`).

Every item is read and checked before anything is written; one bad item rejects
the batch with the position and reason of every bad item. Tags and authors that
the applied ninjs items name are created when missing, never renamed. Withheld or
canceled ninjs text items take an existing article with that uri out of public
view (archived) and create nothing.
"""

from collections.abc import Callable, Iterable
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
    Outcome,
    SourceVersion,
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


class UnknownService(ValueError):
    pass


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    outdated: int = 0
    tags_created: int = 0
    authors_created: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "superseded": self.superseded,
            "outdated": self.outdated,
        }


def is_ninjs(item: dict[str, Any]) -> bool:
    return "uri" in item and not NINJS_MEMBERS.isdisjoint(item)


def _primary(tag: str) -> str:
    return tag.lower().split("-", 1)[0]


def service_for_language(services: Iterable[Service], language: str | None, choose: str) -> Service:
    """The one service of a language: the services whose language is the very tag
    (case aside: ``en-GB`` is ``en-gb``), else those whose primary subtag is the
    tag's (``en-GB`` and ``en``, ``en`` and ``en-US``). Anything but exactly one is a
    :class:`ValueError` naming the choices; ``choose`` says how to name a service."""
    known = sorted(services, key=lambda service: service.code)
    if not known:
        raise ValueError("there is no service to import into yet")
    listed = ", ".join(f"{service.code} ({service.language})" for service in known)
    if language is None:
        raise ValueError(
            f"the item has no language to choose its service by; name one with {choose} "
            f"(services: {listed})"
        )
    matches = [s for s in known if s.language.lower() == language.lower()] or [
        s for s in known if _primary(s.language) == _primary(language)
    ]
    if not matches:
        raise ValueError(
            f"no service has the language '{language}' (services: {listed}); name one with {choose}"
        )
    if len(matches) > 1:
        codes = ", ".join(service.code for service in matches)
        raise ValueError(
            f"several services have the language '{language}' ({codes}); name one with {choose}"
        )
    return matches[0]


def is_older(item: SourceVersion, stored: SourceVersion) -> bool:
    """Whether an item is an earlier version than the stored one: the lower
    ``version`` when both have one and they differ, else the earlier
    ``versionCreated`` when both have it; otherwise it is not older."""
    if item.number is not None and stored.number is not None and item.number != stored.number:
        return item.number < stored.number
    if item.created is not None and stored.created is not None:
        return item.created < stored.created
    return False


class _Stored(NamedTuple):
    """An article or video already stored under an item's uri."""

    id: int
    service_id: int
    published_at: datetime | None
    status: str
    source: SourceVersion


@dataclass
class _Item:
    position: int
    kind: Literal["article", "video"]
    data: dict[str, Any]
    service: Service
    withdrawn: bool = False
    own: ImportArticle | None = None
    source: SourceVersion = field(default_factory=SourceVersion)
    tags: dict[str, str] = field(default_factory=dict)
    authors: dict[str, str] = field(default_factory=dict)
    #: The position of the later version in the batch that is applied instead.
    superseded_by: int | None = None
    #: The store holds a later version of the uri.
    outdated: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.data["uri"])

    @property
    def applied(self) -> bool:
        return self.superseded_by is None and not self.outdated


def in_order(versions: list[_Item]) -> list[_Item]:
    """The versions of one uri, the latest last: by ``version`` when every one has a
    whole number there, then by ``versionCreated`` when every one has it, then by
    their place in the batch. (A criterion only some versions have would not give
    one order.)"""
    by_number = all(item.source.number is not None for item in versions)
    by_time = all(item.source.created is not None for item in versions)
    return sorted(
        versions,
        key=lambda item: (
            (item.source.number or 0) if by_number else 0,
            (item.source.created.timestamp() if item.source.created else 0.0) if by_time else 0.0,
            item.position,
        ),
    )


class _Reader:
    """Reads and checks a batch against the store, before any write."""

    def __init__(
        self, session: Session, services: dict[str, Service], into: Service | None, choose: str
    ) -> None:
        self.store = ImportRepository(session)
        self.services = services
        self.into = into
        self.choose = choose
        self.errors: list[ItemError] = []
        self.items: list[_Item] = []

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

    def _service_of(self, position: int, language: str | None) -> Service | None:
        if self.into is not None:
            return self.into
        try:
            return service_for_language(self.services.values(), language, self.choose)
        except ValueError as error:
            self.fail(position, "language", str(error))
            return None

    def _ninjs(self, position: int, raw: dict[str, Any]) -> None:
        try:
            mapped = ninjs.read(raw)
        except ninjs.NinjsError as error:
            self.fail(position, error.path, error.reason)
            return
        service = self._service_of(position, mapped.language)
        if service is None:
            return
        self.items.append(
            _Item(
                position,
                mapped.kind,
                mapped.item,
                service,
                mapped.withdrawn,
                source=mapped.source,
                tags=mapped.tags,
                authors=mapped.authors,
            )
        )

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
        service: Service | None
        if article.service is None:
            service = self._service_of(position, article.language)
        elif self.into is not None and article.service != self.into.code:
            self.fail(position, "service", f"the batch imports into '{self.into.code}'")
            return
        else:
            service = self.services.get(article.service)
            if service is None:
                self.fail(position, "service", f"unknown service '{article.service}'")
        if service is None:
            return
        data = article.model_dump(exclude={"service", "body"})
        data["body"] = [block.model_dump() for block in article.body]
        self.items.append(_Item(position, "article", data, service, own=article))

    # checks against the store ---------------------------------------------------

    def check(self) -> tuple[dict[str, "_Stored"], dict[str, "_Stored"]]:
        """Existing articles and videos by uri. Of several versions of one uri the
        latest is applied; an applied item whose uri belongs to another service, and
        references to unknown terms, are errors."""
        versions: dict[tuple[str, str], list[_Item]] = {}
        for item in self.items:
            versions.setdefault(item.key, []).append(item)
        for group in versions.values():
            *earlier, latest = in_order(group)
            for item in earlier:
                item.superseded_by = latest.position
        articles = self._existing(
            Article, [i.data["uri"] for i in self.items if i.kind == "article"]
        )
        videos = self._existing(Video, [i.data["uri"] for i in self.items if i.kind == "video"])
        for item in self.items:
            found = (articles if item.kind == "article" else videos).get(item.data["uri"])
            if found is None or item.superseded_by is not None:
                continue
            if found.service_id != item.service.id:
                self.fail(
                    item.position, "uri", f"names a {item.kind} of another service; not moved"
                )
            elif is_older(item.source, found.source):
                item.outdated = True
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
        known_sections: set[tuple[int, str]] = set()
        known_tags: set[tuple[int, str]] = set()
        for service_id in {item.service.id for item in own}:
            mine = [item.own for item in own if item.own and item.service.id == service_id]
            sections = {article.section for article in mine if article.section}
            tags = {slug for article in mine for slug in article.tags}
            known_sections.update(
                (service_id, s) for s in self.slugs(Section, service_id, sections)
            )
            known_tags.update((service_id, s) for s in self.slugs(Tag, service_id, tags))
        authors = {slug for a in own if a.own for slug in a.own.authors}
        video_ids = {
            block.video_id
            for a in own
            if a.own
            for block in a.own.body
            if isinstance(block, VideoBlockIn) and block.video_id is not None
        }
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
            service_id = item.service.id
            if article.section and (service_id, article.section) not in known_sections:
                self.fail(item.position, "section", f"unknown section '{article.section}'")
            for n, slug in enumerate(article.tags):
                if (service_id, slug) not in known_tags:
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

    def slugs(self, model: type[Section] | type[Tag], service_id: int, slugs: set[str]) -> set[str]:
        return self.store.term_slugs(model, service_id, slugs)


def import_batch(
    session: Session,
    service_code: str | None,
    raw_items: list[Any],
    *,
    authorize: Callable[[str], None] | None = None,
    choose: str = "--service CODE",
) -> BatchResult:
    """Read, check and upsert a batch; :class:`ImportRejected` when any item is bad,
    and then nothing is written. Without ``service_code`` each item goes to the
    service it names or to the one of its language; ``authorize`` is called with
    every service the batch goes to before any article or video is looked up, and
    ``choose`` tells a user how to name a service when a language names none."""
    store = ImportRepository(session)
    services = store.services()
    into = None
    if service_code is not None:
        into = services.get(service_code)
        if into is None:
            raise UnknownService(f"unknown service '{service_code}'")
    if len(raw_items) > MAX_ITEMS:
        raise ImportRejected([ItemError(MAX_ITEMS, "", f"a batch holds at most {MAX_ITEMS} items")])
    reader = _Reader(session, services, into, choose)
    reader.read(raw_items)
    if authorize is not None:
        for code in sorted({item.service.code for item in reader.items}):
            authorize(code)
    existing_articles, existing_videos = reader.check()
    articles: list[ArticleIn] = []
    videos: list[VideoIn] = []
    for item in reader.items:
        if item.withdrawn:
            continue
        data = {**item.data, "service": item.service.code}
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
        # Superseded and outdated items are checked as fully as the applied ones.
        try:
            if item.kind == "article":
                article = ArticleIn.model_validate(_without_none(data))
                if item.applied:
                    articles.append(article)
            else:
                video = VideoIn.model_validate(_without_none(data))
                if item.applied:
                    videos.append(video)
        except ValidationError as error:
            for problem in error.errors()[:5]:
                path = ".".join(str(part) for part in problem["loc"])
                reader.fail(item.position, path, str(problem["msg"]))
    if reader.errors:
        raise ImportRejected(sorted(reader.errors, key=lambda e: e.position))

    result = BatchResult()
    loader = Loader(session)
    upserted = [item for item in reader.items if item.applied and not item.withdrawn]
    loader.sources = {item.key: item.source for item in upserted if item.own is None}
    tags: dict[str, dict[str, str]] = {}
    for item in upserted:
        for slug, name in item.tags.items():
            tags.setdefault(item.service.code, {}).setdefault(slug, name)
    missing_tags = [
        TermIn(service=code, slug=slug, name=names[slug])
        for code, names in sorted(tags.items())
        for slug in sorted(set(names) - reader.slugs(Tag, services[code].id, set(names)))
    ]
    named = {slug: name for item in upserted for slug, name in item.authors.items()}
    credited = set(named) | {
        slug for item in upserted if item.kind == "article" for slug in item.data["authors"]
    }
    stored_authors = store.author_ids(credited)
    # The loader knows only the authors of the bundle it loads; these ones exist.
    loader.authors.update(stored_authors)
    missing_authors = sorted(set(named) - set(stored_authors))
    try:
        if missing_tags or missing_authors:
            loader.load(
                Bundle(
                    tags=missing_tags,
                    authors=[AuthorIn(slug=s, name=named[s]) for s in missing_authors],
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
    outcomes = dict(loader.outcomes)
    withdrawn = [item for item in reader.items if item.applied and item.withdrawn]
    outcomes.update(_archive(session, withdrawn, existing_articles, result))
    result.superseded = sum(1 for item in reader.items if item.superseded_by is not None)
    result.outdated = sum(1 for item in reader.items if item.outdated)
    _report_items(session, reader.items, outcomes, result)
    return result


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def _archive(
    session: Session,
    items: list[_Item],
    existing: dict[str, _Stored],
    result: BatchResult,
) -> dict[tuple[str, str], Outcome]:
    """Withheld or canceled ninjs items take the stored article out of public view;
    the version that did it is recorded, so an older, usable one does not undo it."""
    store = ImportRepository(session)
    to_archive = []
    outcomes: dict[tuple[str, str], Outcome] = {}
    for item in items:
        found = existing.get(item.data["uri"])
        if found is not None and found.source != item.source:
            store.record_source(Article, found.id, item.source)
        if found is None or found.status == "archived":
            result.unchanged += 1
            outcomes[item.key] = "unchanged"
        else:
            to_archive.append(found.id)
            result.updated += 1
            outcomes[item.key] = "updated"
    if to_archive:
        ArticleRepository(session).archive(to_archive, utcnow())
        render_articles(session, to_archive)
    return outcomes


def _outcome(item: _Item, applied: dict[tuple[str, str], Outcome]) -> Outcome:
    if item.superseded_by is not None:
        return "superseded"
    if item.outdated:
        return "outdated"
    return applied[item.key]


def _report_items(
    session: Session,
    items: list[_Item],
    outcomes: dict[tuple[str, str], Outcome],
    result: BatchResult,
) -> None:
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
            "id": ids.get(item.key),
            "service": item.service.code,
            "outcome": _outcome(item, outcomes),
            "superseded_by": item.superseded_by,
        }
        for item in items
    ]
