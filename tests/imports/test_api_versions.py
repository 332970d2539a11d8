"""POST /v1/import with several versions of one agency item: applied in order of
their ninjs version (else versionCreated, else their place), the latest wins, and
an older version than the stored one changes nothing."""

import copy
from typing import Any

import orjson
import pytest
from factories import bundle, service
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from store_kit import Desk, dump_store, make_desk
from support import FIXTURES, assert_problem

from app.models import Article, Tag

EXAMPLES = FIXTURES / "iptc-ninjs" / "examples"


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads((EXAMPLES / name).read_bytes())
    return document


def ntb(version: str | None, created: str | None, headline: str, text: str) -> dict[str, Any]:
    """NTB's Skien item (version 6 in the IPTC examples) as another version of it."""
    document = example("ntb_text.json")
    for name, value in (("version", version), ("versionCreated", created)):
        if value is None:
            document.pop(name)
        else:
            document[name] = value
    document["headlines"][0]["value"] = headline
    document["descriptions"][0]["value"] = text
    return document


#: Three versions of NTB's item as the wire sends them: first take, the expanded
#: version of the IPTC example, and a correction.
V5 = ntb(
    "5",
    "2019-08-09T09:31:40Z",
    "Google kjøper tomt i Skien",
    "Google har kjøpt en tomt i Skien, bekrefter kommunen.",
)
V6 = example("ntb_text.json")
V7 = ntb(
    "7",
    "2019-08-09T10:05:12Z",
    "Google har kjøpt giganttomt i Skien",
    "IT-giganten Google har kjøpt en tomt på nærmere 2.000 mål i Skien. (Rettet: arealet "
    "er 2.000 mål, ikke 200 mål som tidligere meldt.)",
)


@pytest.fixture
def desk(client: TestClient, sessions: sessionmaker[Session], store: Any) -> Desk:
    store(bundle(services=[service("en"), service("ru")]))
    return make_desk(client, sessions)


def import_(desk: Desk, items: list[Any], who: str = "en_editor") -> Any:
    return desk.client.post(
        "/v1/import", params={"service": "en"}, json={"items": items}, headers=desk.headers(who)
    )


def counts(body: dict[str, Any]) -> dict[str, int]:
    names = ("created", "updated", "unchanged", "superseded", "outdated")
    return {name: body[name] for name in names}


def stored(sessions: sessionmaker[Session], uri: str) -> Article:
    with sessions() as session:
        found = session.scalars(select(Article).where(Article.uri == uri)).one()
        session.expunge(found)
    return found


def test_the_latest_version_wins_whatever_the_order_and_the_answer_says_so(
    desk: Desk, sessions: sessionmaker[Session], engine: Engine
) -> None:
    response = import_(desk, [V6, V7, V5])
    assert response.status_code == 200, response.text
    body = response.json()
    assert counts(body) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "superseded": 2,
        "outdated": 0,
    }
    outcomes = [(i["position"], i["outcome"], i["superseded_by"]) for i in body["items"]]
    assert outcomes == [(0, "superseded", 1), (1, "created", None), (2, "superseded", 1)]
    assert len({item["id"] for item in body["items"]}) == 1
    article = desk.client.get(f"/v1/articles/{body['items'][1]['id']}").json()
    assert "Rettet: arealet er 2.000 mål" in article["body"][0]["text"]
    assert article["updated_at"] == "2019-08-09T10:05:12Z"
    row = stored(sessions, V6["uri"])
    assert (row.source_version, row.source_version_created.isoformat()) == (
        7,
        "2019-08-09T10:05:12+00:00",
    )
    # The same batch again changes nothing.
    once = dump_store(engine)
    again = import_(desk, [V6, V7, V5]).json()
    assert counts(again)["unchanged"] == 1 and counts(again)["superseded"] == 2
    assert dump_store(engine) == once


def test_an_older_version_than_the_stored_one_changes_nothing(
    desk: Desk, sessions: sessionmaker[Session], engine: Engine
) -> None:
    assert import_(desk, [V7]).json()["created"] == 1
    once = dump_store(engine)
    late = import_(desk, [V5, V6]).json()
    assert counts(late) == {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "superseded": 1,
        "outdated": 1,
    }
    assert [item["outcome"] for item in late["items"]] == ["superseded", "outdated"]
    assert late["items"][1]["id"] == late["items"][0]["id"]
    assert dump_store(engine) == once
    assert "Rettet" in stored(sessions, V7["uri"]).body[0]["text"]
    # A later version still applies, and becomes the one later versions are compared to.
    v8 = ntb("8", "2019-08-09T11:00:00Z", "Google bekrefter kjøp i Skien", "Google bekrefter.")
    assert import_(desk, [v8]).json()["updated"] == 1
    assert stored(sessions, V7["uri"]).headline == "Google bekrefter kjøp i Skien"
    assert import_(desk, [V7]).json()["outdated"] == 1


