"""Request counts per key and window, shared by every worker process of a host, or by
every host through Redis.

A key's window opens with its first request and lasts the policy's window; the count
of requests in it decides, so exactly ``quota`` requests pass in each window however
many processes serve them. Windows open at each key's own first request, so clients
do not all come back at the same second.
"""

import asyncio
import fcntl
import hashlib
import logging
import mmap
import os
import struct
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

import redis.asyncio as redis
from redis.exceptions import NoScriptError
from sqlalchemy.engine import make_url

log = logging.getLogger("masthead.ratelimit")

# One slot: the key's 16-byte digest, the end of its window (Unix time), its count.
_SLOT = struct.Struct("<16sdq")
#: Keys counted at once on one host; past that (or when the 8 slots a key may take are
#: all in an open window) the slot whose window ends first is given up.
SLOTS = 1 << 16
_PROBES = 8
_MASK = SLOTS - 1
TABLE_SIZE = SLOTS * _SLOT.size
#: The table's layout is part of the file name, so that a new layout never reads an old one.
_LAYOUT = "v1"


class Counter(Protocol):
    async def hit(self, key: str, window: int) -> tuple[int, float]:
        """Count a request: the requests in the key's window so far, this one included,
        and the seconds until the window closes."""
        ...

    async def close(self) -> None: ...


def default_state_file(database_url: str) -> Path:
    """Where the processes serving one database on this host count together: in memory
    (/dev/shm) where the system has it, named after the database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        url = url.set(database=str(Path(url.database).resolve()))
    name = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:24]
    folder = Path("/dev/shm")
    if not (folder.is_dir() and os.access(folder, os.W_OK)):
        folder = Path(tempfile.gettempdir())
    return folder / f"masthead-ratelimit-{_LAYOUT}-{name}"


class HostCounter:
    """A hash table in a memory-mapped file that every worker process maps, updated under
    an exclusive ``flock``: a few microseconds, no thread, no round trip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pid = 0
        self._fd = -1
        self._table: mmap.mmap | None = None
        # Recent keys' digests and first slots: hashing costs as much as the lock.
        self._slots: dict[str, tuple[bytes, int]] = {}

    def _open(self) -> mmap.mmap:
        # A forked process needs its own open file: flock excludes open files, not processes.
        self.close_now()
        self._pid = os.getpid()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                if os.fstat(fd).st_uid != os.geteuid():
                    raise PermissionError(f"{self.path} belongs to another user")
                if os.fstat(fd).st_size < TABLE_SIZE:
                    os.ftruncate(fd, TABLE_SIZE)
                table = mmap.mmap(fd, TABLE_SIZE)
            except BaseException:
                os.close(fd)
                raise
        except OSError as error:
            log.error(
                "Rate limit counts cannot be shared through %s (%s): each worker process "
                "counts alone",
                self.path,
                error,
            )
            self._fd = -1
            self._table = mmap.mmap(-1, TABLE_SIZE)
            return self._table
        self._fd = fd
        self._table = table
        return table

    async def hit(self, key: str, window: int) -> tuple[int, float]:
        return self.hit_now(key, window)

    def hit_now(self, key: str, window: int) -> tuple[int, float]:
        table = self._table
        if table is None or self._pid != os.getpid():
            table = self._open()
        found = self._slots.get(key)
        if found is None:
            digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
            found = digest, int.from_bytes(digest[:4], "little")
            if len(self._slots) >= SLOTS:
                self._slots.clear()
            self._slots[key] = found
        digest, first = found
        fd = self._fd
        if fd >= 0:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            now = time.time()
            free = -1
            oldest = -1
            oldest_end = float("inf")
            for probe in range(_PROBES):
                offset = ((first + probe) & _MASK) * _SLOT.size
                slot_key, end, count = _SLOT.unpack_from(table, offset)
                if slot_key == digest:
                    # A closed window, or one from before the clock was set back, starts anew.
                    if end <= now or end > now + window:
                        end, count = now + window, 0
                    count += 1
                    _SLOT.pack_into(table, offset, digest, end, count)
                    return count, end - now
                if end <= now:
                    if free < 0:
                        free = offset
                elif end < oldest_end:
                    oldest, oldest_end = offset, end
            _SLOT.pack_into(table, free if free >= 0 else oldest, digest, now + window, 1)
            return 1, float(window)
        finally:
            if fd >= 0:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def close_now(self) -> None:
        if self._table is not None:
            self._table.close()
            self._table = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    async def close(self) -> None:
        self.close_now()


