"""Hot public reads answered from memory, before anything else of the application runs.

An anonymous GET of a public read is kept as its response was sent: status, headers,
body, ETag, and its gzip encoding once a client asks for it. It is kept by
everything the answer depends on: scheme, host (links are absolute), path, query
string and the reader's country (from the configured header, as the reads see it).
A request with credentials is never answered from memory, and only a response
marked ``public`` with a strong ETag, varying by nothing but the country and the
encoding, is kept.

A kept answer holds exactly as long as what it was made from:

* until a write committed by any process on the host changes it. The store's
  version (see ``app.storeversion``) is read with every request; when it moves, the
  change log says which items' public answers changed since (``changed_since``).
  The answers about one item (an article, its summary and related videos, a
  video), made from its rendering alone, are dropped when that item or a video
  they show changed. The answers about one service's items (a list, a feed or a
  sitemap of one service, whose surrogate keys name that one service), when an
  item of that service or one they show changed; every other answer (search,
  related articles, lists of every service) when anything did. A write the log
  does not describe (a notice, a service, a section, an item moving to another
  service...) drops everything;
* until the next moment the clock alone changes some public answer (a scheduled
  publication, an embargo's end, a breaking flag's expiry, a video's availability
  window, a notice's period), found with one query each time the version moves;
  then everything is dropped;
* until the moment the read itself named with ``expires_at`` (a window sliding
  with the clock, a ranking aging).

Memory is bounded in bytes; the least recently used answers go first. Requests
that miss the same answer at the same version while it is being made wait for
that one answer; an answer made while the version moved is kept only if nothing
it was made from changed meanwhile.
"""

import asyncio
import gzip
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import lru_cache

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.middleware import accepts_gzip
from app.readstore import ReadStore
from app.storeversion import SQLiteVersion, StoreVersion, store_version

#: Where a read names the moment its answer stops holding (epoch ms).
EXPIRES = "masthead.expires_ms"
#: Where the server notes when a request's head had arrived (``time.monotonic_ns``).
ARRIVED = "masthead.arrived_ns"
#: Below this many bytes an answer is not worth compressing (as ``GZipMiddleware``).
GZIP_MINIMUM = 1000
_CREDENTIALS = frozenset({b"authorization", b"proxy-authorization", b"cookie"})
_CONDITIONAL = frozenset({b"accept-encoding", b"if-none-match", b"if-modified-since"})
_NOT_KEPT = frozenset({b"content-length", b"etag", b"set-cookie", b"content-encoding"})
_COUNTRY = re.compile(rb"^[A-Z]{2}$")
_GET = frozenset({"GET"})
_NEVER = 2**63
#: What an entry costs beyond its body and headers (objects, lists, key), and each
#: header beyond its bytes, as measured with ``sys.getsizeof``, roughly.
_OVERHEAD = 1200
_PER_HEADER = 160

#: The answers about one item, made from its rendering alone: the prefix of the
#: item's key in the change log, and which segment of the path is its id.
ITEM_ROUTES = {
    "/v1/articles/{article_id}": ("article-", 3),
    "/v1/articles/{article_id}/summary": ("article-", 3),
    "/v1/articles/{article_id}/related-videos": ("article-", 3),
    "/v1/videos/{video_id}": ("video-", 3),
}
#: The surrogate keys that name an item as the change log does.
_ITEM_KEYS = ("article-", "video-")
#: How many version moves an answer being made may span and still be kept.
_HISTORY = 64

ClockBoundary = Callable[[ReadStore, int], Awaitable[int | None]]
#: Where the change log stands (its last number and its purges).
Mark = tuple[int, int]
#: The items whose public answers changed since a mark (``article-1``, ``video-7``),
#: None when anything may have, and the new mark.
ChangedSince = Callable[
    [ReadStore, Mark | None], Awaitable[tuple[Mark | None, frozenset[str] | None]]
]


