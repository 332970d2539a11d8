"""Prometheus metrics: requests by route template and status, and their latency."""

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "masthead_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ("method", "route", "status"),
    registry=REGISTRY,
)
LATENCY = Histogram(
    "masthead_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ("route",),
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)


# Each series' children, found once: ``labels()`` takes a lock and builds a key on
# every call, which costs more than a read answered from memory.
_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def route_template(scope: Scope) -> str:
    """The route's path template (never the raw path, whose ids would explode the labels)."""
    template = scope.get("masthead.route")
    if template:
        return str(template)
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = route_template(scope)
            key = (scope["method"], route, status)
            found = _SERIES.get(key)
            if found is None:
                found = _SERIES[key] = (
                    REQUESTS.labels(scope["method"], route, str(status)),
                    LATENCY.labels(route),
                )
            found[0].inc()
            found[1].observe(time.perf_counter() - started)
