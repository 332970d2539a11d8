"""?format=ninjs: IPTC ninjs 3.1, valid against the official schema, with the
article's and the video's content mapped member by member."""

from functools import cache
from typing import Any

import orjson
import pytest
from factories import article, bundle, notice, service
from fastapi.testclient import TestClient
from feeds.newsroom import LEAD_IMAGE, OPEN_VIDEO, Newsroom
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from support import shared_data

NINJS_TYPE = 'application/json; profile="http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"'


@cache
def validator() -> Draft202012Validator:
    """The official 3.1 schema, with format checking; its one remote reference
    (GeoJSON, for places, which Masthead never emits) is refused, not fetched."""
    schema = orjson.loads(shared_data("iptc-ninjs/ninjs-schema_3.1.json").read_bytes())

    def retrieve(uri: str) -> Resource[Any]:
        raise LookupError(f"not fetched: {uri}")

    registry: Registry[Any] = Registry(retrieve=retrieve).with_resource(
        schema["$id"].rstrip("#"), DRAFT202012.create_resource(schema)
    )
    checker = FormatChecker()
    # The check below must be able to fail: a date-time checker that is missing
    # (rfc3339-validator not installed) would let any string through.
    assert not checker.conforms("yesterday", "date-time")
    return Draft202012Validator(schema, format_checker=checker, registry=registry)