def expires_at(request: Request, moment_ms: int) -> None:
    """Tell the front cache that this answer may change by itself at ``moment_ms``."""
    found = request.scope.get(EXPIRES)
    request.scope[EXPIRES] = moment_ms if found is None else min(found, moment_ms)


def country_code(value: bytes | None) -> bytes | None:
    """The ISO 3166 code a country header names; unknown values mean no country."""
    if value is None:
        return None
    value = value.strip().upper()
    return value if _COUNTRY.match(value) and value not in (b"XX", b"T1") else None


def _etag_matches(header: bytes, etag: bytes) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2)."""
    for candidate in header.split(b","):
        candidate = candidate.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == etag:
            return True
    return False


@lru_cache(maxsize=4096)
def _http_seconds(value: bytes) -> int | None:
    # Each kept answer's Last-Modified is parsed once it is made: the same few
    # moments (the stored renderings' dates) over and over.
    try:
        moment = parsedate_to_datetime(value.decode("latin-1"))
    except (TypeError, ValueError, IndexError):
        return None
    return None if moment.tzinfo is None else int(moment.timestamp())


@dataclass(slots=True)
class Variant:
    body: bytes
    etag: bytes
    ok_headers: list[tuple[bytes, bytes]]
    not_modified_headers: list[tuple[bytes, bytes]]


@dataclass(slots=True)
class Asked:
    """What an anonymous request asks of the kept answers: the answer's key, and
    how the client takes it."""

    key: Hashable
    gzip: bool
    if_none_match: bytes | None
    if_modified_since: bytes | None
    #: The client's X-Request-ID, as sent.
    request_id: bytes | None


@dataclass(slots=True)
class Entry:
    """One kept answer, in each encoding made so far."""

    epoch: int
    expires_ms: int
    headers: list[tuple[bytes, bytes]]
    identity: Variant
    last_modified_s: int | None
    route: object
    compressible: bool
    #: The items the answer was made from (its surrogate keys), with the service
    #: of a collection scoped to one; None for an answer that any change may alter.
    items: frozenset[str] | None = None
    gzipped: Variant | None = None
    size: int = field(default=0)
    kept: bool = False


def _variant(
    headers: list[tuple[bytes, bytes]], body: bytes, etag: bytes, encoding: bytes | None
) -> Variant:
    extra = [(b"etag", etag)]
    if encoding is not None:
        extra.append((b"content-encoding", encoding))
    not_modified = [(name, value) for name, value in headers if name != b"content-type"] + extra
    ok = [*headers, *extra, (b"content-length", str(len(body)).encode())]
    return Variant(body, etag, ok, not_modified)


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers with Accept-Encoding in Vary (the answer has two encodings)."""
    out, found = [], False
    for name, value in headers:
        if name == b"vary":
            found = True
            names = [part.strip() for part in value.split(b",")]
            if b"accept-encoding" not in (part.lower() for part in names):
                value = b", ".join([*names, b"Accept-Encoding"])
        out.append((name, value))
    if not found:
        out.append((b"vary", b"Accept-Encoding"))
    return out


