"""The public change feed."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from app.changes import service as changes
from app.changes.schemas import ChangeOut, ChangePage
from app.errors import PROBLEM_RESPONSES
from app.http.caching import body_etag, public_response
from app.http.fields import Fields, parse_fields, trim_list
from app.http.pagination import decode_cursor, encode_cursor, next_link
from app.http.reader import reader

router = APIRouter(tags=["changes"])

CODE = r"^[a-z0-9][a-z0-9-]{0,31}$"
CURSOR_KIND = "changes"
CHANGE_FIELDS = frozenset(ChangeOut.model_fields)


@router.get(
    "/v1/changes",
    operation_id="list_changes",
    response_model=ChangePage,
    responses=PROBLEM_RESPONSES,
)
async def list_changes(
    request: Request,
    service: Annotated[str | None, Query(pattern=CODE)] = None,
    type: Annotated[Literal["article", "video"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="The `next_cursor` last received; none: from the start."),
    ] = None,
    fields: Fields = None,
) -> Response:
    """Every change of the public store in commit order, after the cursor."""
    names = parse_fields(fields, CHANGE_FIELDS)
    store, settings, country = reader(request)
    after = decode_cursor(cursor, CURSOR_KIND)[0] if cursor is not None else 0
    if await changes.anything_due(store):
        await run_in_threadpool(changes.materialise, request.app.state.sessionmaker)
    page = await changes.read_page(
        store,
        after=after,
        limit=limit,
        service=service,
        item_type=type,
        country=country,
        base_url=settings.base_url,
    )
    next_cursor = encode_cursor(CURSOR_KIND, page.next_cursor_seq, 0)
    body = b"".join((page.body[:-1], b',"next_cursor":"', next_cursor.encode(), b'"}'))
    body = trim_list(body, names)
    headers = {"Link": next_link(request, next_cursor)} if page.more else None
    return public_response(
        request,
        body,
        settings=settings,
        etag=body_etag(body),
        last_modified_ms=page.last_modified_ms,
        surrogate_keys="changes",
        vary_country=True,
        extra_headers=headers,
    )