def test_without_a_version_number_version_created_orders_them(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    # dpa's item with its version left out, and with one that is not a whole number.
    later = copy.deepcopy(example("dpa_text.json"))
    later.pop("version")
    later["headlines"][0]["value"] = "Faktencheck: Der Elfmeter im Derby war korrekt"
    earlier = copy.deepcopy(example("dpa_text.json"))
    earlier["version"] = "1.b"
    earlier["versionCreated"] = "2019-05-10T15:40:00+02:00"
    body = import_(desk, [later, earlier]).json()
    assert [item["outcome"] for item in body["items"]] == ["created", "superseded"]
    assert body["items"][1]["superseded_by"] == 0
    row = stored(sessions, later["uri"])
    assert row.headline == "Faktencheck: Der Elfmeter im Derby war korrekt"
    assert row.source_version is None
    # Compared with the store by versionCreated too.
    assert import_(desk, [earlier]).json()["outdated"] == 1


def test_versions_that_name_no_order_are_applied_in_their_place(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    first = {
        "uri": "urn:masthead:budget-vote",
        "headline": "Parliament votes on the budget tonight",
        "body": [{"type": "paragraph", "text": "The vote is expected after 22:00."}],
    }
    second = {
        **first,
        "headline": "Parliament passes the budget",
        "body": [{"type": "paragraph", "text": "The budget passed by 201 votes to 148."}],
    }
    body = import_(desk, [first, second]).json()
    assert [item["outcome"] for item in body["items"]] == ["superseded", "created"]
    assert stored(sessions, first["uri"]).headline == "Parliament passes the budget"
    # One version with a number, one without: neither criterion orders both.
    numbered = ntb("9", None, "Google kjøper i Skien", "Første melding.")
    plain = ntb(None, None, "Google kjøper stort i Skien", "Andre melding.")
    body = import_(desk, [numbered, plain]).json()
    assert [item["outcome"] for item in body["items"]] == ["superseded", "created"]


def test_a_later_kill_takes_the_article_down_and_a_late_older_version_does_not_bring_it_back(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    killed = ntb("8", "2019-08-09T12:00:00Z", "DREPT: Google", "Meldingen er trukket.")
    killed["pubStatus"] = "canceled"
    created = import_(desk, [V6]).json()["items"][0]
    body = import_(desk, [killed, V7]).json()
    assert [item["outcome"] for item in body["items"]] == ["updated", "superseded"]
    assert_problem(desk.client.get(f"/v1/articles/{created['id']}"), 404)
    assert stored(sessions, V6["uri"]).source_version == 8
    late = import_(desk, [V7]).json()
    assert [item["outcome"] for item in late["items"]] == ["outdated"]
    assert stored(sessions, V6["uri"]).status == "archived"


def test_video_versions_are_ordered_the_same_way(desk: Desk) -> None:
    first = example("ap_video.json")
    update = copy.deepcopy(first)
    update["version"] = "1"
    update["versionCreated"] = "2019-11-14T20:12:03Z"
    update["headlines"][0]["value"] = "House leaders spar over impeachment inquiry"
    body = import_(desk, [update, first]).json()
    assert [item["outcome"] for item in body["items"]] == ["created", "superseded"]
    video = desk.client.get(f"/v1/videos/{body['items'][0]['id']}").json()
    assert video["title"] == "House leaders spar over impeachment inquiry"
    assert import_(desk, [first]).json()["outdated"] == 1


def test_only_the_applied_version_creates_tags(desk: Desk, sessions: sessionmaker[Session]) -> None:
    v5 = copy.deepcopy(V5)
    v5["subjects"].append({"name": "Eiendom", "literal": "04004000"})
    import_(desk, [v5, V6])
    with sessions() as session:
        slugs = set(session.scalars(select(Tag.slug)))
    assert slugs == {"innenriks", "teknologi", "industri", "olje-og-energi"}


def test_a_bad_superseded_version_rejects_the_whole_batch(desk: Desk, engine: Engine) -> None:
    before = dump_store(engine)
    bad = copy.deepcopy(V5)
    bad["urgency"] = "high"
    body = assert_problem(import_(desk, [bad, V6, example("dpa_text.json")]), 422)
    assert [error["field"] for error in body["errors"]] == ["items.0.urgency"]
    assert dump_store(engine) == before


def test_versions_of_another_services_item_are_not_moved(desk: Desk, engine: Engine) -> None:
    response = desk.client.post(
        "/v1/import", params={"service": "ru"}, json={"items": [V6]}, headers=desk.headers("admin")
    )
    assert response.status_code == 200, response.text
    before = dump_store(engine)
    body = assert_problem(import_(desk, [V5, V7], who="admin"), 422)
    assert [error["field"] for error in body["errors"]] == ["items.1.uri"]
    assert dump_store(engine) == before
