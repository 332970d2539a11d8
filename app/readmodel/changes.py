"""The change log, projected with the renderings in the same transaction.

``render_articles`` and ``render_videos`` end here: the item's public state as
just rendered is compared with what the log last said (``change_items``), and
a difference becomes a ``changes`` row. The rows are numbered when the
transaction commits, as its last statements, under the lock of the one
``change_counter`` row, so numbers follow commit order on PostgreSQL as on
SQLite (whose writers are serialised by ``BEGIN IMMEDIATE`` anyway).

What the clock changes with no write (a scheduled publication, an embargo's
end, a breaking flag coming down, a video's availability window opening or
closing) is kept as the item's ``due_ts``; ``materialise_due`` records it once
its time has come.

On PostgreSQL the committing transaction also sends ``NOTIFY`` on
``CHANGES_CHANNEL`` with the last number it gave, delivered to listeners when
(and only if) it commits: the breaking-news stream of every server process
wakes on it.

Some writes change public answers with no change row: a notice, a service, a
section, a tag or an author is shown in many answers and logged nowhere. A
commit that wrote any table outside ``app.storeversion.TOLD`` moves the
counter's ``purges`` instead, so that whoever keeps answers (the front cache)
knows to drop them all.
"""

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import BindParameter, Table, bindparam, event, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.kit.timeutil import from_ms, iso_from_ms, now_ms
from app.models import (
    Article,
    ArticleRender,
    Change,
    ChangeCounter,
    ChangeItem,
    VideoRender,
    utcnow,
)

#: ``session.info`` flag: the transaction holds change rows still to number.
PENDING = "masthead.changes.pending"
COUNTER_ID = 1
#: The PostgreSQL notification channel of committed changes (payload: the last seq).
CHANGES_CHANNEL = "masthead_changes"


def insert_ignoring(
    session: Session, model: type[Any] | Table
) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can skip rows already there (``on_conflict_do_nothing``),
    on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def _fingerprint(*parts: object) -> str:
    return hashlib.blake2b(
        "|".join(str(part) for part in parts).encode(), digest_size=16
    ).hexdigest()


# Built once: a write records one item, and building these costs more than running them.
_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_STATES = (
    select(ChangeItem)
    .where(ChangeItem.item_type == bindparam("kind"), ChangeItem.item_id.in_(_IDS))
    .with_for_update()
)
_RENDERED_ARTICLES = (
    select(
        ArticleRender.article_id,
        ArticleRender.service,
        ArticleRender.public_from,
        ArticleRender.etag,
        ArticleRender.updated_ts,
        ArticleRender.breaking_until,
        ArticleRender.withheld_in,
        ArticleRender.teaser,
        Article.status,
    )
    .join(Article, Article.id == ArticleRender.article_id)
    .where(ArticleRender.article_id.in_(_IDS))
)


def _states(session: Session, kind: str, ids: list[int]) -> dict[int, ChangeItem]:
    """The items' last told states, locked until commit (concurrent writers of
    one item compare and record one after the other)."""
    return {state.item_id: state for state in session.scalars(_STATES, {"kind": kind, "ids": ids})}


def _ensure_states(
    session: Session, kind: str, wanted: Mapping[int, str], found: dict[int, ChangeItem]
) -> dict[int, ChangeItem]:
    missing = [item_id for item_id in wanted if item_id not in found]
    if missing:
        # Core executemany: one statement compiled once, whatever the batch's size.
        session.connection().execute(
            insert_ignoring(session, cast(Table, ChangeItem.__table__)).on_conflict_do_nothing(),
            [
                {
                    "item_type": kind,
                    "item_id": item_id,
                    "service": wanted[item_id],
                    "public": False,
                    "fingerprint": "",
                    "unavailable_reason": None,
                    "due_ts": None,
                }
                for item_id in missing
            ],
        )
        found.update(_states(session, kind, missing))
    return found


def _breaking(until: int | None, now: int) -> bytes:
    if until is None or until <= now:
        return b"null"
    return orjson.dumps({"until": iso_from_ms(until)})


def _change_row(
    kind: str,
    item_id: int,
    service: str,
    change: str,
    at: datetime,
    present: dict[str, Any] | None,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "seq": None,
        "item_type": kind,
        "item_id": item_id,
        "service": service,
        "change": change,
        "deleted": present is None,
        "at": at,
        "recorded_at": None,
        "etag": None,
        "updated_ts": None,
        "document": None,
        "withheld_in": "",
        "unavailable_reason": None,
    }
    if present is not None:
        row.update(present)
    return row


