"""?format=jsonld: schema.org NewsArticle and VideoObject, checked against the
schema.org vocabulary (every type and property exists, each property on a type
that may have it, each nested node of a type its property expects) and against
the properties Google's article and video results read."""

import gzip
import re
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from factories import article, bundle, service
from fastapi.testclient import TestClient
from feeds.newsroom import LEAD_IMAGE, OPEN_VIDEO, Newsroom

from app.formats.jsonld import duration

VOCABULARY = Path(__file__).parent.parent / "fixtures" / "schemaorg"
VOCABULARY_FILE = VOCABULARY / "schemaorg-current-https-12.0.jsonld.gz"
ISO_DURATION = re.compile(r"^PT(?:\d+H)?(?:\d+M)?(?:\d+S)?$")
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def _ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    return [item["@id"].removeprefix("schema:") for item in items]


class Vocabulary:
    def __init__(self, graph: list[dict[str, Any]]) -> None:
        self.parents: dict[str, list[str]] = {}
        self.domains: dict[str, set[str]] = {}
        self.ranges: dict[str, set[str]] = {}
        for node in graph:
            name = node["@id"].removeprefix("schema:")
            kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
            if "rdfs:Class" in kinds:
                self.parents[name] = _ids(node.get("rdfs:subClassOf"))
            if "rdf:Property" in kinds:
                self.domains[name] = set(_ids(node.get("schema:domainIncludes")))
                self.ranges[name] = set(_ids(node.get("schema:rangeIncludes")))

    def ancestors(self, kind: str) -> set[str]:
        seen = {kind}
        todo = [kind]
        while todo:
            for parent in self.parents.get(todo.pop(), []):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def problems(self, node: dict[str, Any], where: str = "") -> list[str]:
        """Every way the node (and the nodes in it) leaves the vocabulary."""
        kind = node.get("@type")
        if kind not in self.parents:
            return [f"{where}: unknown type {kind!r}"]
        found = []
        lineage = self.ancestors(kind)
        for name, value in node.items():
            if name.startswith("@"):
                continue
            path = f"{where}.{name}"
            if name not in self.domains:
                found.append(f"{path}: unknown property")
                continue
            if not self.domains[name] & lineage:
                found.append(f"{path}: not a property of {kind}")
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    item_kind = item.get("@type", "")
                    if not self.ancestors(item_kind) & self.ranges[name]:
                        found.append(
                            f"{path}: a {item_kind} where {name} expects {self.ranges[name]}"
                        )
                    found.extend(self.problems(item, path))
        return found


@cache
def vocabulary() -> Vocabulary:
    return Vocabulary(orjson.loads(gzip.decompress(VOCABULARY_FILE.read_bytes()))["@graph"])


