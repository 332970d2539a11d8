"""The committed OpenAPI document is current, complete and has stable operation ids."""

import json
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from app.cli import OPENAPI_PATH, openapi_document
from app.main import create_app

OPERATION_IDS = {
    ("get", "/healthz"): "healthz",
    ("get", "/readyz"): "readyz",
    ("get", "/v1/services"): "list_services",
    ("get", "/v1/services/{code}"): "get_service",
    ("get", "/v1/services/{code}/articles/{slug}"): "get_article_by_slug",
    ("get", "/v1/articles"): "list_articles",
    ("get", "/v1/articles/{article_id}"): "get_article",
    ("get", "/v1/articles/{article_id}/summary"): "get_article_summary",
    ("get", "/v1/articles/{article_id}/related-videos"): "list_related_videos",
    ("get", "/v1/videos"): "list_videos",
    ("get", "/v1/videos/{video_id}"): "get_video",
    ("get", "/v1/sections"): "list_sections",
    ("get", "/v1/sections/{slug}"): "get_section",
    ("get", "/v1/tags"): "list_tags",
    ("get", "/v1/tags/{slug}"): "get_tag",
    ("get", "/v1/authors"): "list_authors",
    ("get", "/v1/authors/{slug}"): "get_author",
    ("get", "/v1/breaking"): "list_breaking",
    ("get", "/v1/feeds/{code}/rss.xml"): "get_rss_feed",
    ("get", "/v1/feeds/{code}/atom.xml"): "get_atom_feed",
    ("get", "/v1/feeds/{code}/feed.json"): "get_json_feed",
    ("get", "/v1/sitemaps/{code}/news.xml"): "get_news_sitemap",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    return document


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    }


def test_committed_spec_is_current() -> None:
    assert OPENAPI_PATH.read_text(encoding="utf-8") == openapi_document(), (
        "openapi/openapi.json is out of date: run `uv run masthead openapi`"
    )


def test_committed_spec_has_sorted_keys(spec: dict[str, Any]) -> None:
    assert OPENAPI_PATH.read_text(encoding="utf-8") == (
        json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every endpoint of the app, looking inside included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # Recent FastAPI keeps an included router whole, behind a wrapper.
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from api_routes(inner.routes)


def test_every_route_of_the_app_is_in_the_spec(spec: dict[str, Any]) -> None:
    documented = operations(spec)
    routes = [route for route in api_routes(create_app().routes) if route.include_in_schema]
    assert len(routes) >= len(OPERATION_IDS)
    for route in routes:
        for method in route.methods - {"HEAD"}:
            assert (method.lower(), route.path) in documented, (method, route.path)


def test_every_documented_path_is_served(spec: dict[str, Any], client: TestClient) -> None:
    samples = {"{code}": "en", "{slug}": "some-slug", "{article_id}": "1", "{video_id}": "1"}
    for (method, path), operation in operations(spec).items():
        if "text/event-stream" in operation["responses"].get("200", {}).get("content", {}):
            # Endless: tests/breaking/test_stream.py reads it from live servers.
            continue
        concrete = path
        for placeholder, value in samples.items():
            concrete = concrete.replace(placeholder, value)
        response = client.request(method.upper(), concrete)
        assert response.status_code != 405, (method, path)
        if response.status_code == 404:
            assert response.json()["detail"] != "No resource at this address.", (method, path)


def test_operation_ids_are_unique(spec: dict[str, Any]) -> None:
    ids = [operation["operationId"] for operation in operations(spec).values()]
    assert len(ids) == len(set(ids))


def test_operation_ids_are_stable_names(spec: dict[str, Any]) -> None:
    found = {key: op["operationId"] for key, op in operations(spec).items()}
    for key, operation_id in OPERATION_IDS.items():
        assert found.get(key) == operation_id, key
    for operation_id in found.values():
        assert operation_id.replace("_", "").isalpha() and operation_id.islower(), operation_id


def test_every_public_read_has_a_summary_and_documents_its_problems(
    spec: dict[str, Any],
) -> None:
    for (method, path), operation in operations(spec).items():
        assert operation.get("summary") or operation.get("description"), (method, path)
        if method == "get" and path.startswith("/v1/"):
            responses = operation["responses"]
            assert "404" in responses or "422" in responses, (method, path)
            for status in ("404", "422"):
                if status in responses:
                    assert "application/problem+json" in responses[status]["content"], (
                        method,
                        path,
                        status,
                    )


def test_documented_error_statuses_use_the_problem_schema(spec: dict[str, Any]) -> None:
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) >= {"type", "title", "status", "detail", "instance"}
    detail = operations(spec)[("get", "/v1/articles/{article_id}")]
    assert {"200", "404", "422", "451"} <= set(detail["responses"])


def test_problems_are_documented_as_problem_json_only(spec: dict[str, Any]) -> None:
    for (method, path), operation in operations(spec).items():
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert set(response["content"]) == {"application/problem+json"}, (
                    method,
                    path,
                    status,
                )
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, status)


def test_every_get_takes_fields(spec: dict[str, Any]) -> None:
    # Feeds and sitemaps are documents of their own formats (RSS, Atom, JSON Feed,
    # the sitemap protocol), not representations of the API's resources.
    for (method, path), operation in operations(spec).items():
        if method == "get" and path.startswith("/v1/") and not path.startswith(FORMATS):
            names = {parameter["name"] for parameter in operation["parameters"]}
            assert "fields" in names, path


FORMATS = ("/v1/feeds/", "/v1/sitemaps/")


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    name = schema["$ref"].removeprefix("#/components/schemas/")
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


def nullable(member: dict[str, Any]) -> bool:
    return {"type": "null"} in member.get("anyOf", [])


def test_every_patch_body_is_one_named_patch_schema(spec: dict[str, Any]) -> None:
    patches = {key: op for key, op in operations(spec).items() if key[0] == "patch"}
    assert len(patches) >= 7
    for (_, path), operation in patches.items():
        content = operation["requestBody"]["content"]
        assert set(content) == {"application/merge-patch+json", "application/json"}, path
        refs = {json.dumps(media["schema"]) for media in content.values()}
        assert len(refs) == 1, path
        ref = content["application/json"]["schema"]["$ref"]
        assert ref.endswith("Patch"), path
        schema = resolve(spec, content["application/json"]["schema"])
        # Every member may be left out, none is unknown, and every member is typed.
        assert "required" not in schema, path
        assert schema["additionalProperties"] is False, path
        assert schema["properties"], path
        for name, member in schema["properties"].items():
            assert "default" not in member, (path, name)
            assert member.get("type") or member.get("anyOf") or member.get("$ref"), (path, name)


def test_the_article_patch_says_what_null_removes(spec: dict[str, Any]) -> None:
    schema = spec["components"]["schemas"]["ArticlePatch"]
    write = spec["components"]["schemas"]["ArticleWrite"]
    assert set(schema["properties"]) == set(write["properties"]) | {"correction"}
    # Members the write shape needs cannot be removed; optional ones can.
    for name in ("service", "headline", "body"):
        assert not nullable(schema["properties"][name]), name
    for name in ("dek", "slug", "lead_image", "section", "tags", "correction"):
        assert nullable(schema["properties"][name]), name
    # A nested object is patched member by member too.
    lead_image = schema["properties"]["lead_image"]["anyOf"][0]
    assert "required" not in resolve(spec, lead_image)
