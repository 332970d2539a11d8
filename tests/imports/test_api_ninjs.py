"""POST /v1/import with the IPTC agency examples: ninjs 2.x and 3.x, checked
against the official schemas, upserted by uri, all or nothing."""

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from factories import bundle, service, term
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from store_kit import Desk, assert_no_markup, dump_store, make_desk
from support import FIXTURES, assert_problem

from app.models import Article, Tag

EXAMPLES = FIXTURES / "iptc-ninjs" / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads((EXAMPLES / name).read_bytes())
    return document


def as_ninjs_2(value: Any) -> Any:
    """A ninjs 3 document in ninjs 2 spelling: every member name in lower case
    (``embargoedUntil`` was ``embargoed``)."""
    if isinstance(value, dict):
        return {
            ("embargoed" if key == "embargoedUntil" else key.lower()): as_ninjs_2(item)
            for key, item in value.items()
            if key != "geoJSON"
        }
    if isinstance(value, list):
        return [as_ninjs_2(item) for item in value]
    return value


@pytest.fixture
def desk(client: TestClient, sessions: sessionmaker[Session], store: Any) -> Desk:
    store(bundle(services=[service("en"), service("ru")], tags=[term("en", "crime", "Crime")]))
    return make_desk(client, sessions)


def import_(
    desk: Desk, items: list[Any], service_code: str = "en", who: str = "admin", **headers: str
) -> Any:
    return desk.client.post(
        "/v1/import",
        params={"service": service_code},
        json={"items": items},
        headers=desk.headers(who, **headers),
    )


def test_every_agency_example_is_valid_ninjs_3() -> None:
    from app.imports import ninjs

    assert len(EXAMPLE_FILES) >= 4
    for path in EXAMPLE_FILES:
        assert ninjs.validate(orjson.loads(path.read_bytes())) == "3", path.name


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_each_example_imports_and_a_second_import_changes_nothing(
    desk: Desk, engine: Engine, path: Path
) -> None:
    document = orjson.loads(path.read_bytes())
    first = import_(desk, [document])
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 1
    assert first.headers["cache-control"] == "private, no-store"
    once = dump_store(engine)
    second = import_(desk, [document])
    assert second.status_code == 200, second.text
    assert {k: second.json()[k] for k in ("created", "updated", "unchanged")} == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
    }
    assert [item.pop("outcome") for item in first.json()["items"]] == ["created"]
    again = second.json()["items"]
    assert [item.pop("outcome") for item in again] == ["unchanged"]
    assert again == [{k: v for k, v in i.items() if k != "outcome"} for i in first.json()["items"]]
    assert dump_store(engine) == once


def test_all_examples_in_one_batch(desk: Desk, sessions: sessionmaker[Session]) -> None:
    documents = [orjson.loads(path.read_bytes()) for path in EXAMPLE_FILES]
    response = import_(desk, documents)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["created"] == len(documents)
    assert [item["position"] for item in body["items"]] == list(range(len(documents)))
    kinds = {item["uri"]: item["type"] for item in body["items"]}
    assert kinds[example("ap_video.json")["uri"]] == "video"
    assert kinds[example("dpa_text.json")["uri"]] == "article"
    with sessions() as session:
        assert session.scalar(
            select(Article.id).where(Article.uri == example("ntb_text.json")["uri"])
        )


def test_text_item_is_mapped_to_a_public_article(desk: Desk) -> None:
    document = example("tt_text_image_3.json")
    item = import_(desk, [document]).json()["items"][0]
    article = desk.client.get(f"/v1/articles/{item['id']}").json()
    assert article["headline"] == "Militärövning i jätteformat hålls 2023"
    assert article["language"] == "sv"
    assert article["urgency"] == 3
    assert article["published_at"] == "2021-05-26T11:40:18Z"
    assert article["lead_image"]["url"].endswith("a001_NormalPreview.jpg")
    assert article["lead_image"]["credit"] == "Karl Melander/TT"
    assert article["lead_image"]["width"] == 1024
    kinds = [block["type"] for block in article["body"]]
    assert kinds.count("quote") == 2
    assert "image" not in kinds  # the body's figure is the lead image already
    assert any('href="https://www.sydostran.se/' in b.get("text", "") for b in article["body"])
    assert article["body"][0]["text"] != article["headline"]
    assert [tag["name"] for tag in article["tags"]] == ["Krig, konflikter och oroligheter"]
    assert article["dek"].startswith("Pandemin satte stopp")


def test_byline_becomes_authors_and_times_are_read(desk: Desk) -> None:
    item = import_(desk, [example("dpa_text.json")]).json()["items"][0]
    article = desk.client.get(f"/v1/articles/{item['id']}").json()
    assert [a["name"] for a in article["authors"]] == ["Christian Hollmann", "dpa"]
    assert article["published_at"] == "2019-05-10T14:02:28Z"
    assert article["language"] == "de"
    assert article["urgency"] == 4
    assert len(article["body"]) == 9
    assert article["word_count"] > 400


