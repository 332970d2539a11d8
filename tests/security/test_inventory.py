"""API9, improper inventory management: the app serves no route that the committed
spec does not document, and the spec documents nothing the app does not serve."""

from typing import Any

import orjson
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route
from support import FIXTURES

from app.main import create_app

SPEC = orjson.loads((FIXTURES.parent.parent / "openapi" / "openapi.json").read_bytes())
#: Served beside the API and not API operations: the spec itself and its docs.
OUTSIDE_THE_SPEC = {"/openapi.json", "/docs", "/docs/oauth2-redirect"}


def served(routes: list[Any]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found |= served(inner.routes)
        elif isinstance(route, APIRoute | Route):
            for method in route.methods or ():
                if method != "HEAD":
                    found.add((method.lower(), route.path))
        elif isinstance(route, Mount):
            found.add(("mount", route.path))
    return found


def test_every_route_the_app_serves_is_in_the_committed_spec() -> None:
    documented = {
        (method, path) for path, operations in SPEC["paths"].items() for method in operations
    }
    extra = {
        (method, path)
        for method, path in served(create_app().routes)
        if (method, path) not in documented and not path.startswith(tuple(OUTSIDE_THE_SPEC))
    }
    assert extra == set()


def test_every_operation_of_the_spec_is_served() -> None:
    routes = served(create_app().routes)
    for path, operations in SPEC["paths"].items():
        for method in operations:
            assert (method, path) in routes, (method, path)