def _at(item_id: int, now: int, effective: Mapping[int, int] | None) -> datetime:
    if effective is not None and item_id in effective:
        return from_ms(min(effective[item_id], now))
    return from_ms(now)


def record_articles(
    session: Session,
    article_ids: Iterable[int],
    *,
    now: int | None = None,
    effective: Mapping[int, int] | None = None,
) -> None:
    """Record what changed for readers in these articles, as just rendered.

    ``effective`` gives, per article, when a change made by the clock took
    effect (it is then the change's ``at``)."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    now = now_ms() if now is None else now
    rendered = {row.article_id: row for row in session.execute(_RENDERED_ARTICLES, {"ids": ids})}
    states = _states(session, "article", ids)
    wanted = {
        item_id: row.service
        for item_id, row in rendered.items()
        if row.public_from is not None and item_id not in states
    }
    states = _ensure_states(session, "article", wanted, states)
    changes = []
    for item_id in ids:
        state = states.get(item_id)
        if state is None:
            continue
        row = rendered.get(item_id)
        start = row.public_from if row is not None else None
        state.due_ts = start if start is not None and start > now else None
        if row is not None and start is not None and start <= now:
            until = row.breaking_until
            state.due_ts = until if until is not None and until > now else None
        if row is None or start is None or start > now:
            if state.public:
                if row is None:
                    change = "deleted"
                else:
                    change = "archived" if row.status == "archived" else "unpublished"
                at = _at(item_id, now, effective)
                changes.append(_change_row("article", item_id, state.service, change, at, None))
                state.public = False
                state.fingerprint = ""
            continue
        if state.public and state.service != row.service:
            _moved(session)
        state.service = row.service
        breaking = _breaking(row.breaking_until, now)
        # The flag as readers see it: one that came down is a change of its own.
        flag = row.breaking_until if breaking != b"null" else None
        fingerprint = _fingerprint(row.etag, flag, row.withheld_in)
        if state.public and state.fingerprint == fingerprint:
            continue
        changes.append(
            _change_row(
                "article",
                item_id,
                row.service,
                "updated" if state.public else "published",
                _at(item_id, now, effective),
                {
                    "etag": row.etag,
                    "updated_ts": row.updated_ts,
                    "document": b"".join(
                        (row.teaser.encode(), b',"breaking":', breaking, b"}")
                    ).decode(),
                    "withheld_in": row.withheld_in,
                },
            )
        )
        state.public = True
        state.fingerprint = fingerprint
    _store(session, changes)


def availability_window(rules: list[Any], now: int) -> tuple[str | None, int | None]:
    """Whether the video may be played now, whoever asks (its country rules aside),
    and when that next changes by itself."""
    _, _, start, end, has_sources = rules
    if not has_sources:
        return "no_sources", None
    due = start if start is not None and now < start else None
    if due is None and end is not None and now < end:
        due = end
    if start is not None and now < start:
        return "not_yet_available", due
    if end is not None and now >= end:
        return "expired", due
    return None, due


def record_videos(
    session: Session,
    video_ids: Iterable[int],
    *,
    now: int | None = None,
    effective: Mapping[int, int] | None = None,
) -> None:
    """Record what changed for readers in these videos, as just rendered."""
    ids = sorted(set(video_ids))
    if not ids:
        return
    now = now_ms() if now is None else now
    rendered = {
        row.video_id: row
        for row in session.execute(
            select(
                VideoRender.video_id,
                VideoRender.service,
                VideoRender.etag,
                VideoRender.updated_ts,
                VideoRender.rules,
                VideoRender.detail,
            ).where(VideoRender.video_id.in_(ids))
        )
    }
    states = _states(session, "video", ids)
    wanted = {item_id: row.service for item_id, row in rendered.items() if item_id not in states}
    states = _ensure_states(session, "video", wanted, states)
    changes = []
    for item_id in ids:
        state = states.get(item_id)
        if state is None:
            continue
        row = rendered.get(item_id)
        at = _at(item_id, now, effective)
        if row is None:
            state.due_ts = None
            if state.public:
                changes.append(_change_row("video", item_id, state.service, "deleted", at, None))
                state.public = False
                state.fingerprint = ""
                state.unavailable_reason = None
            continue
        if state.public and state.service != row.service:
            _moved(session)
        state.service = row.service
        reason, state.due_ts = availability_window(orjson.loads(row.rules), now)
        if state.public and state.fingerprint == row.etag:
            if state.unavailable_reason == reason:
                continue
            change = "availability"
        else:
            change = "updated" if state.public else "published"
        changes.append(
            _change_row(
                "video",
                item_id,
                row.service,
                change,
                at,
                {
                    "etag": row.etag,
                    "updated_ts": row.updated_ts,
                    "document": row.detail,
                    "unavailable_reason": reason,
                },
            )
        )
        state.public = True
        state.fingerprint = row.etag
        state.unavailable_reason = reason
    _store(session, changes)


_PURGE = (
    update(ChangeCounter)
    .where(ChangeCounter.id == COUNTER_ID)
    .values(purges=ChangeCounter.purges + 1)
    .execution_options(synchronize_session=False)
)


def _moved(session: Session) -> None:
    """A public item moved to another service: its change names the new one only,
    so whoever keeps the old service's answers is told to drop them all."""
    session.execute(_PURGE)


