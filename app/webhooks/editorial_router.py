"""Webhook subscriptions and their deliveries (admin tokens only)."""

from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.auth.dependencies import AdminToken
from app.config import Settings
from app.db import SessionDep
from app.editorial.patch import MergePatch, merge_patch_body, patch_model
from app.editorial.responses import DELETE_RESPONSES, UPDATE_RESPONSES, write_responses
from app.http.fields import Fields, parse_fields, trim_document, trim_list
from app.http.pagination import decode_cursor, encode_cursor, next_link
from app.http.writes import PRIVATE, check_if_match, private_json
from app.kit.timeutil import iso
from app.models import utcnow
from app.webhooks import editorial, service
from app.webhooks.schemas import (
    DeliveryOut,
    DeliveryPage,
    SecretOut,
    WebhookCreated,
    WebhookOut,
    WebhookPage,
    WebhookWrite,
)

router = APIRouter(tags=["webhooks"])

WebhookId = Annotated[int, Path(ge=1, le=2**62, description="The subscription's id.")]
DeliveryId = Annotated[int, Path(ge=1, le=2**62, description="The delivery's id.")]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=200)]
TOKEN: dict[str, object] = {"security": [{"token": []}]}
READ = write_responses(400, 401, 403, 404, 422)
WEBHOOK_FIELDS = frozenset(WebhookOut.model_fields)
DELIVERY_FIELDS = frozenset(DeliveryOut.model_fields)
ACTION = write_responses(400, 401, 403, 404, 409, 422)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _page(
    request: Request, items: list[object], kind: str, last: int | None, names: list[str] | None
) -> Response:
    next_cursor = encode_cursor(kind, last, last) if last is not None else None
    page = {"items": items, "next_cursor": next_cursor}
    response = private_json(trim_list(orjson.dumps(page), names))
    if next_cursor is not None:
        response.headers["Link"] = next_link(request, next_cursor)
    return response


@router.post(
    "/v1/webhooks",
    operation_id="create_webhook",
    status_code=201,
    response_model=WebhookCreated,
    responses={
        **write_responses(400, 401, 403, 413, 422),
        201: {"description": "The subscription, with its secret: shown only now"},
    },
    openapi_extra=TOKEN,
)
def create_webhook(
    request: Request, principal: AdminToken, session: SessionDep, data: WebhookWrite
) -> Response:
    """Subscribe a URL to events; the answer shows the signing secret, once."""
    subscription = editorial.create_subscription(session, data, _settings(request), utcnow())
    document = service.subscription_document(subscription)
    return private_json(
        {**document, "secret": subscription.secret},
        status_code=201,
        etag=service.subscription_etag(subscription),
        Location=f"/v1/webhooks/{subscription.id}",
    )


@router.get(
    "/v1/webhooks",
    operation_id="list_webhooks",
    response_model=WebhookPage,
    responses=READ,
    openapi_extra=TOKEN,
)
def list_webhooks(
    request: Request,
    principal: AdminToken,
    session: SessionDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    fields: Fields = None,
) -> Response:
    """Every subscription, oldest first (secrets never shown)."""
    names = parse_fields(fields, WEBHOOK_FIELDS)
    after = decode_cursor(cursor, "webhooks")[0] if cursor is not None else None
    items, last = service.list_subscriptions(session, after, limit)
    return _page(request, list(items), "webhooks", last, names)


@router.get(
    "/v1/webhooks/{webhook_id}",
    operation_id="get_webhook",
    response_model=WebhookOut,
    responses=READ,
    openapi_extra=TOKEN,
)
def get_webhook(
    webhook_id: WebhookId, principal: AdminToken, session: SessionDep, fields: Fields = None
) -> Response:
    """One subscription; its ETag is what PATCH and DELETE take as If-Match."""
    names = parse_fields(fields, WEBHOOK_FIELDS)
    subscription = service.find_subscription(session, webhook_id)
    document = orjson.dumps(service.subscription_document(subscription))
    return private_json(
        trim_document(document, names), etag=service.subscription_etag(subscription)
    )


@router.patch(
    "/v1/webhooks/{webhook_id}",
    operation_id="update_webhook",
    response_model=WebhookOut,
    responses=UPDATE_RESPONSES,
    openapi_extra={**TOKEN, **merge_patch_body(patch_model(WebhookWrite))},
)
def update_webhook(
    request: Request,
    webhook_id: WebhookId,
    principal: AdminToken,
    session: SessionDep,
    patch: MergePatch,
) -> Response:
    """Change a subscription (JSON merge patch, If-Match)."""
    subscription = service.find_subscription(session, webhook_id, lock=True)
    check_if_match(request, service.subscription_etag(subscription))
    editorial.update_subscription(session, subscription, patch, _settings(request), utcnow())
    return private_json(
        service.subscription_document(subscription), etag=service.subscription_etag(subscription)
    )


@router.delete(
    "/v1/webhooks/{webhook_id}",
    operation_id="delete_webhook",
    status_code=204,
    responses=DELETE_RESPONSES,
    openapi_extra=TOKEN,
)
def delete_webhook(
    request: Request, webhook_id: WebhookId, principal: AdminToken, session: SessionDep
) -> Response:
    """Delete a subscription and its delivery log (If-Match)."""
    subscription = service.find_subscription(session, webhook_id, lock=True)
    check_if_match(request, service.subscription_etag(subscription))
    editorial.delete_subscription(session, subscription)
    return Response(status_code=204, headers={"Cache-Control": PRIVATE})


@router.post(
    "/v1/webhooks/{webhook_id}/secret",
    operation_id="rotate_webhook_secret",
    response_model=SecretOut,
    responses=ACTION,
    openapi_extra=TOKEN,
)
def rotate_webhook_secret(
    webhook_id: WebhookId, principal: AdminToken, session: SessionDep
) -> Response:
    """A new signing secret, shown once; the old one also signs for 24 hours."""
    subscription, secret = editorial.rotate_secret(session, webhook_id, utcnow())
    return private_json(
        {
            "id": subscription.id,
            "secret": secret,
            "previous_secret_expires_at": iso(subscription.previous_secret_until),
        },
        etag=service.subscription_etag(subscription),
    )


@router.get(
    "/v1/webhooks/{webhook_id}/deliveries",
    operation_id="list_webhook_deliveries",
    response_model=DeliveryPage,
    responses=READ,
    openapi_extra=TOKEN,
)
def list_webhook_deliveries(
    request: Request,
    webhook_id: WebhookId,
    principal: AdminToken,
    session: SessionDep,
    status: Literal["pending", "succeeded", "failed"] | None = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    fields: Fields = None,
) -> Response:
    """The subscription's deliveries, newest first, each with every attempt."""
    names = parse_fields(fields, DELIVERY_FIELDS)
    before = decode_cursor(cursor, "deliveries")[0] if cursor is not None else None
    items, last = service.list_deliveries(session, webhook_id, before, status, limit)
    return _page(request, list(items), "deliveries", last, names)


@router.post(
    "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay",
    operation_id="replay_webhook_delivery",
    status_code=202,
    response_model=DeliveryOut,
    responses=ACTION,
    openapi_extra=TOKEN,
)
def replay_webhook_delivery(
    webhook_id: WebhookId, delivery_id: DeliveryId, principal: AdminToken, session: SessionDep
) -> Response:
    """Send a delivery again, now, with a fresh allowance of retries."""
    found = editorial.replay_delivery(session, webhook_id, delivery_id, utcnow())
    return private_json(service.delivery_documents(session, [found])[0], status_code=202)
