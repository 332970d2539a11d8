"""Public feeds (RSS, Atom, JSON Feed) and Google News sitemaps of each service."""

import gzip
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from app.config import Settings
from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES
from app.feeds import atom, jsonfeed, rss, service, sitemap
from app.feeds.schemas import JsonFeed
from app.http.caching import public_response
from app.http.frontcache import expires_at
from app.http.reader import reader
from app.kit.fields import CODE_PATTERN, SLUG_PATTERN
from app.kit.timeutil import now_ms

router = APIRouter(tags=["feeds"])

ServiceCode = Annotated[str, Path(pattern=CODE_PATTERN, description="The service's code.")]
SectionFilter = Annotated[
    str | None,
    Query(pattern=SLUG_PATTERN, description="Only this section of the service (its slug)."),
]
TagFilter = Annotated[
    str | None, Query(pattern=SLUG_PATTERN, description="Only articles with this tag (its slug).")
]


class JsonFeedResponse(JSONResponse):
    """Declares JSON Feed's media type in the spec (the body is built elsewhere)."""

    media_type = jsonfeed.MEDIA_TYPE


# Problems are problem+json only, whatever the success's media type.
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {
        "description": spec["description"],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status, spec in PROBLEM_RESPONSES.items()
}


def _xml(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": description, "content": {media_type: {"schema": {"type": "string"}}}},
        **PROBLEMS,
    }


def _base(request: Request) -> str:
    configured: str = request.app.state.settings.base_url
    return configured.rstrip("/") or f"{request.url.scheme}://{request.url.netloc}"


def _respond(request: Request, settings: Settings, answer: service.Answer) -> Response:
    body, etag = answer.body, answer.etag
    headers = {"Vary": f"{settings.country_header}, Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        # A strong validator names one encoding of the body (RFC 9110 8.8.3).
        body, etag = gzip.compress(body, compresslevel=6, mtime=0), f"{answer.etag}-gzip"
        headers["Content-Encoding"] = "gzip"
    if answer.expires_ms is not None:
        expires_at(request, answer.expires_ms)
    return public_response(
        request,
        body,
        settings=settings,
        etag=etag,
        last_modified_ms=answer.last_modified_ms,
        surrogate_keys=answer.surrogate_keys,
        media_type=answer.media_type,
        extra_headers=headers,
    )


async def _feed(
    request: Request, fmt: str, code: str, section: str | None, tag: str | None
) -> Response:
    store, settings, country = reader(request)
    base = _base(request)
    query = urlencode([(k, v) for k, v in (("section", section), ("tag", tag)) if v is not None])
    answer = await service.feed(
        store,
        fmt,
        code,
        section=section,
        tag=tag,
        country=country,
        now=now_ms(),
        base=base,
        self_url=base + request.url.path + (f"?{query}" if query else ""),
    )
    return _respond(request, settings, answer)


@router.get(
    "/v1/feeds/{code}/rss.xml",
    operation_id="get_rss_feed",
    response_class=Response,
    responses=_xml(rss.MEDIA_TYPE, "RSS 2.0 with Media RSS: the latest 50 articles"),
)
async def get_rss_feed(
    request: Request, code: ServiceCode, section: SectionFilter = None, tag: TagFilter = None
) -> Response:
    """The service's latest articles as RSS 2.0."""
    return await _feed(request, "rss", code, section, tag)


@router.get(
    "/v1/feeds/{code}/atom.xml",
    operation_id="get_atom_feed",
    response_class=Response,
    responses=_xml(atom.MEDIA_TYPE, "Atom 1.0: the latest 50 articles"),
)
async def get_atom_feed(
    request: Request, code: ServiceCode, section: SectionFilter = None, tag: TagFilter = None
) -> Response:
    """The service's latest articles as Atom 1.0."""
    return await _feed(request, "atom", code, section, tag)


@router.get(
    "/v1/feeds/{code}/feed.json",
    operation_id="get_json_feed",
    response_class=JsonFeedResponse,
    responses={
        200: {"description": "JSON Feed 1.1: the latest 50 articles", "model": JsonFeed},
        **PROBLEMS,
    },
)
async def get_json_feed(
    request: Request, code: ServiceCode, section: SectionFilter = None, tag: TagFilter = None
) -> Response:
    """The service's latest articles as JSON Feed 1.1."""
    return await _feed(request, "json", code, section, tag)


@router.get(
    "/v1/sitemaps/{code}/news.xml",
    operation_id="get_news_sitemap",
    response_class=Response,
    responses=_xml(sitemap.MEDIA_TYPE, "A Google News sitemap: articles of the last 48 hours"),
)
async def get_news_sitemap(request: Request, code: ServiceCode) -> Response:
    """The service's articles of the last 48 hours as a Google News sitemap."""
    store, settings, country = reader(request)
    answer = await service.news_sitemap(
        store, code, country=country, now=now_ms(), base=_base(request)
    )
    return _respond(request, settings, answer)
