"""The delivery process, apart from the network: the fan-out of the change log
into deliveries, leases, the outcome of each attempt and the retry schedule.

The change log is the outbox: every change is written in the transaction that
made it, and the fan-out turns it into one delivery per matching subscription
in a transaction that also moves the fan-out's place in the log, so a crash at
any point loses no event and makes none twice.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.orm import Session

from app.changes.service import item_url, surrogate_keys
from app.config import Settings
from app.kit.timeutil import iso
from app.models import Change, WebhookAttempt, WebhookSubscription
from app.webhooks import repository
from app.webhooks.signing import new_message_id

FAN_OUT_BATCH = 500
RESPONSE_EXCERPT = 1000

_EVENTS = {
    ("article", "published"): "article.published",
    ("article", "updated"): "article.updated",
    ("article", "unpublished"): "article.unpublished",
    ("article", "archived"): "article.archived",
    ("article", "deleted"): "article.unpublished",
    ("video", "published"): "video.published",
    ("video", "updated"): "video.updated",
    ("video", "availability"): "video.updated",
    ("video", "deleted"): "video.unpublished",
}


def events_of(change: Change) -> list[str]:
    """The events a change is announced as: its own, and the CDN purge."""
    return [_EVENTS[(change.item_type, change.change)], "cache.purge"]


def payload(change: Change, event: str, base_url: str) -> str:
    """``{type, timestamp, data}``: what the item is, where to read it, what changed."""
    data: dict[str, Any] = {
        "type": change.item_type,
        "id": change.item_id,
        "service": change.service,
        "url": item_url(base_url, change.item_type, change.item_id),
        "change": change.change,
        "seq": change.seq,
        "deleted": change.deleted,
    }
    if not change.deleted:
        data["etag"] = change.etag
        document = orjson.loads(change.document or "{}")
        data["updated_at"] = document.get("updated_at")
        if change.item_type == "article":
            data["canonical_url"] = document.get("url")
            data["headline"] = document.get("headline")
        else:
            data["title"] = document.get("title")
            data["unavailable_reason"] = change.unavailable_reason
    if event == "cache.purge":
        data["surrogate_keys"] = surrogate_keys(change.item_type, change.item_id)
    return orjson.dumps({"type": event, "timestamp": iso(change.at), "data": data}).decode()


def _wants(subscription: WebhookSubscription, change: Change, event: str) -> bool:
    assert change.seq is not None
    return (
        change.seq > subscription.after_seq
        and event in subscription.events
        and (subscription.services is None or change.service in subscription.services)
    )


def fan_out(session: Session, settings: Settings, now: datetime) -> int:
    """Turn the next changes of the log into deliveries; how many changes were read."""
    consumer = repository.locked_consumer(session)
    changes = repository.changes_after(session, consumer.seq, FAN_OUT_BATCH)
    if not changes:
        return 0
    subscriptions = repository.all_subscriptions(session)
    rows: list[dict[str, object]] = []
    for change in changes:
        for event in events_of(change):
            for subscription in subscriptions:
                if _wants(subscription, change, event):
                    rows.append(
                        {
                            "message_id": new_message_id(),
                            "subscription_id": subscription.id,
                            "event": event,
                            "change_seq": change.seq,
                            "payload": payload(change, event, settings.base_url),
                            "status": "pending",
                            "attempts": 0,
                            "next_attempt_at": now,
                            "created_at": now,
                        }
                    )
    repository.insert_deliveries(session, rows)
    last = changes[-1].seq
    assert last is not None
    consumer.seq = last
    return len(changes)


@dataclass(frozen=True, slots=True)
class Claimed:
    """What one attempt needs, read when its lease was taken."""

    id: int
    subscription_id: int
    message_id: str
    url: str
    payload: str
    secrets: list[str]


def secrets_in_use(subscription: WebhookSubscription, now: datetime) -> list[str]:
    found = [subscription.secret]
    if (
        subscription.previous_secret is not None
        and subscription.previous_secret_until is not None
        and subscription.previous_secret_until > now
    ):
        found.append(subscription.previous_secret)
    return found


def claim(
    session: Session,
    settings: Settings,
    owner: str,
    now: datetime,
    limit: int,
    in_flight: dict[int, int],
) -> list[Claimed]:
    """Take the leases of deliveries due now, within this worker's free places and
    each subscription's share of them."""
    cap = settings.webhook_concurrency_per_target
    busy = [subscription for subscription, count in in_flight.items() if count >= cap]
    due = repository.claim_due(session, now, limit, cap, busy)
    counts = dict(in_flight)
    taken = []
    for delivery in due:
        if counts.get(delivery.subscription_id, 0) >= cap:
            continue
        counts[delivery.subscription_id] = counts.get(delivery.subscription_id, 0) + 1
        delivery.lease_owner = owner
        delivery.lease_until = now + timedelta(seconds=settings.webhook_lease_seconds)
        taken.append(delivery)
    subscriptions = repository.subscriptions_by_id(
        session, {delivery.subscription_id for delivery in taken}
    )
    return [
        Claimed(
            id=delivery.id,
            subscription_id=delivery.subscription_id,
            message_id=delivery.message_id,
            url=subscriptions[delivery.subscription_id].url,
            payload=delivery.payload,
            secrets=secrets_in_use(subscriptions[delivery.subscription_id], now),
        )
        for delivery in taken
    ]


def retry_delay(settings: Settings, failures: int) -> float:
    """Seconds before the next attempt after ``failures`` failed ones: exponential
    (5 s, 20 s, 80 s, 5 min, 21 min, 85 min, 5.7 h, then every 12 h by default),
    with a fifth of jitter either way so that retries of many deliveries spread out."""
    delay: float = min(
        settings.webhook_retry_max_seconds,
        settings.webhook_retry_base_seconds * 4 ** (failures - 1),
    )
    return delay * random.uniform(0.8, 1.2)


@dataclass(frozen=True, slots=True)
class Outcome:
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None
    response_body: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def finish(
    session: Session,
    settings: Settings,
    owner: str,
    claimed: Claimed,
    outcome: Outcome,
    now: datetime,
) -> None:
    """Log the attempt; then, if this worker still holds the lease, mark the
    delivery done, failed for good, or due again after the backoff."""
    delivery = repository.get_delivery(session, claimed.id, lock=True)
    if delivery is None:
        return
    repository.add_attempt(
        session,
        WebhookAttempt(
            delivery_id=delivery.id,
            number=repository.count_attempts(session, delivery.id) + 1,
            started_at=outcome.started_at,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            error=outcome.error,
            response_body=outcome.response_body,
        ),
    )
    if delivery.lease_owner != owner or delivery.status != "pending":
        return
    delivery.lease_owner = None
    delivery.lease_until = None
    delivery.attempts += 1
    delivery.last_status = outcome.status_code
    delivery.last_error = outcome.error
    if outcome.succeeded:
        delivery.status = "succeeded"
        delivery.finished_at = now
    elif delivery.attempts >= settings.webhook_max_attempts:
        delivery.status = "failed"
        delivery.finished_at = now
    else:
        delivery.next_attempt_at = now + timedelta(seconds=retry_delay(settings, delivery.attempts))


def release(session: Session, owner: str, ids: Sequence[int]) -> None:
    """Hand leases back (a worker stopping), so another may attempt them at once."""
    for delivery in repository.leased_by(session, owner, ids):
        delivery.lease_owner = None
        delivery.lease_until = None