def _store(session: Session, changes: list[dict[str, Any]]) -> None:
    session.flush()
    if changes:
        session.execute(insert(cast(Table, Change.__table__)), changes)
        session.info[PENDING] = True


def materialise_due(session: Session, now: int | None = None, limit: int = 500) -> int:
    """Record the changes the clock has made by now (scheduled publications,
    embargoes ending, availability windows): once each, whoever gets there first.
    Returns how many items were due."""
    now = now_ms() if now is None else now
    due = session.execute(
        select(ChangeItem.item_type, ChangeItem.item_id, ChangeItem.due_ts)
        .where(ChangeItem.due_ts <= now)
        .order_by(ChangeItem.due_ts)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    by_kind: dict[str, dict[int, int]] = {"article": {}, "video": {}}
    for kind, item_id, due_ts in due:
        by_kind[kind][item_id] = now if due_ts is None else due_ts
    record_articles(session, by_kind["article"], now=now, effective=by_kind["article"])
    record_videos(session, by_kind["video"], now=now, effective=by_kind["video"])
    return len(due)


# Built once, as every committing writer runs them.
_UNNUMBERED = select(func.min(Change.id), func.max(Change.id)).where(Change.seq.is_(None))
_STEP = (
    update(ChangeCounter)
    .where(ChangeCounter.id == COUNTER_ID)
    .values(seq=ChangeCounter.seq + bindparam("span"), recorded_at=bindparam("numbered_at"))
    .returning(ChangeCounter.seq)
    .execution_options(synchronize_session=False)
)
_NUMBER = (
    update(Change)
    .where(Change.seq.is_(None))
    .values(
        seq=Change.id - bindparam("low") + bindparam("first"), recorded_at=bindparam("numbered_at")
    )
    .execution_options(synchronize_session=False)
)


def _advance(session: Session, span: int, at: datetime) -> int:
    """Take the counter's row lock and move it on by ``span``; the first number given."""
    params = {"span": span, "numbered_at": at}
    last = session.execute(_STEP, params).scalar_one_or_none()
    if last is None:
        session.execute(
            insert_ignoring(session, ChangeCounter)
            .values(id=COUNTER_ID, seq=0, recorded_at=None)
            .on_conflict_do_nothing()
        )
        last = session.execute(_STEP, params).scalar_one()
    return int(last) - span + 1


def number_changes(session: Session) -> None:
    """Give the transaction's change rows their numbers: the last thing it does
    before committing, so the counter's lock is held for the commit alone."""
    if not session.info.pop(PENDING, False):
        return
    low, high = session.execute(_UNNUMBERED).one()
    if low is None:
        return
    at = utcnow()
    first = _advance(session, high - low + 1, at)
    session.execute(_NUMBER, {"low": low, "first": first, "numbered_at": at})
    if session.get_bind().dialect.name == "postgresql":
        last = first + high - low
        session.execute(select(func.pg_notify(CHANGES_CHANNEL, str(last))))


# Every session that recorded changes numbers them when it commits, whoever made it.
event.listen(Session, "before_commit", number_changes)

__all__ = [
    "CHANGES_CHANNEL",
    "availability_window",
    "insert_ignoring",
    "materialise_due",
    "number_changes",
    "record_articles",
    "record_videos",
]
