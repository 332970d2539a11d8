"""The spec's examples are real: what the demo serves, and valid for their schemas."""

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from app.cli import OPENAPI_PATH
from app.demo.loader import demo_bundles
from app.docs.build_examples import build_examples
from app.docs.examples import recorded_examples

PROBLEM_MEDIA_TYPE = "application/problem+json"
# The answers a reader meets most: each shows at least one recorded example.
MAIN_RESPONSES = {
    ("get_article", "200"),
    ("get_article", "400"),
    ("get_article", "401"),
    ("get_article", "404"),
    ("get_article", "422"),
    ("get_article", "451"),
    ("get_article_by_slug", "200"),
    ("list_articles", "200"),
    ("list_articles", "400"),
    ("list_articles", "422"),
    ("get_article_summary", "200"),
    ("get_article_summary", "451"),
    ("list_related_videos", "200"),
    ("get_video", "200"),
    ("get_video", "404"),
    ("get_service", "200"),
    ("list_services", "200"),
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    return document


def shown_examples(spec: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any], Any]]:
    """(operation, status, media type, schema, example value) for every example of the spec."""
    found = []
    for methods in spec["paths"].values():
        for operation in methods.values():
            for status, response in operation["responses"].items():
                for media_type, content in response.get("content", {}).items():
                    for example in content.get("examples", {}).values():
                        name = example["$ref"].removeprefix("#/components/examples/")
                        value = spec["components"]["examples"][name]["value"]
                        found.append(
                            (operation["operationId"], status, media_type, content["schema"], value)
                        )
    return found


def test_examples_are_what_the_demo_serves() -> None:
    assert build_examples() == recorded_examples(), (
        "app/docs/examples.json is out of date: run `uv run python -m app.docs.build_examples`"
        " then `uv run masthead openapi`"
    )


def test_every_example_is_valid_for_its_response_schema(spec: dict[str, Any]) -> None:
    examples = shown_examples(spec)
    assert len(examples) >= len(spec["components"]["examples"])
    for operation, status, media_type, schema, value in examples:
        validator = Draft202012Validator(
            {**schema, "components": spec["components"]},
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        errors = [error.message for error in validator.iter_errors(value)]
        assert not errors, (operation, status, media_type, errors)
        if status.startswith(("4", "5")):
            assert media_type == PROBLEM_MEDIA_TYPE, (operation, status)
            assert value["status"] == int(status), (operation, status)


def test_the_main_answers_and_problems_have_examples(spec: dict[str, Any]) -> None:
    shown = {(operation, status) for operation, status, *_ in shown_examples(spec)}
    assert shown >= MAIN_RESPONSES, MAIN_RESPONSES - shown


def test_validation_examples_list_the_invalid_fields(spec: dict[str, Any]) -> None:
    problems = [value for _, status, _, _, value in shown_examples(spec) if status == "422"]
    assert problems
    for problem in problems:
        assert problem["errors"], problem
        assert all(error["location"] and error["field"] for error in problem["errors"])


def test_the_article_examples_are_the_seed_story(spec: dict[str, Any]) -> None:
    seed = dict(demo_bundles())["seed.json"]["articles"][0]
    articles = [
        value
        for operation, status, *_, value in shown_examples(spec)
        if operation in ("get_article", "get_article_by_slug") and status == "200"
    ]
    assert articles
    for article in articles:
        assert (article["headline"], article["slug"]) == (seed["headline"], seed["slug"])
