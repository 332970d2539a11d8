"""Answering an article or a video as ninjs or JSON-LD.

Each is made from the JSON representation the same request gets, after every
rule of the JSON read has applied (404, 451, notices and video availability for
the reader's country, translations public now): the formats cannot disagree
with it. Their ETags are the hashes of their own bytes, so each format has its
own strong validator, and they keep the JSON read's Last-Modified, Vary and
Surrogate-Key.
"""

from collections.abc import Callable
from typing import Any, Literal

import orjson
from starlette.requests import Request
from starlette.responses import Response

from app.config import Settings
from app.editions.service import service_item
from app.errors import BadRequest, NotFound
from app.formats import jsonld, ninjs
from app.formats.links import Links
from app.formats.schemas import MEDIA_TYPES, Format
from app.http.caching import Representation, body_etag, public_answer, public_response
from app.http.writes import PRIVATE
from app.readstore import ReadStore

Kind = Literal["article", "video"]


def check_fields(fmt: Format, names: list[str] | None) -> None:
    if fmt != "json" and names is not None:
        raise BadRequest(
            "fields= trims the JSON representation only; leave it out with format=.",
            errors=[{"location": "query", "field": "fields", "message": "not with format"}],
        )


def links_for(request: Request, settings: Settings) -> Links:
    return Links((settings.base_url or str(request.base_url)).rstrip("/"))


async def _service(store: ReadStore, code: str) -> tuple[dict[str, Any] | None, int | None]:
    try:
        body, updated_ms = await service_item(store, code)
    except NotFound:
        return None, None
    return orjson.loads(body), updated_ms


async def render(
    doc: dict[str, Any], fmt: Format, kind: Kind, links: Links, store: ReadStore
) -> tuple[bytes, int | None]:
    """The document in ``fmt``, and when what it adds (the publisher) last changed."""
    if fmt == "ninjs":
        build: Callable[[dict[str, Any], Links], dict[str, Any]] = (
            ninjs.article_document if kind == "article" else ninjs.video_document
        )
        return orjson.dumps(build(doc, links)), None
    service, updated_ms = await _service(store, doc["service"])
    if kind == "article":
        return orjson.dumps(jsonld.article_document(doc, links, service)), updated_ms
    return orjson.dumps(jsonld.video_document(doc, links, service)), updated_ms


async def public_format(
    request: Request,
    found: Representation,
    fmt: Format,
    kind: Kind,
    store: ReadStore,
    settings: Settings,
) -> Response:
    """The public answer in the asked format (JSON: as the read service found it)."""
    if fmt == "json":
        return public_answer(request, found, settings)
    body, changed_ms = await render(
        orjson.loads(found.body), fmt, kind, links_for(request, settings), store
    )
    last_modified = found.last_modified_ms
    if changed_ms is not None and last_modified is not None:
        last_modified = max(last_modified, changed_ms)
    return public_response(
        request,
        body,
        settings=settings,
        last_modified_ms=last_modified,
        surrogate_keys=found.surrogate_keys,
        vary_country=found.vary_country,
        media_type=MEDIA_TYPES[fmt],
    )


async def private_format(
    request: Request,
    answer: Response,
    fmt: Format,
    kind: Kind,
    store: ReadStore,
    settings: Settings,
) -> Response:
    """The editors' live representation in the asked format: private, with the
    hash of its bytes as ETag (If-Match takes the JSON one)."""
    if fmt == "json" or answer.status_code != 200:
        return answer
    body, _ = await render(
        orjson.loads(bytes(answer.body)), fmt, kind, links_for(request, settings), store
    )
    headers = {"Cache-Control": PRIVATE, "ETag": f'"{body_etag(body)}"'}
    if "last-modified" in answer.headers:
        headers["Last-Modified"] = answer.headers["last-modified"]
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)