# INCR and the expiry of a new key in one atomic step; a key that somehow lost its expiry
# gets one again rather than counting forever.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""
#: How long the counts stay on this host after Redis failed, before Redis is tried again.
REDIS_RETRY_SECONDS = 5.0
REDIS_CONNECT_TIMEOUT_SECONDS = 1.0
REDIS_TIMEOUT_SECONDS = 0.5
REDIS_PREFIX = "masthead:ratelimit:"


class RedisCounter:
    """Counts in Redis, shared by every host; while Redis is unreachable, each host counts
    on its own (``fallback``) and says so in the log, rather than refusing or failing.

    The requests of one turn of the event loop go to Redis together, as one pipeline of
    the counting script: a round trip each costs the hot path twice as much."""

    def __init__(self, url: str, fallback: HostCounter) -> None:
        self.fallback = fallback
        self._redis = redis.Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
        )
        self._sha: str | None = None
        self._pending: list[tuple[str, int, asyncio.Future[tuple[int, int]]]] = []
        self._flushing: set[asyncio.Task[None]] = set()
        self._retry_at = 0.0
        self._failing = False

    async def hit(self, key: str, window: int) -> tuple[int, float]:
        if self._failing and time.monotonic() < self._retry_at:
            return self.fallback.hit_now(key, window)
        loop = asyncio.get_running_loop()
        counted: asyncio.Future[tuple[int, int]] = loop.create_future()
        self._pending.append((f"{REDIS_PREFIX}{window}:{key}", window * 1000, counted))
        if len(self._pending) == 1:
            task = loop.create_task(self._flush())
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)
        try:
            count, ttl = await counted
        except Exception as error:
            if not self._failing:
                log.warning(
                    "Redis is unreachable (%s): rate limits are counted per host until it is back",
                    error,
                )
            self._failing = True
            self._retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            return self.fallback.hit_now(key, window)
        if self._failing:
            self._failing = False
            log.warning("Redis is reachable again: rate limits are counted across hosts")
        return count, ttl / 1000

    async def _flush(self) -> None:
        # The requests that arrive in this turn of the loop join the batch.
        await asyncio.sleep(0)
        batch, self._pending = self._pending, []
        try:
            results = await self._count([(key, ms) for key, ms, _ in batch])
        except Exception as error:
            for _, _, counted in batch:
                if not counted.done():
                    counted.set_exception(error)
            return
        for (_, _, counted), (count, ttl) in zip(batch, results, strict=True):
            if not counted.done():
                counted.set_result((int(count), int(ttl)))

    async def _count(self, batch: list[tuple[str, int]]) -> list[Any]:
        try:
            return await self._pipeline(batch)
        except NoScriptError:
            # Redis restarted, or its scripts were flushed: load the script again.
            self._sha = None
            return await self._pipeline(batch)

    async def _pipeline(self, batch: list[tuple[str, int]]) -> list[Any]:
        if self._sha is None:
            self._sha = str(await self._redis.script_load(_HIT_SCRIPT))
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, ms in batch:
                pipe.execute_command("EVALSHA", self._sha, 1, key, ms)
            results: list[Any] = await pipe.execute()
            return results

    async def close(self) -> None:
        await self._redis.aclose()
        await self.fallback.close()
