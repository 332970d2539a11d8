"""The rate limit, as plain ASGI middleware in front of everything that answers: the fast
path, FastAPI and the cache alike count, and a refused request costs no more than its
count."""

import math
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.errors import send_problem
from app.ratelimit.counters import Counter, HostCounter, RedisCounter, default_state_file
from app.ratelimit.identity import Identify
from app.ratelimit.openapi import document_rate_limits
from app.ratelimit.policies import Policy, policies

#: Probes of load balancers and Prometheus, which must never be refused.
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def make_counter(settings: Settings) -> Counter:
    path = settings.rate_limit_state_file or default_state_file(settings.database_url)
    host = HostCounter(Path(path))
    return RedisCounter(settings.redis_url, host) if settings.redis_url else host


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.policies = policies(settings)
        self.identify = Identify(settings)
        self.counter = make_counter(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            if scope["type"] == "lifespan":
                send = self._closing(send)
            await self.app(scope, receive, send)
            return
        key, name = await self.identify(scope)
        policy = self.policies[name]
        if policy is None:
            await self.app(scope, receive, send)
            return
        count, seconds_left = await self.counter.hit(key, policy.window)
        reset = max(1, math.ceil(seconds_left))
        remaining = policy.quota - count
        fields = (
            (b"ratelimit-policy", policy.policy_field),
            (b"ratelimit", policy.limit_field(max(0, remaining), reset)),
        )
        if remaining < 0:
            await _refuse(scope, send, policy, fields, reset)
            return

        async def send_with_fields(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *fields]
            await send(message)

        await self.app(scope, receive, send_with_fields)

    def _closing(self, send: Send) -> Send:
        async def send_after_closing(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                await self.counter.close()
            await send(message)

        return send_after_closing


async def _refuse(
    scope: Scope, send: Send, policy: Policy, fields: tuple[tuple[bytes, bytes], ...], reset: int
) -> None:
    who = "token" if policy.name != "anonymous" else "client address"
    await send_problem(
        scope,
        send,
        429,
        "Too Many Requests",
        "too-many-requests",
        f"This {who} has used its {policy.quota} requests per {policy.window} "
        f"seconds; try again in {reset} seconds.",
        headers=[(b"retry-after", str(reset).encode()), *fields],
    )


def install_rate_limits(app: FastAPI, settings: Settings) -> None:
    """Count every request when rate limits are on, and document the 429 each operation may
    answer (the spec is the same either way)."""
    if settings.rate_limit_enabled:
        app.add_middleware(RateLimitMiddleware, settings=settings)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        spec = generate()
        document_rate_limits(spec, EXEMPT_PATHS)
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
