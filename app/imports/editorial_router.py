"""``POST /v1/import``: a batch of ninjs documents or articles, all or nothing."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from app.auth.dependencies import CurrentPrincipal
from app.db import SessionDep
from app.errors import NotFound, Unprocessable
from app.http.editorial import require_writer, write_responses
from app.http.writes import idempotent, private_json
from app.imports.editorial import MAX_ITEMS, ImportRejected, import_batch
from app.models import Service

router = APIRouter(tags=["import"])

#: How many bad items a 422 lists at most.
ERRORS_SHOWN = 100


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description="IPTC ninjs 2.x/3.x documents (a uri next to ninjs members), or "
        "articles in Masthead's own shape with a uri.",
    )


class ImportedItem(BaseModel):
    position: int
    type: Literal["article", "video"]
    uri: str
    id: int | None = Field(description="None for a withheld or canceled item with no article.")


class ImportResult(BaseModel):
    """What the batch did to the articles and videos it names."""

    created: int
    updated: int
    unchanged: int
    tags_created: int
    authors_created: int
    items: list[ImportedItem]


@router.post(
    "/v1/import",
    operation_id="import_items",
    response_model=ImportResult,
    responses=write_responses(400, 401, 403, 404, 409, 413, 422),
)
def import_items(
    request: Request,
    principal: CurrentPrincipal,
    service: Annotated[
        str, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$", description="The service imported into.")
    ],
    body: ImportRequest,
    session: SessionDep,
) -> Response:
    """Upsert a batch by uri (ninjs or Masthead's article shape); one bad item rejects all."""
    require_writer(principal, service)
    if session.scalars(select(Service.id).where(Service.code == service)).first() is None:
        raise NotFound(
            f"There is no service '{service}'.",
            errors=[{"location": "query", "field": "service", "message": "unknown service"}],
        )

    def produce() -> Response:
        try:
            result = import_batch(session, service, body.items)
        except ImportRejected as rejected:
            errors = rejected.errors
            raise Unprocessable(
                f"{len({e.position for e in errors})} item(s) of the batch are invalid; "
                "nothing was imported.",
                errors=[
                    {"location": "body", "field": e.field, "message": e.reason}
                    for e in errors[:ERRORS_SHOWN]
                ],
            ) from None
        return private_json(
            {
                **result.counts(),
                "tags_created": result.tags_created,
                "authors_created": result.authors_created,
                "items": result.items,
            }
        )

    return idempotent(session, request, principal, body.model_dump(mode="json"), produce)
