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

from app.errors import AppError, app_error_response

_TEMPLATES = {
    None: "/v1/articles/{article_id}",
    "/summary": "/v1/articles/{article_id}/summary",
    "/related-videos": "/v1/articles/{article_id}/related-videos",
}
_ARTICLE = re.compile(r"^/v1/articles/([1-9][0-9]{0,17})(/summary|/related-videos)?$")
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


def _article_handler(reads: ArticleReads, path: str, query: bytes) -> Handler | None:
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


def _template(path: str) -> str:
    for suffix in ("/summary", "/related-videos"):
        if path.endswith(suffix):
            return _TEMPLATES[suffix]
    return _TEMPLATES[None]


class FastPathMiddleware:
    def __init__(self, app: ASGIApp, reads: ArticleReads) -> None:
        self.app = app
        self.reads = reads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = None
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if path.startswith("/v1/articles") and not any(
                name == b"authorization" for name, _ in scope["headers"]
            ):
                if path == "/v1/articles":
                    handler = _list_handler(self.reads, scope["query_string"])
                else:
                    handler = _article_handler(self.reads, path, scope["query_string"])
        if handler is None:
            await self.app(scope, receive, send)
            return
        scope["masthead.route"] = (
            "/v1/articles" if scope["path"] == "/v1/articles" else _template(scope["path"])
        )
        request = Request(scope, receive)
        try:
            response = await handler(request)
        except AppError as error:
            response = app_error_response(request, error)
        await response(scope, receive, send)
