"""``POST /v1/import``: a batch of ninjs documents or articles, all or nothing."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.dependencies import AnyToken
from app.auth.service import require_writer
from app.db import SessionDep
from app.editions.service import service_in_query
from app.editorial.idempotency import idempotent
from app.editorial.responses import write_responses
from app.errors import Unprocessable
from app.http.writes import private_json
from app.imports.editorial import ImportRejected, import_batch
from app.imports.schemas import ImportRequest, ImportResult
from app.kit.fields import CODE_PATTERN

router = APIRouter(tags=["import"])

#: How many bad items a 422 lists at most.
ERRORS_SHOWN = 100


@router.post(
    "/v1/import",
    operation_id="import_items",
    response_model=ImportResult,
    responses=write_responses(400, 401, 403, 404, 409, 413, 422),
)
def import_items(
    request: Request,
    principal: AnyToken,
    service: Annotated[str, Query(pattern=CODE_PATTERN, description="The service imported into.")],
    body: ImportRequest,
    session: SessionDep,
) -> Response:
    """Upsert a batch by uri (ninjs or Masthead's article shape); one bad item rejects all."""
    require_writer(principal, service)
    service_in_query(session, service)

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
