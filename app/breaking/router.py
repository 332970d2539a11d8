"""Public breaking-news list."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.articles.schemas import TEASER_FIELDS
from app.breaking.schemas import BreakingPage
from app.breaking.service import breaking_list
from app.errors import PROBLEM_RESPONSES
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
