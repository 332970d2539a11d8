"""``POST /v1/import``: a batch of ninjs documents or articles, all or nothing."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.dependencies import AnyToken
from app.auth.service import require_writer
from app.db import SessionDep
from app.editions.service import service_in_query
from app.editorial.idempotency import IdempotencyKey, idempotent
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
    description="Upsert a batch by uri (ninjs or Masthead's article shape); one bad item "
    "rejects all. Without `service`, each item goes to the service it names (`service`, in "
    "Masthead's shape) or to the one service of its `language`: a service whose language is "
    "the very tag (`en-GB`), else one whose primary subtag is the tag's (`en`); none or "
    "several is a 422 naming the choices. Several versions of one `uri` are applied in "
    "order (ninjs `version`, else `versionCreated`, else their place in the batch): the "
    "latest wins, the others are `superseded`; a version older than the one an import "
    "stored before is `outdated` and changes nothing.",
)
def import_items(
    request: Request,
    principal: AnyToken,
    body: ImportRequest,
    session: SessionDep,
    service: Annotated[
        str | None,
        Query(
            pattern=CODE_PATTERN,
            description="The service every item goes into; without it, each item's own "
            "service or the one of its language.",
        ),
    ] = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Upsert a batch by uri (ninjs or Masthead's article shape); one bad item rejects all."""
    if service is not None:
        require_writer(principal, service)
        service_in_query(session, service)

    def produce() -> Response:
        try:
            result = import_batch(
                session,
                service,
                body.items,
                authorize=lambda code: require_writer(principal, code),
                choose="the query parameter service=CODE",
            )
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

    # The service is part of the request a key stands for.
    payload = {"service": service, **body.model_dump(mode="json")}
    return idempotent(session, request, principal, payload, produce)
