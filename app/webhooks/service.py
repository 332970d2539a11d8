"""Reading subscriptions and their delivery logs (admins only; secrets never)."""

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.http.caching import representation_etag
from app.kit.timeutil import iso
from app.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from app.webhooks import repository


def subscription_document(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "events": subscription.events,
        "services": subscription.services,
        "description": subscription.description,
        "created_at": iso(subscription.created_at),
        "updated_at": iso(subscription.updated_at),
        "previous_secret_expires_at": iso(subscription.previous_secret_until),
    }


def subscription_etag(subscription: WebhookSubscription) -> str:
    return representation_etag(subscription_document(subscription))


def find_subscription(
    session: Session, subscription_id: int, *, lock: bool = False
) -> WebhookSubscription:
    found = repository.get_subscription(session, subscription_id, lock=lock)
    if found is None:
        raise NotFound("There is no webhook subscription with this id.")
    return found


def list_subscriptions(
    session: Session, after_id: int | None, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    found = repository.list_subscriptions(session, after_id, limit)
    more = len(found) > limit
    found = found[:limit]
    return [subscription_document(s) for s in found], (found[-1].id if more else None)


def _attempt(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "started_at": iso(attempt.started_at),
        "duration_ms": attempt.duration_ms,
        "status_code": attempt.status_code,
        "error": attempt.error,
        "response_body": attempt.response_body,
    }


def delivery_documents(
    session: Session, deliveries: Sequence[WebhookDelivery]
) -> list[dict[str, Any]]:
    attempts = repository.attempts_of(session, [delivery.id for delivery in deliveries])
    return [
        {
            "id": delivery.id,
            "message_id": delivery.message_id,
            "event": delivery.event,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "next_attempt_at": (
                iso(delivery.next_attempt_at) if delivery.status == "pending" else None
            ),
            "created_at": iso(delivery.created_at),
            "finished_at": iso(delivery.finished_at),
            "payload": orjson.loads(delivery.payload),
            "attempt_log": [_attempt(attempt) for attempt in attempts[delivery.id]],
        }
        for delivery in deliveries
    ]


def list_deliveries(
    session: Session, subscription_id: int, before_id: int | None, status: str | None, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    find_subscription(session, subscription_id)
    found = repository.list_deliveries(session, subscription_id, before_id, status, limit)
    more = len(found) > limit
    found = found[:limit]
    return delivery_documents(session, found), (found[-1].id if more else None)