def test_description_only_item_keeps_its_text_as_body(desk: Desk) -> None:
    item = import_(desk, [example("ntb_text.json")]).json()["items"][0]
    article = desk.client.get(f"/v1/articles/{item['id']}").json()
    assert article["body"][0]["text"].startswith("IT-giganten Google har kjøpt")
    assert article["first_published_at"] == "2019-08-09T09:30:04Z"
    assert article["updated_at"] == "2019-08-09T09:46:53Z"
    assert {t["slug"] for t in article["tags"]} == {
        "innenriks",
        "teknologi",
        "industri",
        "olje-og-energi",
    }


def test_video_item_is_mapped_with_renditions(desk: Desk) -> None:
    item = import_(desk, [example("ap_video.json")]).json()["items"][0]
    assert item["type"] == "video"
    video = desk.client.get(f"/v1/videos/{item['id']}").json()
    assert video["title"] == "House leaders double down on impeachment positions"
    assert video["duration"] == 129  # AP sends milliseconds
    assert {r["mime_type"] for r in video["renditions"]} == {"video/mpeg"}
    assert [r["width"] for r in video["renditions"]] == [640, 1920]
    assert video["thumbnail"]["width"] == 400
    assert video["playable"] is True
    assert "Crime" in [t["name"] for t in video["tags"]]


def test_existing_tags_are_reused_and_never_renamed(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    import_(desk, [example("ap_video.json")])
    with sessions() as session:
        crime = session.scalars(select(Tag).where(Tag.slug == "crime")).all()
    assert [(t.name) for t in crime] == ["Crime"]
    assert desk.client.get("/v1/tags/crime", params={"service": "en"}).json()["name"] == "Crime"


def test_ninjs_2_documents_are_read_against_the_2_1_schema(desk: Desk) -> None:
    from app.imports import ninjs

    document = as_ninjs_2(example("dpa_text.json"))
    document["uri"] = "urn:test:dpa-2"
    assert ninjs.validate(document) == "2"
    response = import_(desk, [document])
    assert response.status_code == 200, response.text
    article = desk.client.get(f"/v1/articles/{response.json()['items'][0]['id']}").json()
    assert article["headline"].startswith("Faktencheck Derby-Elfmeter")
    assert article["published_at"] == "2019-05-10T14:02:28Z"


def test_declared_schema_decides_the_version(desk: Desk) -> None:
    from app.imports import ninjs

    document = {"uri": "urn:test:x", "headlines": [{"value": "Hello"}]}
    assert (
        ninjs.detect_version(
            {**document, "$schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"}
        )
        == "2"
    )
    assert ninjs.detect_version(document) == "3"
    # 3.x member names under a declared 2.x schema are not valid 2.x.
    bad = {
        **example("ntb_text.json"),
        "$schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json",
    }
    body = assert_problem(import_(desk, [bad]), 422)
    assert "2.x" in body["errors"][0]["message"]


def test_one_invalid_item_rejects_the_batch_and_names_it(desk: Desk, engine: Engine) -> None:
    before = dump_store(engine)
    bad = copy.deepcopy(example("dpa_text.json"))
    bad["uri"] = "urn:test:bad"
    bad["headlines"][0]["value"] = 42
    items = [
        example("ntb_text.json"),
        example("ap_video.json"),
        bad,
        example("tt_text_image_3.json"),
    ]
    body = assert_problem(import_(desk, items), 422)
    assert body["errors"] == [
        {
            "location": "body",
            "field": "items.2.headlines.0.value",
            "message": body["errors"][0]["message"],
        }
    ]
    assert "not valid ninjs 3.x" in body["errors"][0]["message"]
    assert "nothing was imported" in body["detail"]
    assert dump_store(engine) == before


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"versionCreated": "yesterday"}, "items.0.versionCreated", "date-time"),
        ({"urgency": "high"}, "items.0.urgency", "integer"),
        ({"unknownMember": 1}, "items.0", "unknownMember"),
        ({"type": "picture"}, "items.0.type", "not imported"),
        ({"uri": "not a uri"}, "items.0.uri", "uri"),
        ({"headlines": [], "title": None}, "items.0", ""),
    ],
)
def test_schema_failures_name_the_path(
    desk: Desk, change: dict[str, Any], field: str, words: str
) -> None:
    document = {**example("ntb_text.json"), **change}
    document = {k: v for k, v in document.items() if v is not None}
    if change.get("headlines") == []:
        document.pop("slugline")
        document.pop("descriptions")
    body = assert_problem(import_(desk, [document]), 422)
    error = body["errors"][0]
    assert error["field"].startswith(field), error
    assert words in error["message"], error


