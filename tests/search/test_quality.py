"""Search quality floors on real data, per language and on each store.

The relevance set is built from ``../shared/data`` by ``bench/search_quality.py``
(its docstring says how); here with 300 records of each news corpus, so the test
stays quick. ``uv run python -m bench.search_quality`` measures on everything.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from support import PRINTED, empty_tables

from app.db import make_sessionmaker
from bench import search_quality
from bench.search_quality import Score

NEWS_LIMIT = 300
# recall@10 and MRR, a few points under what both stores measure (see the README).
FLOORS = {
    "en": (0.95, 0.91),
    "ru": (0.85, 0.76),
    "uk": (0.88, 0.83),
    "fa": (0.92, 0.84),
    "ar": (0.85, 0.77),
}


@pytest.fixture(scope="module")
def scores(engine: Engine, _app_client: TestClient) -> Iterator[dict[str, dict[str, Score]]]:
    if not search_quality.available():
        reason = f"the corpora of ../shared/data are absent ({search_quality.SHARED_DATA})"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    relevance = search_quality.build(NEWS_LIMIT)
    empty_tables(engine)
    try:
        uris = search_quality.load(make_sessionmaker(engine), relevance)
        yield search_quality.evaluate(relevance, search_quality.http_search(_app_client, uris))
    finally:
        empty_tables(engine)


@pytest.mark.parametrize("language", sorted(FLOORS))
def test_recall_and_mrr_hold_their_floor(scores: dict[str, dict[str, Any]], language: str) -> None:
    overall = scores[language]["all"]
    recall_floor, mrr_floor = FLOORS[language]
    assert overall.queries >= 50
    assert overall.recall_at_10 >= recall_floor, scores[language]
    assert overall.mrr >= mrr_floor, scores[language]


def test_inflected_and_respelt_queries_are_measured(
    scores: dict[str, dict[str, Any]],
) -> None:
    assert scores["ru"]["itn"].queries >= 100
    assert scores["uk"]["known-item"].queries >= 100
    assert scores["en"]["spelling"].queries >= 15
    assert scores["uk"]["cross"].queries >= 30


def test_scores_are_printed(
    scores: dict[str, dict[str, Any]], engine: Engine, record_property: Any
) -> None:
    # Printed at the end of the run by the conftest, from whichever worker measured it.
    record_property(PRINTED, search_quality.table({engine.dialect.name: scores}))
    assert set(scores) == set(FLOORS)
