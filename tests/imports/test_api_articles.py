"""POST /v1/import with articles in Masthead's own shape, mixed with ninjs."""

from typing import Any

import pytest
from factories import author, bundle, service, term, video
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from store_kit import Desk, dump_store, make_desk
from support import assert_problem

from app.models import Video


@pytest.fixture
def desk(client: TestClient, sessions: sessionmaker[Session], store: Any) -> Desk:
    store(
        bundle(
            services=[service("en"), service("ru")],
            sections=[term("en", "world")],
            tags=[term("en", "politics")],
            authors=[author("jane-roe", "Jane Roe")],
            videos=[video("en", "Budget vote", uri="urn:v:budget")],
        )
    )
    return make_desk(client, sessions)


def own(uri: str, headline: str = "Parliament passes the budget", **extra: Any) -> dict[str, Any]:
    return {
        "uri": uri,
        "headline": headline,
        "body": [{"type": "paragraph", "text": "Lawmakers voted <b>late</b> on Monday."}],
        **extra,
    }


def import_(desk: Desk, items: list[Any], who: str = "en_editor") -> Any:
    return desk.client.post(
        "/v1/import", params={"service": "en"}, json={"items": items}, headers=desk.headers(who)
    )


def video_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        found = session.scalar(select(Video.id).where(Video.uri == "urn:v:budget"))
    assert found is not None
    return found


def test_own_shape_articles_are_upserted_by_uri(desk: Desk, engine: Engine) -> None:
    items = [
        own(
            "urn:a:1",
            section="world",
            tags=["politics"],
            authors=["jane-roe"],
            published_at="2025-09-01T10:00:00Z",
            related_videos=["urn:v:budget"],
        ),
        own("urn:a:2", "Минфин снизил прогноз", language="ru", published_at="2025-09-01T11:00:00Z"),
    ]
    first = import_(desk, items)
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["updated"]) == (2, 0)
    once = dump_store(engine)
    second = import_(desk, items)
    assert second.json()["unchanged"] == 2
    assert dump_store(engine) == once
    article = desk.client.get(f"/v1/articles/{first.json()['items'][0]['id']}").json()
    assert article["section"]["slug"] == "world"
    assert [a["name"] for a in article["authors"]] == ["Jane Roe"]
    assert article["related_videos"][0]["title"] == "Budget vote"
    russian = desk.client.get(f"/v1/articles/{first.json()['items'][1]['id']}").json()
    assert russian["slug"] == "minfin-snizil-prognoz"
    changed = [own("urn:a:2", "Минфин повысил прогноз", published_at="2025-09-01T11:00:00Z")]
    assert import_(desk, changed).json()["updated"] == 1


def test_video_blocks_may_name_the_video_by_id(desk: Desk, sessions: sessionmaker[Session]) -> None:
    vid = video_id(sessions)
    item = own("urn:a:3", published_at="2025-09-01T10:00:00Z")
    item["body"].append({"type": "video", "video_id": vid})
    response = import_(desk, [item])
    assert response.status_code == 200, response.text
    article = desk.client.get(f"/v1/articles/{response.json()['items'][0]['id']}").json()
    assert article["body"][-1] == {"type": "video", "video_id": vid}


def test_own_shape_items_without_uri_or_time(desk: Desk) -> None:
    body = assert_problem(import_(desk, [own("urn:a:4"), {"headline": "x", "body": []}]), 422)
    assert body["errors"][0]["field"] == "items.1.uri"
    assert "required" in body["errors"][0]["message"]
    # Without a time, the first import stamps now and a second keeps it.
    first = import_(desk, [own("urn:a:5")])
    assert first.status_code == 200, first.text
    assert import_(desk, [own("urn:a:5")]).json()["unchanged"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"section": "sport"}, "items.0.section"),
        ({"tags": ["politics", "nope"]}, "items.0.tags.1"),
        ({"authors": ["ghost"]}, "items.0.authors.0"),
        ({"related_videos": ["urn:v:none"]}, "items.0.related_videos.0"),
        ({"service": "ru"}, "items.0.service"),
        ({"colour": "red"}, "items.0.colour"),
        ({"body": [{"type": "marquee", "text": "x"}]}, "items.0.body.0"),
        ({"body": [{"type": "video", "video_id": 999999}]}, "items.0.body.0.video_id"),
        ({"urgency": 12}, "items.0.urgency"),
    ],
)
def test_bad_own_shape_items_are_named(
    desk: Desk, engine: Engine, change: dict[str, Any], field: str
) -> None:
    before = dump_store(engine)
    body = assert_problem(import_(desk, [{**own("urn:a:6"), **change}, own("urn:a:7")]), 422)
    assert body["errors"][0]["field"].startswith(field), body["errors"]
    assert {e["field"].split(".")[1] for e in body["errors"]} == {"0"}
    assert dump_store(engine) == before


def test_ninjs_and_own_items_mix_in_one_batch(desk: Desk) -> None:
    ninjs_item = {
        "uri": "urn:ninjs:1",
        "type": "text",
        "versionCreated": "2025-09-02T08:00:00Z",
        "headlines": [{"role": "main", "value": "Wire story"}],
        "bodies": [{"contentType": "text/plain", "value": "First.\n\nSecond."}],
    }
    response = import_(desk, [ninjs_item, own("urn:a:8", published_at="2025-09-02T09:00:00Z")])
    assert response.status_code == 200, response.text
    kinds = [(i["position"], i["type"]) for i in response.json()["items"]]
    assert kinds == [(0, "article"), (1, "article")]
    wire = desk.client.get(f"/v1/articles/{response.json()['items'][0]['id']}").json()
    assert [b["text"] for b in wire["body"]] == ["First.", "Second."]