def test_withheld_and_canceled_items_take_the_article_down(desk: Desk, engine: Engine) -> None:
    document = example("ntb_text.json")
    item = import_(desk, [document]).json()["items"][0]
    assert desk.client.get(f"/v1/articles/{item['id']}").status_code == 200
    canceled = {**document, "pubStatus": "canceled"}
    response = import_(desk, [canceled])
    assert response.json()["updated"] == 1
    assert_problem(desk.client.get(f"/v1/articles/{item['id']}"), 404)
    once = dump_store(engine)
    assert import_(desk, [canceled]).json()["unchanged"] == 1
    assert dump_store(engine) == once
    # Released again: public again.
    assert import_(desk, [document]).json()["updated"] == 1
    assert desk.client.get(f"/v1/articles/{item['id']}").status_code == 200


def test_an_import_changing_an_article_makes_older_etags_stale(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    document = example("ntb_text.json")
    import_(desk, [document])
    with sessions() as session:
        version = session.scalar(select(Article.version).where(Article.uri == document["uri"]))
    changed = copy.deepcopy(document)
    changed["headlines"][0]["value"] = "Google kjøper enda mer i Skien"
    assert import_(desk, [changed]).json()["updated"] == 1
    with sessions() as session:
        assert (
            session.scalar(select(Article.version).where(Article.uri == document["uri"]))
            == version + 1
        )


def test_markup_in_ninjs_never_comes_back_out(desk: Desk) -> None:
    document = {
        "uri": "urn:test:xss",
        "type": "text",
        "versionCreated": "2025-01-01T00:00:00Z",
        "headlines": [{"role": "main", "value": "<script>alert(1)</script>Breaking"}],
        "descriptions": [{"value": '<img src=x onerror="alert(1)">Dek'}],
        "bodies": [
            {
                "contentType": "text/html",
                "value": '<p onclick="x()">Hi <a href="javascript:alert(1)">there</a></p>'
                "<script>alert(2)</script><iframe src=javascript:alert(3)></iframe>"
                '<p><img src="javascript:alert(4)"><svg onload=alert(5)></svg>ok</p>',
            }
        ],
        "subjects": [{"name": "<b onmouseover=alert(1)>Evil</b>"}],
        "by": "<script>x</script>Jane Roe",
    }
    response = import_(desk, [document])
    assert response.status_code == 200, response.text
    article = desk.client.get(f"/v1/articles/{response.json()['items'][0]['id']}").json()
    assert_no_markup({k: article[k] for k in ("headline", "dek", "tags", "authors")})
    flat = orjson.dumps(article["body"]).decode().lower()
    assert "javascript:" not in flat and "onclick" not in flat and "<script" not in flat
    assert "<iframe" not in flat and "onload" not in flat and "<svg" not in flat


def test_import_needs_a_token_and_the_right_service(desk: Desk) -> None:
    items = [example("ntb_text.json")]
    assert_problem(import_(desk, items, who=None), 401)
    assert_problem(import_(desk, items, who="en_viewer"), 403)
    assert_problem(import_(desk, items, service_code="ru", who="en_editor"), 403)
    assert import_(desk, items, who="en_editor").status_code == 200
    assert_problem(import_(desk, items, service_code="xx"), 404)


def test_an_item_of_another_service_is_not_moved(desk: Desk, engine: Engine) -> None:
    items = [example("ntb_text.json")]
    assert import_(desk, items, service_code="ru").status_code == 200
    before = dump_store(engine)
    body = assert_problem(import_(desk, items, service_code="en"), 422)
    assert body["errors"][0]["field"] == "items.0.uri"
    assert "another service" in body["errors"][0]["message"]
    assert dump_store(engine) == before


def test_import_honours_idempotency_key(desk: Desk) -> None:
    items = [example("ntb_text.json")]
    first = import_(desk, items, Idempotency_Key="batch-1")
    replay = import_(desk, items, Idempotency_Key="batch-1")
    assert replay.status_code == 200
    assert replay.headers["idempotency-replayed"] == "true"
    assert replay.json() == first.json()
    other = import_(desk, [example("dpa_text.json")], Idempotency_Key="batch-1")
    assert_problem(other, 422)


def test_empty_or_malformed_batches_are_422(desk: Desk) -> None:
    assert_problem(import_(desk, []), 422)
    body = assert_problem(import_(desk, [1, example("ntb_text.json")]), 422)
    assert body["errors"][0]["field"].startswith("items.0")
    response = desk.client.post(
        "/v1/import",
        params={"service": "en"},
        json={"items": [], "more": 1},
        headers=desk.headers("admin"),
    )
    assert_problem(response, 422)


def test_repeated_uri_in_one_batch_is_one_item_applied_once(desk: Desk, engine: Engine) -> None:
    document = example("ntb_text.json")
    body = import_(desk, [document, document]).json()
    assert [(i["outcome"], i["superseded_by"]) for i in body["items"]] == [
        ("superseded", 1),
        ("created", None),
    ]
    once = dump_store(engine)
    assert import_(desk, [document]).json()["unchanged"] == 1
    assert dump_store(engine) == once
