"""The delivery worker: runs in every server process (and can be driven directly).

Each pass records the changes the clock has made, fans new changes out into
deliveries, and claims the deliveries that are due within its free places.
Every step that writes first asks the read store whether there is anything to
do, so an idle worker holds no write lock. Deliveries run concurrently, each
bounded in time, so a slow receiver holds up no other.
"""

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import httpx
from sqlalchemy.orm import Session, sessionmaker

from app import __version__
from app.changes.service import anything_due, materialise
from app.config import Settings
from app.models import utcnow
from app.readstore import ReadStore
from app.webhooks import delivery, repository, signing
from app.webhooks.targets import TargetRefused, pin

log = logging.getLogger("masthead.webhooks")
T = TypeVar("T")

#: How often each worker deletes the deliveries past their retention.
PRUNE_EVERY_SECONDS = 3600.0


class DeliveryWorker:
    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], store: ReadStore
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.store = store
        self.owner = f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.client = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(settings.webhook_timeout_seconds),
            limits=httpx.Limits(max_connections=settings.webhook_concurrency),
        )
        self.in_flight: dict[asyncio.Task[None], tuple[int, int]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._pruned_at: float | None = None

    # Database steps, each one transaction in a worker thread --------------------

    async def _write(self, work: Callable[[Session], T]) -> T:
        def run() -> T:
            with self.sessions.begin() as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def _fan_out(self) -> None:
        while await self.store.one(repository.FAN_OUT_BEHIND, {}) is not None:
            read = await self._write(
                lambda session: delivery.fan_out(session, self.settings, utcnow())
            )
            if read < delivery.FAN_OUT_BATCH:
                return

    def _per_subscription(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for subscription_id, _ in self.in_flight.values():
            counts[subscription_id] = counts.get(subscription_id, 0) + 1
        return counts

    async def _claim(self) -> int:
        free = self.settings.webhook_concurrency - len(self.in_flight)
        if free <= 0:
            return 0
        if await self.store.one(repository.ANY_DELIVERY_DUE, {"now": utcnow()}) is None:
            return 0
        in_flight = self._per_subscription()
        claimed = await self._write(
            lambda session: delivery.claim(
                session, self.settings, self.owner, utcnow(), free, in_flight
            )
        )
        for item in claimed:
            task = asyncio.create_task(self._deliver(item))
            self.in_flight[task] = (item.subscription_id, item.id)
            task.add_done_callback(self._done)
        return len(claimed)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.in_flight.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook delivery failed to record", exc_info=task.exception())

    async def _prune(self) -> None:
        clock = time.monotonic()
        if self._pruned_at is not None and clock - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = clock
        before = utcnow() - timedelta(days=self.settings.webhook_retention_days)
        pruned = await self._write(lambda session: repository.prune_finished(session, before))
        if pruned:
            log.info("webhook deliveries past retention deleted", extra={"count": pruned})

    async def run_once(self) -> int:
        """One pass; how many deliveries it started."""
        if await anything_due(self.store):
            await asyncio.to_thread(materialise, self.sessions)
        await self._fan_out()
        await self._prune()
        return await self._claim()

    async def drain(self, timeout: float = 30.0) -> None:
        """Pass after pass until nothing is due or in flight (for tests and tools)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            started = await self.run_once()
            if self.in_flight:
                await asyncio.wait(list(self.in_flight), timeout=deadline - time.monotonic())
            elif not started:
                return
        raise TimeoutError("webhook deliveries still due")

    # The network ----------------------------------------------------------------------

    async def _send(self, claimed: delivery.Claimed) -> delivery.Outcome:
        started_at = utcnow()
        clock = time.monotonic()
        status: int | None = None
        error: str | None = None
        excerpt: str | None = None
        timeout = self.settings.webhook_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                target = await pin(claimed.url, self.settings.webhook_allow_private_targets)
                body = claimed.payload.encode()
                headers = {
                    "Host": target.host_header,
                    "Content-Type": "application/json",
                    "User-Agent": f"Masthead-Webhooks/{__version__}",
                    "Accept-Encoding": "identity",
                    **signing.headers(claimed.secrets, claimed.message_id, int(time.time()), body),
                }
                extensions = {"sni_hostname": target.server_name} if target.server_name else {}
                request = self.client.build_request(
                    "POST", target.url, content=body, headers=headers, extensions=extensions
                )
                response = await self.client.send(request, stream=True)
                try:
                    excerpt = await _excerpt(response)
                finally:
                    await response.aclose()
                status = response.status_code
                if not 200 <= status < 300:
                    error = f"answered {status}"
        except TimeoutError:
            error = f"no answer within {timeout:g} s"
        except TargetRefused as refused:
            error = f"refused: {refused}"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:500] or type(failure).__name__
        return delivery.Outcome(
            started_at=started_at,
            duration_ms=int((time.monotonic() - clock) * 1000),
            status_code=status,
            error=error,
            response_body=excerpt,
        )

    async def _deliver(self, claimed: delivery.Claimed) -> None:
        outcome = await self._send(claimed)
        await self._write(
            lambda session: delivery.finish(
                session, self.settings, self.owner, claimed, outcome, utcnow()
            )
        )

    # Life ------------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("webhook worker pass failed; trying again")
            await asyncio.sleep(self.settings.webhook_poll_seconds)

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop passing; cancel what is in flight and hand its leases back."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
        unfinished = [delivery_id for _, delivery_id in self.in_flight.values()]
        for task in list(self.in_flight):
            task.cancel()
        await asyncio.gather(*self.in_flight, return_exceptions=True)
        if unfinished:
            try:
                await self._write(lambda session: delivery.release(session, self.owner, unfinished))
            except Exception:
                log.exception("could not hand webhook leases back; they expire by themselves")
        await self.client.aclose()


async def _excerpt(response: httpx.Response) -> str | None:
    """The start of the answer, read no further (raw bytes: no decompression)."""
    received = bytearray()
    async for chunk in response.aiter_raw():
        received.extend(chunk)
        if len(received) >= delivery.RESPONSE_EXCERPT:
            break
    if not received:
        return None
    return bytes(received[: delivery.RESPONSE_EXCERPT]).decode("utf-8", "replace")
