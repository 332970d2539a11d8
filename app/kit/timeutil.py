"""RFC 3339 times and the epoch milliseconds the read model compares."""

import time
from datetime import UTC, datetime


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return rfc3339(value.astimezone(UTC))


def to_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def opt_ms(value: datetime | None) -> int | None:
    return None if value is None else to_ms(value)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def iso_from_ms(value: int) -> str:
    return rfc3339(from_ms(value))


def rfc3339(value: datetime) -> str:
    """Whole seconds with a ``Z``; the year always four digits (``strftime`` gives
    ``65-01-29`` for the year 65)."""
    return value.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def db_time_ms(value: object) -> int | None:
    """Epoch ms of a timestamp as a raw driver returns it (datetime, or text on SQLite)."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return to_ms(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