def assert_valid(document: dict[str, Any]) -> None:
    errors = sorted(validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def ninjs(client: TestClient, path: str, **headers: str) -> dict[str, Any]:
    response = client.get(path, params={"format": "ninjs"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == NINJS_TYPE
    document: dict[str, Any] = response.json()
    assert_valid(document)
    return document


def test_the_validator_rejects_what_the_schema_forbids() -> None:
    assert not list(validator().iter_errors({"uri": "urn:x", "urgency": 3}))
    assert list(validator().iter_errors({"headlines": []}))  # no uri
    assert list(validator().iter_errors({"uri": "urn:x", "versionCreated": "monday"}))
    assert list(validator().iter_errors({"uri": "urn:x", "headline": "not a member"}))


def test_every_demo_article_and_video_is_valid_ninjs(demo: TestClient) -> None:
    articles = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = demo.get("/v1/articles", params=params).json()
        articles.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    videos = demo.get("/v1/videos", params={"limit": 100}).json()["items"]
    assert len(articles) > 100 and videos
    for teaser in articles:
        document = ninjs(demo, f"/v1/articles/{teaser['id']}")
        assert document["headlines"][0] == {
            "role": "main",
            "contentType": "text/plain",
            "value": teaser["headline"],
        }
        assert document["language"] == teaser["language"]
    for video in videos:
        document = ninjs(demo, f"/v1/videos/{video['id']}")
        assert document["type"] == "video"


def test_an_article_maps_member_by_member(client: TestClient, newsroom: Newsroom) -> None:
    article_id = newsroom.ids["urn:storm"]
    plain = client.get(f"/v1/articles/{article_id}").json()
    document = ninjs(client, f"/v1/articles/{article_id}")
    assert document["uri"] == f"http://testserver/v1/articles/{article_id}"
    assert document["type"] == "text"
    assert document["standard"]["version"] == "3.1"
    assert document["language"] == "en"
    assert document["urgency"] == plain["urgency"]
    assert document["versionCreated"] == plain["updated_at"]
    assert document["firstCreated"] == plain["first_published_at"]
    assert {(h["role"], h["value"]) for h in document["headlines"]} == {
        ("main", "Storm closes the harbour"),
        ("sub", "Ferries stay in port until Friday."),
    }
    summary = [d for d in document["descriptions"] if d["role"] == "summary"]
    assert summary[0]["value"] == "Ferries stay in port.\nWinds reach 120 km/h & more."
    (body,) = document["bodies"]
    assert body["contentType"] == "text/html"
    assert "<p>The harbour closed at noon.</p>" in body["value"]
    assert body["wordCount"] == plain["word_count"]
    assert document["by"] == "Jane Doe, Ivan Petrov"
    assert {s["literal"] for s in document["subjects"]} == {"world", "weather"}
    by_name = {a["name"]: a for a in document["associations"]}
    feature = by_name["featureimage"]
    assert feature["type"] == "picture" and feature["uri"] == LEAD_IMAGE
    assert feature["renditions"] == [
        {"name": "w1200", "href": LEAD_IMAGE, "width": 1200, "height": 675}
    ]
    assert feature["by"] == "Agency"
    related = [a for a in document["associations"] if a.get("rel") == "related"]
    assert [a["headlines"][0]["value"] for a in related] == [
        v["title"] for v in plain["related_videos"]
    ]


def test_related_videos_keep_their_availability_for_the_reader(
    client: TestClient, newsroom: Newsroom
) -> None:
    article_id = newsroom.ids["urn:storm"]

    def related(country: str) -> dict[str, dict[str, Any]]:
        document = ninjs(client, f"/v1/articles/{article_id}", **{"CF-IPCountry": country})
        return {
            a["headlines"][0]["value"]: a
            for a in document["associations"]
            if a.get("rel") == "related"
        }

    in_ru, in_de = related("RU"), related("DE")
    assert in_ru["Not for Russia"]["pubStatus"] == "withheld"
    assert "usageTerms" in in_ru["Not for Russia"]
    assert not any(
        r.get("contentType") == "video/mp4" for r in in_ru["Not for Russia"].get("renditions", [])
    )
    assert in_de["Not for Russia"]["pubStatus"] == "usable"
    assert any(r["contentType"] == "video/mp4" for r in in_de["Not for Russia"]["renditions"])
    assert in_de["Gone"]["pubStatus"] == "withheld"


def test_a_video_carries_its_renditions_duration_and_thumbnail(
    client: TestClient, newsroom: Newsroom
) -> None:
    videos = client.get("/v1/videos").json()["items"]
    open_video = next(v for v in videos if v["title"] == "Harbour in the storm")
    document = ninjs(client, f"/v1/videos/{open_video['id']}")
    assert document["pubStatus"] == "usable"
    mp4 = next(r for r in document["renditions"] if r["href"] == OPEN_VIDEO)
    assert mp4 == {
        "name": "video-1",
        "href": OPEN_VIDEO,
        "contentType": "video/mp4",
        "duration": 90,
        "width": 1280,
        "height": 720,
        "bitrate": "2500 kbps",
    }
    thumbnails = [r for r in document["renditions"] if r["name"].startswith("thumbnail-")]
    assert thumbnails and thumbnails[0]["href"] == open_video["thumbnail"]["url"]


def test_embargo_translations_notices_and_body_images(client: TestClient, store: Any) -> None:
    store(
        bundle(
            services=[service("en"), service("ru")],
            notices=[notice("ru-law", ["RU"], text="This outlet is banned in Russia.")],
            articles=[
                article(
                    "en",
                    "Talks resume",
                    uri="urn:talks-en",
                    translation_of="talks",
                    embargo_until="2025-01-01T06:00:00Z",
                    urgency=2,
                    body=[
                        {"type": "paragraph", "text": "Talks resumed <b>today</b>."},
                        {
                            "type": "image",
                            "url": "https://media.example/table.jpg",
                            "width": 800,
                            "height": 600,
                            "caption": "The table",
                            "alt": "Delegates at a table",
                        },
                    ],
                ),
                article(
                    "ru", "Переговоры возобновились", uri="urn:talks-ru", translation_of="talks"
                ),
            ],
        )
    )
    teaser = next(
        t for t in client.get("/v1/articles").json()["items"] if t["headline"] == "Talks resume"
    )
    document = ninjs(client, f"/v1/articles/{teaser['id']}", **{"CF-IPCountry": "RU"})
    assert document["embargoedUntil"] == "2025-01-01T06:00:00Z"
    assert document["urgency"] == 2
    notices = [d["value"] for d in document["descriptions"] if d["role"] == "notice"]
    assert notices == ["This outlet is banned in Russia."]
    assert not [
        d
        for d in ninjs(client, f"/v1/articles/{teaser['id']}")["descriptions"]
        if d["role"] == "notice"
    ]
    (translation,) = [a for a in document["associations"] if a.get("rel") == "translation"]
    assert translation["language"] == "ru"
    assert translation["headlines"][0]["value"] == "Переговоры возобновились"
    (image,) = [a for a in document["associations"] if a.get("rel") == "inline"]
    assert image["uri"] == "https://media.example/table.jpg"
    assert image["renditions"][0]["width"] == 800
    assert (
        '<img src="https://media.example/table.jpg" alt="Delegates at a table"'
        in (document["bodies"][0]["value"])
    )


@pytest.mark.parametrize("path", ["/v1/articles/{id}", "/v1/services/en/articles/{slug}"])
def test_both_article_addresses_answer_ninjs(
    client: TestClient, newsroom: Newsroom, path: str
) -> None:
    article_id = newsroom.ids["urn:energy"]
    slug = client.get(f"/v1/articles/{article_id}").json()["slug"]
    document = ninjs(client, path.format(id=article_id, slug=slug))
    assert document["uri"].endswith(f"/v1/articles/{article_id}")
