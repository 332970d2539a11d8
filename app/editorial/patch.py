"""Merge-patch bodies (RFC 7396) of editorial writes: declared, read, applied and
validated against the strict write shape."""

import email.message
import types
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import orjson
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.json_schema import models_json_schema

from app.errors import Unprocessable, UnsupportedMediaType
from app.kit.merge_patch import merge_patch

MERGE_PATCH = "application/merge-patch+json"
ModelT = TypeVar("ModelT", bound=BaseModel)
REF_TEMPLATE = "#/components/schemas/{model}"
PATCH_DESCRIPTION = (
    "A JSON merge patch (RFC 7396) of the write shape: members given replace, "
    "null removes (where the member is optional), the rest stays."
)

#: The patch schemas the PATCH routes declare, by name, for the spec's components.
_PATCH_MODELS: dict[str, type[BaseModel]] = {}


def _no_defaults(schema: dict[str, Any]) -> None:
    # A member absent from a merge patch stays as it is: none has a default.
    for member in schema.get("properties", {}).values():
        member.pop("default", None)


def _patch_name(model: type[BaseModel]) -> str:
    return model.__name__.removesuffix("Write").removesuffix("In") + "Patch"


def _held_model(annotation: Any) -> type[BaseModel] | None:
    """The model a member holds (alone or or-null), which a merge patch patches member
    by member too; lists and scalars are replaced whole."""
    candidates = [annotation]
    if get_origin(annotation) in (Union, types.UnionType):
        candidates = [arg for arg in get_args(annotation) if arg is not type(None)]
    held = candidates[0] if len(candidates) == 1 else None
    return held if isinstance(held, type) and issubclass(held, BaseModel) else None


def patch_model(model: type[BaseModel], **extra: Any) -> type[BaseModel]:
    """The merge patch of ``model`` as a schema of its own (``VideoWrite`` ->
    ``VideoPatch``, ``ThumbnailIn`` -> ``ThumbnailPatch``): every member optional,
    nullable where the write shape may go without it, nested objects patched member
    by member. ``extra`` adds members (``name=(type, Field(...))``) only a patch takes."""
    name = _patch_name(model)
    if name in _PATCH_MODELS and not extra:
        return _PATCH_MODELS[name]
    members: dict[str, Any] = {}
    for member, info in model.model_fields.items():
        held = _held_model(info.annotation)
        annotation: Any = patch_model(held) if held is not None else info.annotation
        if not info.is_required() or type(None) in get_args(info.annotation):
            annotation = annotation | None
        if info.metadata:
            annotation = Annotated[annotation, *info.metadata]
        members[member] = (
            annotation,
            Field(default=None, description=info.description, title=info.title),
        )
    members.update(extra)
    patch: type[BaseModel] = create_model(
        name,
        __config__=ConfigDict(extra="forbid", json_schema_extra=_no_defaults),
        __doc__=f"A JSON merge patch of {model.__name__}.",
        **members,
    )
    _PATCH_MODELS[name] = patch
    return patch


def merge_patch_body(
    patch: type[BaseModel], description: str = PATCH_DESCRIPTION
) -> dict[str, Any]:
    """``openapi_extra`` declaring the patch schema (see ``patch_model``) as the
    request body, under both media types a PATCH takes."""
    schema = {"$ref": REF_TEMPLATE.format(model=patch.__name__)}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {MERGE_PATCH: {"schema": schema}, "application/json": {"schema": schema}},
        }
    }


def document_patch_schemas(spec: dict[str, Any]) -> None:
    """Add the patch schemas (and the nested ones they use) to the spec's components,
    which FastAPI fills only with the models routes parse or answer."""
    if not _PATCH_MODELS:
        return
    _, found = models_json_schema(
        [(model, "validation") for _, model in sorted(_PATCH_MODELS.items())],
        ref_template=REF_TEMPLATE,
    )
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in found.get("$defs", {}).items():
        # The write shapes nested in a patch (blocks, renditions) are there already,
        # as FastAPI renders them.
        schemas.setdefault(name, schema)


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
