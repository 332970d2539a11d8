"""Liveness and readiness."""

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from app.errors import PROBLEM_RESPONSES, ServiceUnavailable
from app.health.shutdown import DRAINING
from app.http.reader import StoreDep
from app.metrics.middleware import REGISTRY

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


@router.get("/metrics", operation_id="metrics", response_class=PlainTextResponse)
async def metrics() -> Response:
    """Prometheus metrics of this worker process."""
    return Response(
        generate_latest(REGISTRY),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/healthz", operation_id="healthz", response_model=Health)
async def healthz() -> Response:
    """The process is alive."""
    return Response(
        orjson.dumps({"status": "ok"}),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


@router.get("/readyz", operation_id="readyz", response_model=Health, responses=PROBLEM_RESPONSES)
async def readyz(request: Request, store: StoreDep) -> Response:
    """The database is reachable and migrated."""
    # A worker that is shutting down takes no new traffic from a balancer.
    if DRAINING.is_set():
        raise ServiceUnavailable("The server is shutting down.", headers={"Retry-After": "1"})
    try:
        await store.ping()
    except Exception:
        raise ServiceUnavailable(
            "The database is unreachable.", headers={"Retry-After": "5"}
        ) from None
    return Response(
        orjson.dumps({"status": "ready"}),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
