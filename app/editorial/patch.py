"""Merge-patch bodies (RFC 7396) of editorial writes: declared, read, applied and
validated against the strict write shape."""

import email.message
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from app.errors import Unprocessable, UnsupportedMediaType
from app.kit.merge_patch import merge_patch

MERGE_PATCH = "application/merge-patch+json"
ModelT = TypeVar("ModelT", bound=BaseModel)


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


#: A PATCH body: a merge patch object, whatever the schema it patches.
MergePatch = Annotated[dict[str, Any], Depends(read_merge_patch)]


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