class FrontCache:
    """The kept answers of one process, and the version they were made at."""

    def __init__(
        self,
        max_bytes: int,
        clock_boundary: ClockBoundary,
        changed_since: ChangedSince,
        country_header: str,
    ) -> None:
        self.max_bytes = max_bytes
        self.clock_boundary = clock_boundary
        self.changed_since = changed_since
        self.country_header = country_header.lower().encode()
        self.bytes = 0
        #: Requests answered from memory, and those that were kept after being made.
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        #: The kept answers by the items they were made from, and those any
        #: change may alter.
        self._by_item: dict[str, set[Hashable]] = {}
        self._collections: set[Hashable] = set()
        self._making: dict[Hashable, asyncio.Future[Entry | None]] = {}
        self._store: ReadStore | None = None
        self._version: StoreVersion | None = None
        self._seen: int | None = None
        self._mark: Mark | None = None
        self._epoch = 0
        #: By epoch, the items that changed as it began (None: anything).
        self._changes: OrderedDict[int, frozenset[str] | None] = OrderedDict()
        self._boundary = 0
        self._checking: asyncio.Lock | None = None
        #: The last reading of the version, and when it began (monotonic ns).
        self._read: int | None = None
        self._read_ns = 0
        self._shared_reads = False

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0 and self._version is not None

    async def open(self, store: ReadStore) -> None:
        if self.max_bytes <= 0:
            return
        self._store = store
        self._checking = asyncio.Lock()
        version = store_version(store)
        await version.open()
        self._version = version
        # SQLite's version is a statement on the read connection; a listener's is
        # an attribute, read every time.
        self._shared_reads = isinstance(version, SQLiteVersion)

    async def close(self) -> None:
        if self._version is not None:
            version, self._version = self._version, None
            await version.close()
        self.clear()

    def clear(self) -> None:
        for entry in self._entries.values():
            entry.kept = False
        self._entries.clear()
        self._by_item.clear()
        self._collections.clear()
        self.bytes = 0

    async def epoch(self, now: int, arrived_ns: int | None = None) -> int | None:
        """The epoch answers made now belong to. It moves when the store's version
        moves, dropping what the changes since altered, or when the clock passes a
        boundary, dropping everything. None: nothing may be kept or served now.

        ``arrived_ns`` is when the request had arrived: a version read since then
        already sees every write the client can have seen committed, so requests
        arriving together share one reading of SQLite's version."""
        assert self._version is not None and self._store is not None
        if arrived_ns is not None and arrived_ns < self._read_ns and self._shared_reads:
            seen = self._read
        else:
            began = time.monotonic_ns()
            seen = self._version.current()
            self._read, self._read_ns = seen, began
        if seen is None:
            self.clear()
            self._mark = None
            return None
        if seen == self._seen and now < self._boundary:
            return self._epoch
        assert self._checking is not None
        async with self._checking:
            if seen == self._seen and now < self._boundary:
                return self._epoch
            mark, changed = await self.changed_since(self._store, self._mark)
            boundary = await self.clock_boundary(self._store, now)
            items = None if now >= self._boundary else changed
            if items is None:
                self.clear()
            elif items:
                self._drop_changed(items)
            self._epoch += 1
            self._changes[self._epoch] = items
            if len(self._changes) > _HISTORY:
                self._changes.popitem(last=False)
            self._seen = seen
            self._mark = mark
            self._boundary = _NEVER if boundary is None else boundary
            return self._epoch

    def _drop_changed(self, items: frozenset[str]) -> None:
        for key in list(self._collections):
            self._drop(key)
        for item in items:
            for key in list(self._by_item.get(item, ())):
                self._drop(key)

    def _unchanged_since(self, entry: Entry) -> bool:
        """Whether nothing the answer was made from changed after its epoch."""
        for epoch in range(entry.epoch + 1, self._epoch + 1):
            if epoch not in self._changes:
                return False
            items = self._changes[epoch]
            if items is None or (items and (entry.items is None or entry.items & items)):
                return False
        return True

    def get(self, key: Hashable, epoch: int, now: int) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if now >= entry.expires_ms:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, entry: Entry) -> None:
        if entry.epoch != self._epoch:
            if not self._unchanged_since(entry):
                return  # made from what has changed since
            entry.epoch = self._epoch
        if key in self._entries:
            self._drop(key)
        entry.size = len(entry.identity.body) + _OVERHEAD
        for name, value in entry.identity.ok_headers:
            entry.size += _PER_HEADER + len(name) + len(value)
        if entry.size > self.max_bytes // 8:
            return
        self._entries[key] = entry
        entry.kept = True
        self.bytes += entry.size
        if entry.items is None:
            self._collections.add(key)
        else:
            for item in entry.items:
                self._by_item.setdefault(item, set()).add(key)
        self._shrink()

    def gzipped(self, entry: Entry) -> Variant:
        if entry.gzipped is None:
            body = gzip.compress(entry.identity.body, compresslevel=6, mtime=0)
            etag = entry.identity.etag[:-1] + b'-gzip"'
            entry.gzipped = _variant(entry.headers, body, etag, b"gzip")
            if entry.kept:
                entry.size += len(body)
                self.bytes += len(body)
                self._shrink()
        return entry.gzipped

    def serves(self, scope: Scope, methods: frozenset[str] = _GET) -> bool:
        """Whether the request is one a kept answer may answer (a GET of a public read)."""
        return (
            scope["type"] == "http"
            and scope["method"] in methods
            and self.enabled
            and _is_kept_path(scope["path"])
        )

    def request(self, scope: Scope) -> Asked | None:
        """What the request asks, from its headers; None when it carries credentials."""
        country = host = if_none_match = if_modified_since = request_id = None
        gzip_accepted = False
        country_header = self.country_header
        for name, value in scope["headers"]:
            if name in _CREDENTIALS:
                return None
            if name == country_header:
                country = country_code(value)
            elif name == b"host":
                host = value
            elif name == b"accept-encoding":
                gzip_accepted = accepts_gzip([(name, value)])
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"if-modified-since":
                if_modified_since = value
            elif name == b"x-request-id":
                request_id = value
        key = (scope["scheme"], host, scope["path"], scope["query_string"], country)
        return Asked(key, gzip_accepted, if_none_match, if_modified_since, request_id)

    def answer(self, entry: Entry, asked: Asked, now: int) -> tuple[int, Variant]:
        """The status (200, or 304 to a fresh validator) and the encoding to send."""
        variant = entry.identity
        if asked.gzip and entry.compressible:
            variant = self.gzipped(entry)
        if asked.if_none_match is not None:
            fresh = _etag_matches(asked.if_none_match, variant.etag)
        elif asked.if_modified_since is not None and entry.last_modified_s is not None:
            since = _http_seconds(asked.if_modified_since)
            # A date later than the server's clock is not valid (RFC 9110 8.8.2.1).
            fresh = since is not None and entry.last_modified_s <= since <= now // 1000
        else:
            fresh = False
        return (304 if fresh else 200), variant

    def _drop(self, key: Hashable) -> None:
        self._forget(key, self._entries.pop(key))

    def _forget(self, key: Hashable, entry: Entry) -> None:
        entry.kept = False
        self.bytes -= entry.size
        if entry.items is None:
            self._collections.discard(key)
            return
        for item in entry.items:
            keys = self._by_item.get(item)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_item[item]

    def _shrink(self) -> None:
        while self.bytes > self.max_bytes and self._entries:
            self._forget(*self._entries.popitem(last=False))


