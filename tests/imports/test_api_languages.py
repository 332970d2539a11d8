"""POST /v1/import without ?service: each item goes to the service it names, or to
the one service of its language (the exact tag first, then the primary subtag);
none or several is a 422 naming the choices."""

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

from app.models import Article, Service

EXAMPLES = FIXTURES / "iptc-ninjs" / "examples"


def example(name: str, **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads((EXAMPLES / name).read_bytes())
    return {**document, **changes}


@pytest.fixture
def desk(client: TestClient, sessions: sessionmaker[Session], store: Any) -> Desk:
    store(
        bundle(
            services=[
                service("en"),
                service("ru"),
                service("gb", "en-GB"),
                service("norsk", "nb"),
                service("de", "de-DE"),
            ]
        )
    )
    return make_desk(client, sessions)


def import_(desk: Desk, items: list[Any], who: str = "admin") -> Any:
    return desk.client.post("/v1/import", json={"items": items}, headers=desk.headers(who))


def service_of(sessions: sessionmaker[Session], uri: str) -> str:
    with sessions() as session:
        return session.scalars(
            select(Service.code)
            .join(Article, Article.service_id == Service.id)
            .where(Article.uri == uri)
        ).one()


def test_items_go_to_the_one_service_of_their_language(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    ntb = example("ntb_text.json")  # nb-NO: the service whose language is nb
    dpa = example("dpa_text.json")  # de: the service whose language is de-DE
    gb = example("tt_text_image_3.json", language="en-GB")  # exact before en
    en = example("ap_video.json")  # en: exact, although gb shares the primary subtag
    response = import_(desk, [ntb, dpa, gb, en])
    assert response.status_code == 200, response.text
    assert [item["service"] for item in response.json()["items"]] == ["norsk", "de", "gb", "en"]
    assert service_of(sessions, ntb["uri"]) == "norsk"
    assert service_of(sessions, gb["uri"]) == "gb"
    video = desk.client.get(f"/v1/videos/{response.json()['items'][3]['id']}").json()
    assert video["service"] == "en"


def test_a_language_no_service_has_is_a_422_naming_the_services_languages(
    desk: Desk, engine: Engine
) -> None:
    before = dump_store(engine)
    body = assert_problem(
        import_(desk, [example("ntb_text.json"), example("tt_text_image_3.json")]), 422
    )
    assert [error["field"] for error in body["errors"]] == ["items.1.language"]
    message = body["errors"][0]["message"]
    assert "no service has the language 'sv'" in message
    assert "de (de-DE), en (en), gb (en-GB), norsk (nb), ru (ru)" in message
    assert "service=CODE" in message
    assert dump_store(engine) == before


def test_several_services_of_one_language_are_named_and_a_service_is_asked_for(
    desk: Desk,
) -> None:
    us = example("tt_text_image_3.json", language="en-US")  # en and gb share "en"
    body = assert_problem(import_(desk, [us]), 422)
    message = body["errors"][0]["message"]
    assert body["errors"][0]["field"] == "items.0.language"
    assert "several services have the language 'en-US' (en, gb)" in message
    assert "service=CODE" in message
    # Named, it goes there.
    named = desk.client.post(
        "/v1/import", params={"service": "gb"}, json={"items": [us]}, headers=desk.headers("admin")
    )
    assert named.status_code == 200, named.text
    assert named.json()["items"][0]["service"] == "gb"


def test_an_item_without_a_language_asks_for_a_service(desk: Desk) -> None:
    document = example("ntb_text.json")
    document.pop("language")
    body = assert_problem(import_(desk, [document]), 422)
    assert "no language to choose its service by" in body["errors"][0]["message"]


def test_own_shape_items_go_to_the_service_they_name_else_of_their_language(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    body = [{"type": "paragraph", "text": "Депутаты приняли бюджет."}]
    named = {"uri": "urn:a:ru", "service": "ru", "headline": "Бюджет принят", "body": body}
    by_language = {"uri": "urn:a:nb", "language": "nb", "headline": "Budsjett", "body": body}
    response = import_(desk, [named, by_language])
    assert response.status_code == 200, response.text
    assert service_of(sessions, "urn:a:ru") == "ru"
    assert service_of(sessions, "urn:a:nb") == "norsk"
    unknown = {**named, "uri": "urn:a:x", "service": "xx"}
    nothing = {"uri": "urn:a:y", "headline": "No service", "body": body}
    errors = assert_problem(import_(desk, [unknown, nothing]), 422)["errors"]
    assert [(e["field"], e["message"].split(";")[0]) for e in errors] == [
        ("items.0.service", "unknown service 'xx'"),
        ("items.1.language", "the item has no language to choose its service by"),
    ]


def test_each_service_of_the_batch_needs_the_right_to_write_there(
    desk: Desk, engine: Engine
) -> None:
    before = dump_store(engine)
    english = example("ap_video.json")
    russian = copy.deepcopy(example("dpa_text.json", language="ru"))
    assert_problem(import_(desk, [english, russian], who="en_editor"), 403)
    assert_problem(import_(desk, [english], who="en_viewer"), 403)
    assert_problem(import_(desk, [english], who=None), 401)
    assert dump_store(engine) == before
    response = import_(desk, [english, russian], who="both_editor")
    assert response.status_code == 200, response.text
    assert [item["service"] for item in response.json()["items"]] == ["en", "ru"]


def test_with_a_service_every_item_goes_there(desk: Desk, sessions: sessionmaker[Session]) -> None:
    document = example("tt_text_image_3.json")  # sv: no service has it
    response = desk.client.post(
        "/v1/import",
        params={"service": "en"},
        json={"items": [document]},
        headers=desk.headers("admin"),
    )
    assert response.status_code == 200, response.text
    assert service_of(sessions, document["uri"]) == "en"


def test_a_malformed_or_unknown_service_parameter_is_4xx(desk: Desk) -> None:
    items = [example("ntb_text.json")]
    for value, status in (("No Such", 422), ("nope", 404)):
        response = desk.client.post(
            "/v1/import",
            params={"service": value},
            json={"items": items},
            headers=desk.headers("admin"),
        )
        assert_problem(response, status)
