"""Whatever a reader types, search answers 200 or a 4xx problem, never a 5xx or
a syntax error of FTS5 or tsquery."""

from typing import Any

import pytest
from factories import article, bundle
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.search.query import fts5, parse, tsquery

HOSTILE = [
    '"',
    '""',
    '"""',
    "'",
    "''",
    "\\",
    "\\'",
    "*",
    "harbour*",
    "^harbour",
    "harbour:",
    "headline:harbour",
    "{headline body}: harbour",
    "- harbour",
    "--",
    "-",
    "-(",
    "()",
    "(harbour",
    "harbour)",
    "NEAR(harbour storm, 2)",
    "harbour NEAR storm",
    "harbour AND storm",
    "harbour NOT storm",
    "OR harbour OR",
    "harbour OR OR storm",
    "harbour | storm",
    "harbour & storm",
    "!harbour",
    "harbour <-> storm",
    "harbour <2> storm",
    "'harbour':*",
    "harbour:A",
    "a & | ! ( ) : * <-> '",
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "') OR ('1'='1",
    "%",
    "_",
    "%harbour%",
    "\x00",
    "harbour\x00storm",
    "\u202eharbour",
    "\ufeffharbour",
    "harbour\u200bstorm",
    "🙂 harbour 🙂",
    "ＨＡＲＢＯＵＲ",
    "ha\u0301rbour",
    "<script>alert(1)</script>",
    "<mark>harbour</mark>",
    "&lt;mark&gt;",
    "\u0627\u0644\u0645\u064e\u064a\u0646\u064e\u0627\u0621",
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "x" * 300,
    "a " * 16,
    '"' + "harbour " * 30 + '"',
]


@pytest.fixture
def harbour(store: Any) -> None:
    store(bundle(articles=[article("en", "Storm closes the harbour", uri="urn:harbour")]))


@pytest.mark.parametrize("q", HOSTILE)
def test_operators_and_injections_are_only_text(client: TestClient, harbour: None, q: str) -> None:
    for sort in ("relevance", "-published_at"):
        response = client.get("/v1/search", params={"q": q, "sort": sort})
        assert response.status_code == 200, (q, response.text)
        for hit in response.json()["items"]:
            assert hit["headline"] == "Storm closes the harbour"


def test_operators_keep_their_meaning_next_to_text(client: TestClient, harbour: None) -> None:
    def found(q: str) -> int:
        return len(client.get("/v1/search", params={"q": q}).json()["items"])

    assert found("harbour*") == found("(harbour") == found("harbour:A") == 1
    # A column filter is two words here, and no story has the word "headline".
    assert found("headline:harbour") == 0
    assert found("'; DROP TABLE articles; --") == 0
    assert found("harbour") == 1


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(min_size=1, max_size=300))
def test_any_text_is_answered_200_or_400(client: TestClient, harbour: None, q: str) -> None:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code in (200, 400), (q, response.text)
    if response.status_code == 400:
        assert response.json()["errors"][0]["field"] == "q"


@settings(max_examples=400, deadline=None)
@given(q=st.text(max_size=300))
def test_written_queries_hold_only_quoted_terms(q: str) -> None:
    try:
        parsed = parse(q)
    except ValueError:
        return
    if parsed.empty:
        return
    for written in (fts5(parsed), tsquery(parsed)):
        for forbidden in ("\x00", "\\", ";", "--"):
            assert forbidden not in written
    # Every quoted string is made of terms: letters and digits between single spaces.
    inside = fts5(parsed).split('"')[1::2]
    assert all(part and all(term.isalnum() for term in part.split(" ")) for part in inside)
