"""A few thousand real news records from ../shared/data, imported through the API in
batches: BBC (English) as ninjs 3, BRUK (Ukrainian) as ninjs 2, Corus (Russian) in
Masthead's own shape. Their licences allow internal tests only: read from
../shared/data at test time, never copied here."""

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from factories import bundle, service
from fastapi.testclient import TestClient
from slugify import slugify
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from store_kit import Desk, make_desk
from support import shared_data

from app.models import Article, Service, Tag

BATCH = 500


def records(name: str) -> list[dict[str, Any]]:
    path = shared_data(f"{name}/{name}.jsonl")
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def when(published: str | None) -> str:
    if not published:
        return "2020-01-01T00:00:00Z"
    if len(published) == 4:
        return f"{published}-01-01T00:00:00Z"
    if len(published) == 10:
        return f"{published}T00:00:00Z"
    return f"{published}Z"


def bbc_as_ninjs_3(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "uri": f"urn:test:{record['id']}",
        "type": "text",
        "language": "en",
        "versionCreated": "2005-01-01T00:00:00Z",
        "headlines": [{"role": "main", "value": record["title"]}],
        "bodies": [{"role": "text", "contentType": "text/plain", "value": record["body"]}],
        "subjects": [{"name": tag} for tag in record["tags"]],
    }


def bruk_as_ninjs_2(record: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "uri": f"urn:test:{record['id']}",
        "type": "text",
        "language": "uk",
        "versioncreated": when(record["published"]),
        "headlines": [{"role": "main", "value": record["title"]}],
        "bodies": [{"contenttype": "text/plain", "value": record["body"]}],
        "subjects": [{"name": tag} for tag in record["tags"]],
    }
    if record.get("authors"):
        document["by"] = ", ".join(record["authors"])
    return document


def corus_as_articles(record: dict[str, Any]) -> dict[str, Any]:
    paragraphs = [p for p in record["body"].replace("nn", "\n").splitlines() if p.strip()]
    return {
        "uri": f"urn:test:{record['id']}",
        "headline": record["title"][:1000],
        "body": [{"type": "paragraph", "text": p} for p in paragraphs],
        "published_at": when(record["published"]),
    }


def batches(items: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


@pytest.fixture
def desk(client: TestClient, sessions: sessionmaker[Session], store: Any) -> Desk:
    store(bundle(services=[service("en"), service("ru"), service("uk")]))
    return make_desk(client, sessions)


def import_all(desk: Desk, code: str, items: list[dict[str, Any]]) -> dict[str, int]:
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    for batch in batches(items):
        response = desk.client.post(
            "/v1/import",
            params={"service": code},
            json={"items": batch},
            headers=desk.headers("admin"),
        )
        assert response.status_code == 200, response.text[:2000]
        for key in totals:
            totals[key] += response.json()[key]
    return totals


def count(sessions: sessionmaker[Session], code: str) -> int:
    with sessions() as session:
        return (
            session.scalar(
                select(func.count(Article.id))
                .join(Service, Service.id == Article.service_id)
                .where(Service.code == code)
            )
            or 0
        )


def test_thousands_of_corpus_records_import_in_batches(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    bbc = records("bbc-news-summary")
    bruk = records("bruk-press-uk")
    corus = records("corus-ru-news-samples")
    assert len(bbc) + len(bruk) + len(corus) > 2800

    assert import_all(desk, "en", [bbc_as_ninjs_3(r) for r in bbc])["created"] == len(bbc)
    assert import_all(desk, "uk", [bruk_as_ninjs_2(r) for r in bruk])["created"] == len(bruk)
    assert import_all(desk, "ru", [corus_as_articles(r) for r in corus])["created"] == len(corus)
    assert (count(sessions, "en"), count(sessions, "uk"), count(sessions, "ru")) == (
        len(bbc),
        len(bruk),
        len(corus),
    )
    with sessions() as session:
        sections = set(session.scalars(select(Tag.slug).join(Service).where(Service.code == "en")))
    assert sections == {"business", "entertainment", "politics", "sport", "tech"}

    # Spot checks: the public article carries the record's headline and text.
    for record, convert in (
        (bbc[0], bbc_as_ninjs_3),
        (bbc[-1], bbc_as_ninjs_3),
        (bruk[7], bruk_as_ninjs_2),
        (corus[3], corus_as_articles),
    ):
        uri = convert(record)["uri"]
        with sessions() as session:
            article_id = session.scalar(select(Article.id).where(Article.uri == uri))
        article = desk.client.get(f"/v1/articles/{article_id}").json()
        assert article["headline"] == " ".join(record["title"].split())
        first_words = " ".join(record["body"].split()[:5])
        assert " ".join(article["body"][0]["text"].split()[:5]) == first_words
        assert article["word_count"] > 20
        assert article["slug"].isascii()
    byline = desk.client.get(
        "/v1/articles", params={"service": "uk", "author": slugify(bruk[0]["authors"][0])}
    ).json()
    assert byline["items"], "the BRUK byline became an author"

    # A batch again: nothing changes.
    again = import_all(desk, "en", [bbc_as_ninjs_3(r) for r in bbc[:BATCH]])
    assert again == {"created": 0, "updated": 0, "unchanged": BATCH}
