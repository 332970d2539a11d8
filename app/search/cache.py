"""Answers to searches kept in memory, and dropped exactly when they may have changed.

Popular searches repeat (a name in the news is searched by thousands at once), and
a search costs far more than the primary-key reads of the rest of the API. An
answer is kept for a query, its filters, page and the reader's country, with:

* the store's version when it was made: ``PRAGMA data_version`` on SQLite (it moves
  with every commit of another connection), ``pg_current_snapshot()`` on
  PostgreSQL (the same snapshot means the same committed transactions). Any write
  anywhere makes every kept answer stale; the version is read with each search;
* the first moment the answer may change with no write: an article becoming public
  or losing its breaking flag anywhere in the index (both read with the version),
  a video of the answer becoming available or expiring;
* at most ``MAX_AGE_MS`` old, since recency in the ranking moves with the clock
  (in five minutes a hit's recency factor moves by less than 0.02 %).

Requests that miss the same answer at the same version while it is being made
wait for that one search instead of each running their own.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

MAX_AGE_MS = 300_000


@dataclass(slots=True)
class Kept:
    version: Any
    made_ms: int
    valid_until_ms: int | None
    value: Any


class AnswerCache:
    """A bounded LRU of answers, each valid for one store version and a while."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, Kept] = OrderedDict()
        self._making: dict[tuple[Hashable, Any], asyncio.Future[Any]] = {}

    async def get_or_make(
        self,
        key: Hashable,
        version: Any,
        now: int,
        make: Callable[[], Awaitable[tuple[Any, int | None]]],
    ) -> Any:
        """The kept answer, else the one being made, else a new one from ``make``
        (which answers the value and the moment it stops holding)."""
        found = self.get(key, version, now)
        if found is not None:
            return found
        making = self._making.get((key, version))
        if making is not None:
            return await asyncio.shield(making)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._making[(key, version)] = future
        try:
            value, valid_until_ms = await make()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: the waiters, if any, raise it themselves
            raise
        finally:
            del self._making[(key, version)]
        future.set_result(value)
        self.put(key, version, now, valid_until_ms, value)
        return value

    def get(self, key: Hashable, version: Any, now: int) -> Any | None:
        kept = self._kept.get(key)
        if kept is None:
            return None
        if (
            kept.version != version
            or now - kept.made_ms >= MAX_AGE_MS
            or (kept.valid_until_ms is not None and now >= kept.valid_until_ms)
        ):
            del self._kept[key]
            return None
        self._kept.move_to_end(key)
        return kept.value

    def put(
        self, key: Hashable, version: Any, now: int, valid_until_ms: int | None, value: Any
    ) -> None:
        if self.size <= 0:
            return
        self._kept[key] = Kept(version, now, valid_until_ms, value)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
