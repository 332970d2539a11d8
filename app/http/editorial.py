"""What the editorial writes of videos, taxonomy, notices and services share:
merge-patch bodies, validators derived from the stored representation, and the
problem answers they declare."""

import email.message
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from app.auth.dependencies import Forbidden
from app.auth.tokens import Principal
from app.errors import AppError, Unprocessable, problem_spec
from app.http.caching import body_etag
from app.http.writes import match_if, merge_patch

MERGE_PATCH = "application/merge-patch+json"
#: A BCP 47 language tag, as services, captions and notices carry it.
LANGUAGE_TAG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
ModelT = TypeVar("ModelT", bound=BaseModel)


class UnsupportedMediaType(AppError):
    status = 415
    title = "Unsupported Media Type"
    slug = "unsupported-media-type"


_DESCRIPTIONS: dict[int, str] = {
    400: "Bad request",
    401: "No token, or an unknown or revoked one",
    403: "The token may not do this",
    404: "Not found",
    409: "Conflicts with what is stored",
    412: "If-Match is stale",
    413: "The body is too large",
    415: "Not JSON",
    422: "Invalid body or parameters",
    428: "If-Match is missing",
}


def write_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Problem answers for the OpenAPI ``responses=`` of a write."""
    return {status: problem_spec(_DESCRIPTIONS[status]) for status in statuses}


CREATE_RESPONSES = write_responses(400, 401, 403, 409, 413, 422)
UPDATE_RESPONSES = write_responses(401, 403, 404, 409, 412, 413, 415, 422, 428)
DELETE_RESPONSES = write_responses(401, 403, 404, 409, 412, 422, 428)


def merge_patch_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` declaring a JSON merge patch of ``model`` as the request body."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {
            "required": True,
            "description": "A JSON merge patch (RFC 7396) of the write shape: "
            "members given replace, null removes, the rest stays.",
            "content": {MERGE_PATCH: {"schema": schema}, "application/json": {"schema": schema}},
        }
    }


async def read_merge_patch(request: Request) -> dict[str, Any]:
    """The request body as a merge patch object (``application/merge-patch+json``
    or ``application/json``)."""
    content_type = request.headers.get("content-type")
    if content_type is not None:
        message = email.message.Message()
        message["content-type"] = content_type
        if message.get_content_type() not in (MERGE_PATCH, "application/json"):
            raise UnsupportedMediaType(f"Send the patch as {MERGE_PATCH} (or application/json).")
    raw = await request.body()
    try:
        patch = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Unprocessable(
            "The body is not valid JSON.",
            errors=[{"location": "body", "field": "", "message": "JSON decode error"}],
        ) from None
    if not isinstance(patch, dict):
        raise Unprocessable(
            "A merge patch is a JSON object.",
            errors=[{"location": "body", "field": "", "message": "must be an object"}],
        )
    return patch


def validation_errors(error: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    """A pydantic error as the problem ``errors`` list."""
    found = []
    for item in error.errors():
        field = ".".join(str(part) for part in item.get("loc", ()))
        if prefix:
            field = f"{prefix}.{field}" if field else prefix
        found.append({"location": "body", "field": field, "message": str(item.get("msg", ""))})
    return found


def patched(model: type[ModelT], current: dict[str, Any], patch: Any) -> ModelT:
    """Apply the merge patch to the current write shape and validate the result
    against the strict model: unknown members and broken values answer 422."""
    try:
        return model.model_validate(merge_patch(current, patch))
    except ValidationError as error:
        raise Unprocessable(
            "The patched item is invalid; see errors.", errors=validation_errors(error)
        ) from None


def strip_none(document: dict[str, Any]) -> dict[str, Any]:
    """A write shape without its absent members, as a merge patch sees it."""
    return {
        key: strip_none(value) if isinstance(value, dict) else value
        for key, value in document.items()
        if value is not None
    }


def representation_etag(document: dict[str, Any]) -> str:
    """A strong validator: the hash of the item's JSON, as the public reads compute it."""
    return body_etag(orjson.dumps(document))


def check_if_match(request: Request, current: str, *, variants: bool = False) -> None:
    """PATCH and DELETE must name the representation they change.

    With ``variants``, a tag the public read gave for one reader (``"<etag>-<state>"``)
    counts as the same representation.
    """
    match_if(request.headers.get("if-match"), current, variants=variants)


def require_writer(principal: Principal, service: str) -> None:
    """Admins write everywhere; editors in their own services only."""
    if not principal.can_write(service):
        raise Forbidden(f"This token may not write to the service '{service}'.")


#: A PATCH body: a merge patch object, whatever the schema it patches.
MergePatch = Annotated[dict[str, Any], Depends(read_merge_patch)]
