"""Feed and sitemap reads: who may see what, built from the stored renderings.

A request reads the ids and ETags of the articles it shows (one indexed
query). Each article's item is rendered once per format from its stored
detail and kept, by ETag, in a bounded in-process memo: any change to the
article, its videos or its taxonomy makes a new ETag, so nothing stale is
served. What depends on the request is applied to it: which articles are
visible (the query), and which videos the reader's country and the clock let
play, and so carry an enclosure. Whole answers are kept by the front cache
(``app.http.frontcache``).
"""

import hashlib
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson

from app.errors import NotFound
from app.feeds import atom, jsonfeed, repository, rss, sitemap
from app.feeds.entries import Channel, Entry, Format, Item, parse_entry
from app.kit.timeutil import db_time_ms, iso_from_ms
from app.readmodel.availability import Rules, has_rules, unavailable_reason
from app.readstore import ReadStore

FORMATS: dict[str, Format] = {"rss": rss.FORMAT, "atom": atom.FORMAT, "json": jsonfeed.FORMAT}

V = TypeVar("V")


class Memo(Generic[V]):
    """A bounded least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        found = self._data.get(key)
        if found is not None:
            self._data.move_to_end(key)
        return found

    def put(self, key: Hashable, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)


@dataclass(frozen=True, slots=True)
class Rendered:
    """An entry's item in one format, with what decides, per request, which of
    its videos it carries: for each, its id, and whether it is always (True) or
    never (False) playable, or the rules that decide it (None)."""

    etag: str
    item: Item
    videos: tuple[tuple[int, bool | None, Rules], ...]
    #: When no video depends on the reader or the clock: the item's text, and
    #: the ids of the videos it carries.
    fixed: tuple[str, list[int]] | None


def _rendered(form: Format, etag: str, entry: Entry, channel: Channel) -> Rendered:
    item = form.item(entry, channel)
    videos = tuple((v.id, _playability(v.rules), v.rules) for v in entry.videos)
    fixed = None
    if all(playable is not None for _, playable, _ in videos):
        shown = [i for i, (_, playable, _) in enumerate(videos) if playable]
        text = item.head + form.join_videos([item.videos[i] for i in shown]) + item.tail
        fixed = (text, [videos[i][0] for i in shown])
    return Rendered(etag, item, videos, fixed)


def _playability(rules: Rules) -> bool | None:
    if not rules[4]:
        return False
    return None if has_rules(rules) else True


@dataclass(slots=True)
class Answer:
    """A feed or sitemap body with its validators."""

    body: bytes
    etag: str
    last_modified_ms: int
    surrogate_keys: str
    media_type: str
    #: When the clock alone changes the answer (an article leaving the sitemap's window).
    expires_ms: int | None = None


# Keys hold the article's ETag and everything else the rendering depends on.
_ITEMS: Memo[Rendered] = Memo(4096)
_URLS: Memo[str] = Memo(8192)


@dataclass(frozen=True, slots=True)
class Service:
    id: int
    code: str
    name: str
    description: str | None
    language: str
    direction: str
    site_url: str | None
    updated_ms: int

    def home(self, base: str) -> str:
        return self.site_url or f"{base}/v1/services/{self.code}"


async def find_service(store: ReadStore, code: str) -> Service:
    row = await store.one(repository.SERVICE, {"service": code})
    if row is None:
        raise NotFound(f"There is no service '{code}'.")
    service_id, name, description, language, direction, site_url, updated_at = row
    return Service(
        service_id,
        code,
        name,
        description,
        language,
        direction or "ltr",
        site_url,
        db_time_ms(updated_at) or 0,
    )


def _visibility(service: Service, country: str | None, now: int) -> tuple[set[str], dict[str, Any]]:
    filters: set[str] = set()
    params: dict[str, Any] = {"service": service.code, "now": now}
    if country is not None:
        filters.add("country")
        params["withheld_pattern"] = f"%{country}%"
    return filters, params


def _visible(public_from: int | None, withheld: str, country: str | None, now: int) -> bool:
    if public_from is None or public_from > now:
        return False
    return not (withheld and country is not None and country in withheld.split(","))


def _digest(parts: Sequence[object]) -> str:
    return hashlib.blake2b(orjson.dumps(list(parts)), digest_size=12).hexdigest()


async def _term(store: ReadStore, service: Service, kind: str, slug: str) -> tuple[int, str, int]:
    query = repository.SECTION if kind == "section" else repository.TAG
    row = await store.one(query, {"service_id": service.id, "slug": slug})
    if row is None:
        raise NotFound(
            f"The service '{service.code}' has no {kind} '{slug}'.",
            errors=[{"location": "query", "field": kind, "message": f"unknown {kind}"}],
        )
    return row[0], row[1], db_time_ms(row[2]) or 0


async def _load(
    store: ReadStore,
    fmt: str,
    rows: list[Sequence[Any]],
    channel: Channel,
    country: str | None,
    now: int,
) -> dict[int, Rendered]:
    """The rendered items of these rows, from the memo or rendered now."""
    found: dict[int, Rendered] = {}
    missing: list[int] = []
    for article_id, etag, *_ in rows:
        cached = _ITEMS.get(
            (fmt, article_id, etag, channel.base, channel.direction, channel.language)
        )
        if cached is None:
            missing.append(article_id)
        else:
            found[article_id] = cached
    size = repository.FEED_SIZE
    for start in range(0, len(missing), size):
        batch = missing[start : start + size]
        params = {f"id{n}": article_id for n, article_id in enumerate(batch)}
        for article_id, etag, public_from, withheld, detail, related in await store.all(
            repository.RENDERINGS, params
        ):
            # Read again, so it may have changed since the list was read.
            if not _visible(public_from, withheld, country, now):
                continue
            rendered = _rendered(
                FORMATS[fmt], etag, parse_entry(article_id, detail, related), channel
            )
            key = (fmt, article_id, etag, channel.base, channel.direction, channel.language)
            _ITEMS.put(key, rendered)
            found[article_id] = rendered
    return found


async def feed(
    store: ReadStore,
    fmt: str,
    code: str,
    *,
    section: str | None,
    tag: str | None,
    country: str | None,
    now: int,
    base: str,
    self_url: str,
) -> Answer:
    """The newest articles of a service a reader in ``country`` may see, as a feed."""
    service = await find_service(store, code)
    filters, params = _visibility(service, country, now)
    terms = []
    for kind, slug in (("section", section), ("tag", tag)):
        if slug is not None:
            term = await _term(store, service, kind, slug)
            filters.add(kind)
            params[f"{kind}_id"] = term[0]
            terms.append(term)
    rows = await store.all(repository.feed_query(frozenset(filters)), params)
    return await _build(store, fmt, service, terms, rows, country, now, base, self_url)


async def _build(
    store: ReadStore,
    fmt: str,
    service: Service,
    terms: list[tuple[int, str, int]],
    rows: list[Sequence[Any]],
    country: str | None,
    now: int,
    base: str,
    self_url: str,
) -> Answer:
    form = FORMATS[fmt]
    last_modified = max(
        [
            service.updated_ms,
            *(updated for _, _, updated in terms),
            *(max(row[2], row[3]) for row in rows),
        ]
    )
    channel = Channel(
        name=": ".join([service.name, *(name for _, name, _ in terms)]),
        description=service.description,
        language=service.language,
        direction=service.direction,
        home=service.home(base),
        base=base,
        self_url=self_url,
        updated_at=iso_from_ms(last_modified),
    )
    rendered = await _load(store, fmt, rows, channel, country, now)
    validators: list[object] = [
        fmt,
        base,
        self_url,
        channel.name,
        channel.description,
        channel.language,
        channel.direction,
        channel.home,
        channel.updated_at,
    ]
    texts: list[str | tuple[Item, list[str]]] = []
    keys = [f"feed-{service.code}", f"service-{service.code}"]
    video_ids: list[int] = []
    for article_id, *_ in rows:
        found = rendered.get(article_id)
        if found is None:
            continue
        keys.append(f"article-{article_id}")
        if found.fixed is not None:
            texts.append(found.fixed[0])
            video_ids.extend(found.fixed[1])
            validators.append(found.etag)
            continue
        fragments, playable = [], []
        for (video_id, fixed, rules), fragment in zip(found.videos, found.item.videos, strict=True):
            if fixed is None:
                fixed = unavailable_reason(rules, country, now) is None
                for moment in rules[2:4]:
                    if moment is None:
                        continue
                    if moment <= now:
                        # A window that opened or closed has changed the feed.
                        last_modified = max(last_modified, moment)
            if fixed:
                fragments.append(fragment)
                playable.append(video_id)
        validators.append([found.etag, playable])
        video_ids.extend(playable)
        texts.append((found.item, fragments))
    items = [
        text if isinstance(text, str) else text[0].head + form.join_videos(text[1]) + text[0].tail
        for text in texts
    ]
    body = "".join(
        (form.document_head(channel), form.separator.join(items), form.document_tail)
    ).encode()
    keys.extend(f"video-{video_id}" for video_id in dict.fromkeys(video_ids))
    return Answer(
        body=body,
        etag=_digest(validators),
        last_modified_ms=last_modified,
        surrogate_keys=" ".join(keys),
        media_type=form.media_type,
    )


async def news_sitemap(
    store: ReadStore, code: str, *, country: str | None, now: int, base: str
) -> Answer:
    """A service's articles of the last 48 hours a reader in ``country`` may see."""
    service = await find_service(store, code)
    filters, params = _visibility(service, country, now)
    params["since"] = now - sitemap.WINDOW_MS
    params["limit"] = sitemap.MAX_URLS
    rows = await store.all(repository.sitemap_query(frozenset(filters)), params)
    urls = []
    validators: list[object] = ["sitemap", base, service.name]
    for article_id, etag, _, _, teaser, _ in rows:
        key = ("sitemap", article_id, etag, base, service.name)
        fragment = _URLS.get(key)
        if fragment is None:
            fragment = sitemap.url_entry(orjson.loads(teaser + "}"), base, service.name)
            _URLS.put(key, fragment)
        urls.append(fragment)
        validators.append([article_id, etag])
    last_modified = max([service.updated_ms, *(max(row[2], row[3]) for row in rows)])
    # A sitemap names up to a thousand articles: their keys would outgrow what a
    # CDN takes in one header. The service's key covers them all.
    return Answer(
        body="".join((sitemap.DOCUMENT_HEAD, *urls, sitemap.DOCUMENT_TAIL)).encode(),
        etag=_digest(validators),
        last_modified_ms=last_modified,
        surrogate_keys=f"sitemap-{code} service-{code}",
        media_type=sitemap.MEDIA_TYPE,
        expires_ms=min(row[5] for row in rows) + sitemap.WINDOW_MS if rows else None,
    )
