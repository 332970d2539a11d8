"""The hottest public reads, answered before FastAPI's routing and dependency
resolution, which cost several times the read itself.

Only the plain, valid shape of a request takes this path: a GET (a HEAD comes
as one, see ``HeadAsGetMiddleware``) without credentials whose path and query
parse cleanly. Everything else (a token, an unexpected or malformed parameter)
goes on to the FastAPI route, which validates it and answers exactly as
documented. Both call the same endpoint functions, so a response is the same
whichever way it came.
"""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import AppError, app_error_response, database_error_response

_TEMPLATES = {
    None: "/v1/articles/{article_id}",
    "/summary": "/v1/articles/{article_id}/summary",
    "/related-videos": "/v1/articles/{article_id}/related-videos",
    "/related": "/v1/articles/{article_id}/related",
}
_ARTICLE = re.compile(r"^/v1/articles/([1-9][0-9]{0,17})(/summary|/related-videos|/related)?$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_LIMIT = re.compile(r"^[1-9][0-9]{0,2}$")
_SORTS = frozenset({"-published_at", "published_at", "-updated_at"})
_MAX_ID = 2**62

Handler = Callable[[Request], Awaitable[Response]]
ItemRead = Callable[[Request, int], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class ArticleReads:
    """The endpoint functions of the article reads the fast path answers."""

    list_articles: Callable[..., Awaitable[Response]]
    get_article: ItemRead
    get_article_summary: ItemRead
    list_related_videos: ItemRead


FeedRead = Callable[..., Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class SearchReads:
    """The endpoint functions of search and related articles, and the longest query."""

    search: Callable[..., Awaitable[Response]]
    related_articles: ItemRead
    max_query: int


@dataclass(frozen=True, slots=True)
class FeedReads:
    """The endpoint functions of the feeds, news sitemaps and breaking list."""

    rss: FeedRead
    atom: FeedRead
    json_feed: FeedRead
    news_sitemap: FeedRead
    breaking: FeedRead


def _article_handler(
    reads: ArticleReads, search: SearchReads, path: str, query: bytes
) -> Handler | None:
    match = _ARTICLE.match(path)
    if match is None or query:
        return None
    article_id = int(match.group(1))
    if article_id > _MAX_ID:
        return None
    tail = match.group(2)
    if tail is None:
        return lambda request: reads.get_article(request, article_id)
    if tail == "/summary":
        return lambda request: reads.get_article_summary(request, article_id)
    if tail == "/related":
        return lambda request: search.related_articles(request, article_id)
    return lambda request: reads.list_related_videos(request, article_id)


def _list_handler(reads: ArticleReads, query: bytes) -> Handler | None:
    try:
        pairs = parse_qsl(query.decode("ascii"), keep_blank_values=True, strict_parsing=bool(query))
    except (UnicodeDecodeError, ValueError):
        return None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params or name not in ("service", "limit", "cursor", "sort"):
            return None
        params[name] = value
    service = params.get("service")
    if service is not None and not _CODE.match(service):
        return None
    limit = params.get("limit", "20")
    if not _LIMIT.match(limit) or int(limit) > 100:
        return None
    cursor = params.get("cursor")
    if cursor is not None and not 0 < len(cursor) <= 200:
        return None
    sort = params.get("sort", "-published_at")
    if sort not in _SORTS:
        return None
    arguments: dict[str, Any] = {
        "service": service,
        "limit": int(limit),
        "cursor": cursor,
        "sort": sort,
    }
    return lambda request: reads.list_articles(request, **arguments)


_FEED = re.compile(r"^/v1/feeds/([a-z0-9][a-z0-9-]{0,31})/(rss\.xml|atom\.xml|feed\.json)$")
_SITEMAP = re.compile(r"^/v1/sitemaps/([a-z0-9][a-z0-9-]{0,31})/news\.xml$")
# ASCII slugs only; anything else is left to the route's own validation.
_SLUG = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


def _feed_handler(reads: FeedReads, path: str, query: bytes) -> tuple[str, Handler] | None:
    """Feeds (with ``section`` and ``tag``) and news sitemaps (no parameters)."""
    sitemap = _SITEMAP.match(path)
    if sitemap is not None:
        if query:
            return None
        code = sitemap.group(1)
        return "/v1/sitemaps/{code}/news.xml", lambda request: reads.news_sitemap(request, code)
    match = _FEED.match(path)
    if match is None:
        return None
    try:
        pairs = parse_qsl(query.decode("ascii"), keep_blank_values=True, strict_parsing=bool(query))
    except (UnicodeDecodeError, ValueError):
        return None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params or name not in ("section", "tag") or not _SLUG.match(value):
            return None
        params[name] = value
    code, name = match.group(1), match.group(2)
    endpoint = {"rss.xml": reads.rss, "atom.xml": reads.atom, "feed.json": reads.json_feed}[name]
    return f"/v1/feeds/{{code}}/{name}", lambda request: endpoint(
        request, code, section=params.get("section"), tag=params.get("tag")
    )


def _breaking_handler(reads: FeedReads, query: bytes) -> Handler | None:
    """The breaking list, of every service or of one (``service`` alone)."""
    if not query:
        return lambda request: reads.breaking(request)
    name, _, value = query.partition(b"=")
    try:
        code = value.decode("ascii")
    except UnicodeDecodeError:
        return None
    if name != b"service" or not _CODE.match(code):
        return None
    return lambda request: reads.breaking(request, service=code)


_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_SEARCH_SORTS = frozenset({"relevance", "-published_at"})
_TYPES = frozenset({"article", "video"})


def _search_handler(reads: SearchReads, query: bytes) -> Handler | None:
    """A search by words with the service, language, type, sort, limit and cursor."""
    try:
        pairs = parse_qsl(
            query.decode("ascii"), keep_blank_values=True, strict_parsing=True, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        return None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params or name not in _SEARCH_PARAMETERS:
            return None
        params[name] = value
    q = params.get("q", "")
    if not 0 < len(q) <= reads.max_query:
        return None
    for name, pattern in (("service", _CODE), ("language", _LANGUAGE)):
        if name in params and not pattern.match(params[name]):
            return None
    limit = params.get("limit", "20")
    if not _LIMIT.match(limit) or int(limit) > 100:
        return None
    cursor = params.get("cursor")
    if cursor is not None and not 0 < len(cursor) <= 300:
        return None
    sort = params.get("sort", "relevance")
    kind = params.get("type")
    if sort not in _SEARCH_SORTS or (kind is not None and kind not in _TYPES):
        return None
    arguments: dict[str, Any] = {
        "q": q,
        "service": params.get("service"),
        "language": params.get("language"),
        "type": kind,
        "sort": sort,
        "limit": int(limit),
        "cursor": cursor,
    }
    return lambda request: reads.search(request, **arguments)


_SEARCH_PARAMETERS = frozenset({"q", "service", "language", "type", "sort", "limit", "cursor"})


def _template(path: str) -> str:
    for suffix in ("/summary", "/related-videos", "/related"):
        if path.endswith(suffix):
            return _TEMPLATES[suffix]
    return _TEMPLATES[None]


class FastPathMiddleware:
    def __init__(
        self, app: ASGIApp, reads: ArticleReads, feeds: FeedReads, search: SearchReads
    ) -> None:
        self.app = app
        self.reads = reads
        self.feeds = feeds
        self.search = search

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = None
        template = ""
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            anonymous = not any(name == b"authorization" for name, _ in scope["headers"])
            if path.startswith("/v1/articles") and anonymous:
                if path == "/v1/articles":
                    handler = _list_handler(self.reads, scope["query_string"])
                    template = path
                else:
                    handler = _article_handler(self.reads, self.search, path, scope["query_string"])
                    template = _template(path)
            elif path == "/v1/search" and anonymous:
                handler = _search_handler(self.search, scope["query_string"])
                template = path
            elif path == "/v1/breaking" and anonymous:
                handler = _breaking_handler(self.feeds, scope["query_string"])
                template = path
            elif path.startswith(("/v1/feeds/", "/v1/sitemaps/")) and anonymous:
                found = _feed_handler(self.feeds, path, scope["query_string"])
                if found is not None:
                    template, handler = found
        if handler is None:
            await self.app(scope, receive, send)
            return
        scope["masthead.route"] = template
        request = Request(scope, receive)
        try:
            response = await handler(request)
        except AppError as error:
            response = app_error_response(request, error)
        except Exception as error:
            unavailable = database_error_response(request, error)
            if unavailable is None:
                raise
            response = unavailable
        await response(scope, receive, send)
