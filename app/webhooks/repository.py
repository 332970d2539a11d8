"""All SQL of webhooks: subscriptions, the outbox of deliveries, attempts, leases."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import BigInteger, bindparam, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from app.models import (
    Change,
    ChangeConsumer,
    ChangeCounter,
    Service,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from app.readmodel.changes import insert_ignoring
from app.readstore import Query

CONSUMER = "webhooks"
D = WebhookDelivery

# Idle checks, on the read store: the worker opens a write transaction only
# when one of these finds work.
FAN_OUT_BEHIND = Query(
    select(ChangeCounter.seq).where(
        ChangeCounter.id == 1,
        ChangeCounter.seq
        > func.coalesce(
            select(ChangeConsumer.seq).where(ChangeConsumer.name == CONSUMER).scalar_subquery(),
            0,
        ),
    )
)
ANY_DELIVERY_DUE = Query(
    select(D.id)
    .where(
        D.status == "pending",
        D.next_attempt_at <= bindparam("now"),
        or_(D.lease_until.is_(None), D.lease_until < bindparam("now")),
    )
    .limit(1)
)


def head_seq(session: Session) -> int:
    return session.scalar(select(ChangeCounter.seq).where(ChangeCounter.id == 1)) or 0


def known_services(session: Session, codes: list[str]) -> set[str]:
    return set(session.scalars(select(Service.code).where(Service.code.in_(codes))))


# Subscriptions ----------------------------------------------------------------


def get_subscription(
    session: Session, subscription_id: int, *, lock: bool = False
) -> WebhookSubscription | None:
    query = select(WebhookSubscription).where(WebhookSubscription.id == subscription_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def list_subscriptions(
    session: Session, after_id: int | None, limit: int
) -> Sequence[WebhookSubscription]:
    query = select(WebhookSubscription)
    if after_id is not None:
        query = query.where(WebhookSubscription.id > after_id)
    return session.scalars(query.order_by(WebhookSubscription.id).limit(limit + 1)).all()


def add_subscription(session: Session, subscription: WebhookSubscription) -> None:
    session.add(subscription)
    session.flush()


def delete_subscription(session: Session, subscription_id: int) -> None:
    session.execute(delete(WebhookSubscription).where(WebhookSubscription.id == subscription_id))


def all_subscriptions(session: Session) -> Sequence[WebhookSubscription]:
    return session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)).all()


def subscriptions_by_id(session: Session, ids: set[int]) -> dict[int, WebhookSubscription]:
    found = session.scalars(select(WebhookSubscription).where(WebhookSubscription.id.in_(ids)))
    return {subscription.id: subscription for subscription in found}


# Deliveries ---------------------------------------------------------------------


def list_deliveries(
    session: Session, subscription_id: int, before_id: int | None, status: str | None, limit: int
) -> Sequence[WebhookDelivery]:
    query = select(D).where(D.subscription_id == subscription_id)
    if before_id is not None:
        query = query.where(D.id < before_id)
    if status is not None:
        query = query.where(D.status == status)
    return session.scalars(query.order_by(D.id.desc()).limit(limit + 1)).all()


def attempts_of(session: Session, delivery_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    found: dict[int, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in delivery_ids}
    if delivery_ids:
        for attempt in session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(delivery_ids))
            .order_by(WebhookAttempt.delivery_id, WebhookAttempt.number)
        ):
            found[attempt.delivery_id].append(attempt)
    return found


def get_delivery(
    session: Session, delivery_id: int, *, subscription_id: int | None = None, lock: bool = False
) -> WebhookDelivery | None:
    query = select(D).where(D.id == delivery_id)
    if subscription_id is not None:
        query = query.where(D.subscription_id == subscription_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def count_attempts(session: Session, delivery_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
        )
        or 0
    )


def add_attempt(session: Session, attempt: WebhookAttempt) -> None:
    session.add(attempt)


# The fan-out: the change log is the outbox ---------------------------------------


def locked_consumer(session: Session) -> ChangeConsumer:
    """The fan-out's place in the log, locked: one fan-out at a time."""
    query = select(ChangeConsumer).where(ChangeConsumer.name == CONSUMER).with_for_update()
    consumer = session.scalars(query).one_or_none()
    if consumer is None:
        session.execute(
            insert_ignoring(session, ChangeConsumer)
            .values(name=CONSUMER, seq=0)
            .on_conflict_do_nothing()
        )
        consumer = session.scalars(query).one()
    return consumer


def changes_after(session: Session, seq: int, limit: int) -> Sequence[Change]:
    return session.scalars(
        select(Change)
        .where(Change.seq > bindparam("after", seq, type_=BigInteger))
        .order_by(Change.seq)
        .limit(limit)
    ).all()


def insert_deliveries(session: Session, rows: list[dict[str, object]]) -> None:
    if rows:
        session.execute(insert(WebhookDelivery), rows)


# Leases --------------------------------------------------------------------------


def claim_due(
    session: Session, now: datetime, limit: int, per_subscription: int, busy: Sequence[int]
) -> Sequence[WebhookDelivery]:
    """Deliveries due now that no live worker holds, at most ``per_subscription`` of
    each subscription, locked (rows another claimer holds are skipped)."""
    due = (
        D.status == "pending",
        D.next_attempt_at <= now,
        or_(D.lease_until.is_(None), D.lease_until < now),
    )
    ranked = select(
        D.id,
        func.row_number()
        .over(partition_by=D.subscription_id, order_by=(D.next_attempt_at, D.id))
        .label("n"),
    ).where(*due)
    if busy:
        ranked = ranked.where(D.subscription_id.not_in(busy))
    candidates = ranked.subquery()
    # The conditions again on the outer query: PostgreSQL checks them anew on a
    # row whose lock it waited for or found released (another claimer may just
    # have leased it), which it does not do for the subquery's.
    return session.scalars(
        select(D)
        .where(D.id.in_(select(candidates.c.id).where(candidates.c.n <= per_subscription)), *due)
        .order_by(D.next_attempt_at, D.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def leased_by(session: Session, owner: str, ids: Sequence[int]) -> Sequence[WebhookDelivery]:
    return session.scalars(
        select(D).where(D.lease_owner == owner, D.id.in_(ids)).with_for_update()
    ).all()


def prune_finished(session: Session, before: datetime) -> int:
    """Delete the deliveries that finished before ``before`` (their attempts go by
    foreign key); how many."""
    result = session.execute(delete(D).where(D.status != "pending", D.finished_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
