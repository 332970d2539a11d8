"""The create, patch and delete routes of an editorial resource, written once.

A resource names its paths, shapes and write rules; these routes do the HTTP:
creation is idempotent and answers 201 with Location, a change is a JSON merge
patch under If-Match, a deletion needs If-Match and answers 204. Every answer is
private and carries the item's editorial ETag.
"""

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.auth.dependencies import require_principal
from app.auth.service import Principal
from app.db import SessionDep, committed
from app.editorial.idempotency import IdempotencyKey, idempotent
from app.editorial.patch import MergePatch, merge_patch_body, patch_model
from app.editorial.responses import CREATE_RESPONSES, DELETE_RESPONSES, UPDATE_RESPONSES
from app.http.writes import PRIVATE, Precondition, check_if_match, private_json

KeyT = TypeVar("KeyT")
ItemT = TypeVar("ItemT")


@dataclass(frozen=True, slots=True)
class Answer:
    """What the answer to a write shows: the item as its read gives it, its
    editorial ETag, and its address."""

    document: dict[str, Any]
    etag: str
    location: str


@dataclass(frozen=True, kw_only=True)
class Resource(Generic[KeyT, ItemT]):
    """One kind of item the editorial API creates, patches and deletes."""

    #: Singular, as the operation ids say it: ``create_<name>``, ``update_<name>``...
    name: str
    collection_path: str
    item_path: str
    #: A dependency that reads the item's key from its path (and query) parameters.
    key: Callable[..., KeyT]
    write_model: type[BaseModel]
    response_model: type[BaseModel]
    create: Callable[[Session, Principal, Any], ItemT]
    update: Callable[[Session, Principal, KeyT, dict[str, Any], Precondition], ItemT]
    delete: Callable[[Session, Principal, KeyT, Precondition], None]
    answer: Callable[[Session, ItemT], Answer]
    #: The one-line docstrings of the three endpoints (the spec's descriptions).
    create_doc: str
    update_doc: str
    delete_doc: str
    #: Who may call the routes at all; the write rules check the rest.
    principal: Callable[..., Awaitable[Principal]] = require_principal
    #: Whether If-Match may name one reader's variant of the public read.
    variants: bool = False


def _respond(answer: Answer, status_code: int = 200) -> Response:
    headers = {"Location": answer.location} if status_code == 201 else {}
    return private_json(answer.document, status_code=status_code, etag=answer.etag, **headers)


def _annotate(endpoint: Callable[..., Response], **annotations: Any) -> Callable[..., Response]:
    """Give the endpoint's parameters the resource's own types, which FastAPI reads
    from the signature (the key's and principal's dependencies, the write model)."""
    signature = inspect.signature(endpoint)
    parameters = [
        parameter.replace(annotation=annotations.get(name, parameter.annotation))
        for name, parameter in signature.parameters.items()
    ]
    endpoint.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return endpoint


def add_resource_routes(router: APIRouter, resource: Resource[KeyT, ItemT]) -> None:
    """``POST`` on the collection, ``PATCH`` and ``DELETE`` on an item."""
    key_type = Annotated[Any, Depends(resource.key)]
    principal_type = Annotated[Principal, Depends(resource.principal)]

    def precondition(request: Request) -> Precondition:
        return lambda etag: check_if_match(request, etag, variants=resource.variants)

    def create(
        request: Request,
        principal: Principal,
        body: Any,
        session: SessionDep,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        def produce() -> Response:
            item = resource.create(session, principal, body)
            return _respond(resource.answer(session, item), 201)

        return idempotent(session, request, principal, body.model_dump(mode="json"), produce)

    def update(
        request: Request, key: Any, principal: Principal, patch: MergePatch, session: SessionDep
    ) -> Response:
        item = resource.update(session, principal, key, patch, precondition(request))
        return _respond(resource.answer(session, item))

    def delete(request: Request, key: Any, principal: Principal, session: SessionDep) -> Response:
        resource.delete(session, principal, key, precondition(request))
        return Response(status_code=204, headers={"Cache-Control": PRIVATE})

    name = resource.name
    router.add_api_route(
        resource.collection_path,
        _annotate(committed(create), principal=principal_type, body=resource.write_model),
        methods=["POST"],
        name=f"create_{name}",
        operation_id=f"create_{name}",
        description=resource.create_doc,
        status_code=201,
        response_model=resource.response_model,
        responses=CREATE_RESPONSES,
    )
    router.add_api_route(
        resource.item_path,
        _annotate(committed(update), key=key_type, principal=principal_type),
        methods=["PATCH"],
        name=f"update_{name}",
        operation_id=f"update_{name}",
        description=resource.update_doc,
        response_model=resource.response_model,
        responses=UPDATE_RESPONSES,
        openapi_extra=merge_patch_body(patch_model(resource.write_model)),
    )
    router.add_api_route(
        resource.item_path,
        _annotate(committed(delete), key=key_type, principal=principal_type),
        methods=["DELETE"],
        name=f"delete_{name}",
        operation_id=f"delete_{name}",
        description=resource.delete_doc,
        status_code=204,
        responses=DELETE_RESPONSES,
    )