def _items(route: object, scope: Scope, surrogate_keys: bytes | None) -> frozenset[str] | None:
    """What an answer was made from, as the change log names it. About one item: the
    item named by the path and the items its surrogate keys name (the videos an
    article shows). About one service's items (its keys name one service): that
    service and the items its keys name (those it shows of other services). None
    for the other answers."""
    keys = (surrogate_keys or b"").decode("latin-1").split()
    items = [key for key in keys if key.startswith(_ITEM_KEYS)]
    found = ITEM_ROUTES.get(route) if isinstance(route, str) else None
    if found is not None:
        prefix, segment = found
        return frozenset([prefix + scope["path"].split("/")[segment], *items])
    services = [key for key in keys if key.startswith("service-")]
    if len(services) != 1:
        return None
    return frozenset([*services, *items])


def _is_kept_path(path: str) -> bool:
    """The public reads whose dependence on the clock the boundaries cover (the
    breaking list, never its endless event stream)."""
    return path == "/v1/breaking" or path.startswith(
        ("/v1/articles", "/v1/search", "/v1/feeds/", "/v1/sitemaps/", "/v1/videos")
    )


class FrontCacheMiddleware:
    def __init__(self, app: ASGIApp, cache: FrontCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache = self.cache
        if not cache.serves(scope):
            await self.app(scope, receive, send)
            return
        request = cache.request(scope)
        if request is None:
            await self.app(scope, receive, send)
            return
        now = int(time.time() * 1000)
        epoch = await cache.epoch(now, scope.get(ARRIVED))
        if epoch is None:
            await self.app(scope, receive, send)
            return
        key = request.key
        entry = cache.get(key, epoch, now)
        if entry is None:
            making = cache._making.get((key, epoch))
            if making is not None:
                entry = await asyncio.shield(making)
            if entry is None:
                entry = await self._make(scope, receive, send, key, epoch, now)
                if entry is None:
                    return  # answered as it came
        else:
            cache.hits += 1
            scope["masthead.route"] = entry.route
        status, variant = cache.answer(entry, request, now)
        if status == 304:
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": variant.not_modified_headers,
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": variant.ok_headers})
        await send({"type": "http.response.body", "body": variant.body})

    async def _make(
        self, scope: Scope, receive: Receive, send: Send, key: Hashable, epoch: int, now: int
    ) -> Entry | None:
        """The answer made by the application as for a plain request (no validators,
        no compression), kept if it may be; None when it was sent as it came."""
        cache = self.cache
        future: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        cache._making[(key, epoch)] = future
        inner = dict(scope)
        inner["headers"] = [(n, v) for n, v in scope["headers"] if n not in _CONDITIONAL]
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        entry = None
        try:
            await self.app(inner, receive, capture)
            for name in inner.keys() - scope.keys():
                scope[name] = inner[name]
            assert start is not None
            body = b"".join(chunks)
            entry = self._entry(start, body, inner, epoch, now)
            if entry is not None:
                cache.misses += 1
                cache.put(key, entry)
        finally:
            # Waiters that were given no answer make their own, each under this key:
            # only the one still registered is removed.
            if cache._making.get((key, epoch)) is future:
                del cache._making[(key, epoch)]
            future.set_result(entry)
        if entry is None:
            await send(start)
            await send({"type": "http.response.body", "body": body})
        return entry

    def _entry(
        self, start: Message, body: bytes, scope: Scope, epoch: int, now: int
    ) -> Entry | None:
        if start["status"] != 200:
            return None
        expires = scope.get(EXPIRES, _NEVER)
        if expires <= now:
            return None
        headers: list[tuple[bytes, bytes]] = []
        etag = cache_control = last_modified = surrogate_keys = None
        for name, value in start.get("headers", []):
            name = name.lower()
            if name in _NOT_KEPT:
                if name == b"etag":
                    etag = value
                elif name != b"content-length":
                    return None  # cookies, or an encoding made inside
                continue
            if name == b"cache-control":
                cache_control = value
            elif name == b"surrogate-key":
                surrogate_keys = value
            elif name == b"last-modified":
                last_modified = value
            elif name == b"vary":
                for part in value.split(b","):
                    if part.strip().lower() not in (self.cache.country_header, b"accept-encoding"):
                        return None
            headers.append((name, value))
        if (
            etag is None
            or etag.startswith(b"W/")
            or cache_control is None
            or not cache_control.startswith(b"public")
        ):
            return None
        compressible = len(body) >= GZIP_MINIMUM
        if compressible:
            headers = _with_vary(headers)
        route = scope.get("masthead.route") or getattr(scope.get("route"), "path", None)
        return Entry(
            epoch=epoch,
            expires_ms=expires,
            headers=headers,
            identity=_variant(headers, body, etag, None),
            last_modified_s=None if last_modified is None else _http_seconds(last_modified),
            route=route,
            compressible=compressible,
            items=_items(route, scope, surrogate_keys),
        )
