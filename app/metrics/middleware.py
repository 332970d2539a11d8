"""Prometheus metrics and the access log: requests by route template and status,
their latency, the requests in flight, the database pools and the open event streams."""

import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.metrics.logs import AccessLog

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
IN_FLIGHT = Gauge(
    "masthead_http_requests_in_flight",
    "HTTP requests being answered by this worker.",
    registry=REGISTRY,
)
SSE_STREAMS = Gauge(
    "masthead_sse_streams",
    "Server-Sent Events streams open in this worker.",
    registry=REGISTRY,
)
"""Read from the breaking-news broadcaster: ``app.main`` hands it the count with
``SSE_STREAMS.set_function``."""

#: A pool's size and the connections of it in use: (size, in use).
PoolReading = Callable[[], tuple[int, int]]


class PoolCollector(Collector):
    """The database pools of this worker, read when /metrics is scraped."""

    def __init__(self) -> None:
        self.pools: dict[str, PoolReading] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        size = GaugeMetricFamily(
            "masthead_db_pool_connections",
            "Connections open in each database pool of this worker.",
            labels=("pool",),
        )
        used = GaugeMetricFamily(
            "masthead_db_pool_connections_in_use",
            "Connections of each database pool lent to a request right now.",
            labels=("pool",),
        )
        for name, read in sorted(self.pools.items()):
            opened, in_use = read()
            size.add_metric([name], opened)
            used.add_metric([name], in_use)
        yield size
        yield used


POOLS = PoolCollector()
REGISTRY.register(POOLS)


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
    """Counts every request and writes its access line: the request id, method, path,
    route, status and time; never a header or the query string, which may carry secrets."""

    def __init__(self, app: ASGIApp, access_log: AccessLog | None) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id = ""

        async def record_status(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    if name == b"x-request-id":
                        request_id = value.decode("latin-1")
            await send(message)

        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, record_status)
        finally:
            IN_FLIGHT.dec()
            record(scope, status, time.perf_counter() - started, request_id, self.access_log)


def record(
    scope: Scope, status: int, elapsed: float, request_id: str, access_log: AccessLog | None
) -> None:
    """Count an answered request and write its access line (also for the answers
    sent before the middleware stack, see ``app.http.frontdoor``)."""
    route = route_template(scope)
    key = (scope["method"], route, status)
    found = _SERIES.get(key)
    if found is None:
        found = _SERIES[key] = (
            REQUESTS.labels(scope["method"], route, str(status)),
            LATENCY.labels(route),
        )
    found[0].inc()
    found[1].observe(elapsed)
    if access_log is not None:
        access_log.write(
            {
                "request_id": request_id,
                "method": scope["method"],
                "path": scope["path"],
                "route": route,
                "status": status,
                "duration_ms": round(elapsed * 1000, 3),
            }
        )
