"""Write rules of webhook subscriptions: safe targets, known services, secrets
shown once, and replays."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.editorial.patch import patched
from app.errors import Conflict, NotFound, Unprocessable
from app.models import WebhookDelivery, WebhookSubscription
from app.webhooks import repository
from app.webhooks.schemas import WebhookWrite
from app.webhooks.service import find_subscription
from app.webhooks.signing import new_secret
from app.webhooks.targets import TargetRefused, resolve_now

#: How long a rotated-out secret goes on signing deliveries beside the new one.
ROTATION_GRACE = timedelta(hours=24)


def _check(session: Session, data: WebhookWrite, settings: Settings) -> None:
    try:
        resolve_now(data.url, settings.webhook_allow_private_targets)
    except TargetRefused as refused:
        raise Unprocessable(
            f"This webhook URL is refused: {refused}.",
            errors=[{"location": "body", "field": "url", "message": str(refused)}],
        ) from None
    if data.services is not None:
        unknown = sorted(set(data.services) - repository.known_services(session, data.services))
        if unknown:
            raise Unprocessable(
                f"There is no service {', '.join(repr(code) for code in unknown)}.",
                errors=[
                    {
                        "location": "body",
                        "field": f"services.{data.services.index(code)}",
                        "message": "unknown service",
                    }
                    for code in unknown
                ],
            )


def _apply(subscription: WebhookSubscription, data: WebhookWrite) -> None:
    subscription.url = data.url
    subscription.events = list(dict.fromkeys(data.events))
    subscription.services = sorted(set(data.services)) if data.services is not None else None
    subscription.description = data.description


def create_subscription(
    session: Session, data: WebhookWrite, settings: Settings, now: datetime
) -> WebhookSubscription:
    """A subscription to the changes committed from now on."""
    _check(session, data, settings)
    subscription = WebhookSubscription(
        secret=new_secret(), after_seq=repository.head_seq(session), created_at=now, updated_at=now
    )
    _apply(subscription, data)
    repository.add_subscription(session, subscription)
    return subscription


def write_shape(subscription: WebhookSubscription) -> dict[str, Any]:
    shape: dict[str, Any] = {"url": subscription.url, "events": subscription.events}
    if subscription.services is not None:
        shape["services"] = subscription.services
    if subscription.description is not None:
        shape["description"] = subscription.description
    return shape


def update_subscription(
    session: Session,
    subscription: WebhookSubscription,
    patch: dict[str, Any],
    settings: Settings,
    now: datetime,
) -> WebhookSubscription:
    data = patched(WebhookWrite, write_shape(subscription), patch)
    _check(session, data, settings)
    before = write_shape(subscription)
    _apply(subscription, data)
    if write_shape(subscription) != before:
        subscription.updated_at = now
    session.flush()
    return subscription


def rotate_secret(
    session: Session, subscription_id: int, now: datetime
) -> tuple[WebhookSubscription, str]:
    """A new secret; the old one signs beside it for a day, so receivers can move over."""
    subscription = find_subscription(session, subscription_id, lock=True)
    secret = new_secret()
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = now + ROTATION_GRACE
    subscription.secret = secret
    subscription.updated_at = now
    session.flush()
    return subscription, secret


def delete_subscription(session: Session, subscription: WebhookSubscription) -> None:
    """The subscription goes, with its deliveries and their log."""
    repository.delete_subscription(session, subscription.id)


def replay_delivery(
    session: Session, subscription_id: int, delivery_id: int, now: datetime
) -> WebhookDelivery:
    """Send a delivery again (same ``webhook-id``, so receivers can tell), with a
    fresh allowance of attempts."""
    find_subscription(session, subscription_id)
    found = repository.get_delivery(
        session, delivery_id, subscription_id=subscription_id, lock=True
    )
    if found is None:
        raise NotFound("This subscription has no delivery with this id.")
    if found.status == "pending" and found.lease_until is not None and found.lease_until > now:
        raise Conflict("This delivery is being attempted right now; look again shortly.")
    found.status = "pending"
    found.attempts = 0
    found.next_attempt_at = now
    found.finished_at = None
    found.lease_owner = None
    found.lease_until = None
    session.flush()
    return found