def jsonld(client: TestClient, path: str, **headers: str) -> dict[str, Any]:
    response = client.get(path, params={"format": "jsonld"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    document: dict[str, Any] = response.json()
    assert document["@context"] == "https://schema.org"
    assert vocabulary().problems(document) == []
    return document


def test_the_vocabulary_check_catches_what_schema_org_does_not_have() -> None:
    check = vocabulary().problems
    assert check({"@type": "NewsArticle", "headline": "x", "dateline": "Kyiv"}) == []
    assert check({"@type": "NewsArticel"})
    assert check({"@type": "NewsArticle", "headlines": "x"})
    assert check({"@type": "NewsArticle", "uploadDate": "2025-01-01"})  # a MediaObject's
    assert check({"@type": "NewsArticle", "author": {"@type": "VideoObject", "name": "x"}})


def test_durations_are_iso_8601() -> None:
    assert duration(0) == "PT0S"
    assert duration(90) == "PT1M30S"
    assert duration(3600) == "PT1H"
    assert duration(3725) == "PT1H2M5S"


def test_an_article_is_a_news_article_with_what_google_reads(
    client: TestClient, newsroom: Newsroom
) -> None:
    article_id = newsroom.ids["urn:storm"]
    plain = client.get(f"/v1/articles/{article_id}").json()
    document = jsonld(client, f"/v1/articles/{article_id}")
    assert document["@type"] == "NewsArticle"
    # Google's article properties: headline, image, datePublished, dateModified, author.
    assert document["headline"] == "Storm closes the harbour"
    assert document["image"][0]["url"] == LEAD_IMAGE
    assert document["image"][0]["creditText"] == "Agency"
    assert ISO_TIME.match(document["datePublished"]) and ISO_TIME.match(document["dateModified"])
    assert [a["name"] for a in document["author"]] == ["Jane Doe", "Ivan Petrov"]
    assert all(a["@type"] == "Person" and a["url"].startswith("http") for a in document["author"])
    assert document["publisher"] == {
        "@type": "Organization",
        "name": "Example News",
        "url": "https://en.news.example",
    }
    assert document["url"] == plain["url"] and document["mainEntityOfPage"]["@id"] == plain["url"]
    assert document["inLanguage"] == "en"
    assert document["isAccessibleForFree"] is True
    assert document["description"] == "Ferries stay in port until Friday."
    assert document["abstract"] == "Ferries stay in port.\nWinds reach 120 km/h & more."
    assert document["articleBody"] == "The harbour closed at noon."
    assert document["articleSection"] == "World"
    assert document["wordCount"] == plain["word_count"]
    assert [v["name"] for v in document["video"]] == [v["title"] for v in plain["related_videos"]]


def test_a_video_object_has_durations_regions_and_sources(
    client: TestClient, newsroom: Newsroom
) -> None:
    videos = {v["title"]: v for v in client.get("/v1/videos").json()["items"]}
    open_video = jsonld(client, f"/v1/videos/{videos['Harbour in the storm']['id']}")
    # Google's video properties: name, thumbnailUrl and uploadDate are required.
    assert open_video["name"] == "Harbour in the storm"
    assert open_video["thumbnailUrl"] == [videos["Harbour in the storm"]["thumbnail"]["url"]]
    assert ISO_TIME.match(open_video["uploadDate"])
    assert open_video["duration"] == "PT1M30S" and ISO_DURATION.match(open_video["duration"])
    assert open_video["contentUrl"] == OPEN_VIDEO
    assert open_video["encoding"][0]["bitrate"] == "2500 kbps"
    assert open_video["isAccessibleForFree"] is True
    assert "description" in open_video

    blocked_id = videos["Not for Russia"]["id"]
    in_ru = jsonld(client, f"/v1/videos/{blocked_id}", **{"CF-IPCountry": "RU"})
    in_de = jsonld(client, f"/v1/videos/{blocked_id}", **{"CF-IPCountry": "DE"})
    assert in_ru["ineligibleRegion"] == ["RU"] == in_de["ineligibleRegion"]
    assert "contentUrl" not in in_ru and "encoding" not in in_ru
    assert in_de["contentUrl"].endswith("blocked-in-ru.mp4")

    gone = jsonld(client, f"/v1/videos/{videos['Gone']['id']}")
    assert "contentUrl" not in gone and ISO_TIME.match(gone["expires"])


def test_regions_allowed_come_from_the_allow_list(client: TestClient, store: Any) -> None:
    from factories import video

    store(
        bundle(videos=[video("en", "Only here", availability={"countries_allowed": ["GB", "IE"]})])
    )
    (item,) = client.get("/v1/videos").json()["items"]
    document = jsonld(client, f"/v1/videos/{item['id']}", **{"CF-IPCountry": "GB"})
    assert document["regionsAllowed"] == ["GB", "IE"] and "contentUrl" in document
    elsewhere = jsonld(client, f"/v1/videos/{item['id']}", **{"CF-IPCountry": "FR"})
    assert "contentUrl" not in elsewhere


def test_translations_and_corrections_are_linked(client: TestClient, store: Any) -> None:
    store(
        bundle(
            services=[service("en"), service("uk")],
            articles=[
                article("en", "Grain deal signed", translation_of="grain"),
                article("uk", "Зернову угоду підписано", translation_of="grain"),
            ],
        )
    )
    teaser = next(t for t in client.get("/v1/articles").json()["items"] if t["language"] == "uk")
    document = jsonld(client, f"/v1/articles/{teaser['id']}")
    (translation,) = document["workTranslation"]
    assert translation["inLanguage"] == "en" and translation["headline"] == "Grain deal signed"
