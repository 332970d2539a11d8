"""The change log: every change of the public store, numbered in commit order.

``changes.seq`` is given when the writing transaction commits, under the lock of
the single ``change_counter`` row, so a reader that has seen ``seq`` N has seen
every change numbered below it: a cursor is a position in commit order, never a
time. ``change_items`` keeps what the log last said about each item, so that a
change is recorded once however often an item is rendered, and so that the
changes the clock makes (a scheduled publication, an embargo's end, a breaking
flag coming down, a video's availability window) are found when they fall due.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

ITEM_TYPES = ("article", "video")
CHANGES = ("published", "updated", "unpublished", "archived", "deleted", "availability")


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_service_seq", "service", "seq"),
        Index("ix_changes_item_type_seq", "item_type", "seq"),
        # An item's previous change: what a breaking-news stream compares with.
        Index("ix_changes_item_type_item_id_seq", "item_type", "item_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL until the transaction that recorded the change commits.
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    item_type: Mapped[str] = mapped_column(String(8))
    item_id: Mapped[int] = mapped_column(BigInteger)
    service: Mapped[str] = mapped_column(String(32))
    change: Mapped[str] = mapped_column(String(16))
    deleted: Mapped[bool] = mapped_column(Boolean)
    # When the change took effect for readers (a scheduled publication: its time).
    at: Mapped[datetime]
    # When it was committed to the log.
    recorded_at: Mapped[datetime | None]
    # The item as the public store held it then (absent from tombstones).
    etag: Mapped[str | None] = mapped_column(String(64))
    updated_ts: Mapped[int | None] = mapped_column(BigInteger)
    document: Mapped[str | None] = mapped_column(Text)
    withheld_in: Mapped[str] = mapped_column(String(800), default="")
    unavailable_reason: Mapped[str | None] = mapped_column(String(32))


class ChangeItem(Base):
    """An item's public state as the change log last told it."""

    __tablename__ = "change_items"

    item_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    item_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    service: Mapped[str] = mapped_column(String(32))
    public: Mapped[bool] = mapped_column(Boolean)
    fingerprint: Mapped[str] = mapped_column(String(64))
    unavailable_reason: Mapped[str | None] = mapped_column(String(32))
    # When the clock next changes the item's public state (epoch ms), if ever.
    due_ts: Mapped[int | None] = mapped_column(BigInteger, index=True)


class ChangeCounter(Base):
    """One row: the last ``seq`` given. Its row lock orders the commits of writers.

    ``purges`` counts the commits that changed public answers in a way no change
    row describes (see ``app.readmodel.changes``)."""

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime | None]
    purges: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class ChangeConsumer(Base):
    """How far a consumer inside Masthead (the webhook fan-out) has read the log."""

    __tablename__ = "change_consumers"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
