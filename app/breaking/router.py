"""Public breaking-news list."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from app.articles.schemas import TEASER_FIELDS
from app.breaking.broadcaster import Broadcaster, EventStream
from app.breaking.schemas import BreakingEnded, BreakingPage
from app.breaking.service import Reader, breaking_list, log_head
from app.editions.service import require_service
from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES, PROBLEM_SCHEMA_REF, problem_spec
from app.http.caching import public_response
from app.http.fields import Fields, parse_fields, trim_list
from app.http.reader import reader
from app.kit.fields import CODE_PATTERN
from app.kit.timeutil import now_ms

router = APIRouter(tags=["breaking"])


@router.get(
    "/v1/breaking",
    operation_id="list_breaking",
    response_model=BreakingPage,
    responses=PROBLEM_RESPONSES,
)
async def list_breaking(
    request: Request,
    service: Annotated[
        str | None,
        Query(pattern=CODE_PATTERN, description="Only this service's articles."),
    ] = None,
    fields: Fields = None,
) -> Response:
    """Articles whose breaking flag is up now, newest first (at most 100)."""
    store, settings, country = reader(request)
    names = parse_fields(fields, TEASER_FIELDS)
    found = await breaking_list(store, service, country, now_ms())
    return public_response(
        request,
        trim_list(found.body, names),
        settings=settings,
        # A selection of fields is its own representation, with its own validator.
        etag=found.etag if names is None else None,
        last_modified_ms=found.last_modified_ms,
        surrogate_keys=found.surrogate_keys,
        vary_country=True,
        true_for=found.true_for,
    )


STREAM_DESCRIPTION = """\
Server-Sent Events of breaking news for this reader: `event: breaking` for each
article published or updated while its breaking flag is up (the data is its
teaser, as `GET /v1/breaking` lists it), `event: breaking-ended` when an article
stops being breaking (its flag came down, by an edit or by itself at its time;
it was unpublished or archived; or it is now withheld in the reader's country).
`fields=` trims the teasers.
Each event's `id` is the change feed's `seq`: reconnecting with `Last-Event-ID`
resumes after it, missing nothing and repeating nothing. The stream opens with a
`retry` and an `id` (no data), and sends a comment with the current `id` as a
heartbeat when idle. Connect first, then read `GET /v1/breaking` for the flags
already up. An article withheld in the reader's country is never streamed there.
"""

STREAM_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["event", "id", "data"],
    "properties": {
        "id": {"type": "string", "description": "The change feed's `seq`."},
        "retry": {"type": "integer", "minimum": 0},
    },
    "oneOf": [
        {
            "properties": {
                "event": {"const": "breaking"},
                "data": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": {"$ref": "#/components/schemas/Teaser"},
                },
            }
        },
        {
            "properties": {
                "event": {"const": "breaking-ended"},
                "data": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": BreakingEnded.model_json_schema(),
                },
            }
        },
    ],
}


@router.get(
    "/v1/breaking/stream",
    operation_id="stream_breaking",
    response_class=EventStream,
    status_code=200,
    description=STREAM_DESCRIPTION,
    responses={
        200: {
            "description": "An endless event stream.",
            "content": {"text/event-stream": {"itemSchema": STREAM_EVENT_SCHEMA}},
        },
        # Spelled out: FastAPI would document a problem under the route's media type.
        **{
            status: {
                "description": entry["description"],
                "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA_REF}},
            }
            for status, entry in (
                *PROBLEM_RESPONSES.items(),
                (429, problem_spec("Too many streams open from this client")),
            )
        },
    },
)
async def stream_breaking(
    request: Request,
    service: Annotated[
        str | None,
        Query(pattern=CODE_PATTERN, description="Only this service's articles."),
    ] = None,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            pattern=r"^[0-9]{1,18}$",
            description="The id of the last event received: the stream resumes after it.",
        ),
    ] = None,
    fields: Fields = None,
) -> Response:
    """Breaking news as it happens, as Server-Sent Events."""
    store, settings, country = reader(request)
    names = parse_fields(fields, TEASER_FIELDS)
    if service is not None:
        await require_service(store, service)
    broadcaster: Broadcaster = request.app.state.broadcaster
    head = await log_head(store)
    # An id from ahead of the log (a restored database) resumes from its head.
    start = head if last_event_id is None else min(int(last_event_id), head)
    client = request.client.host if request.client is not None else ""
    subscription = broadcaster.subscribe(client, start, head)
    headers = {
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
        "Vary": settings.country_header,
    }
    return EventStream(broadcaster, subscription, Reader(service, country, names), headers)
