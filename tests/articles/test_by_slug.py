"""GET /v1/services/{code}/articles/{slug}: the article by its slug; old slugs redirect."""

from typing import Any

from factories import article, bundle, service
from fastapi.testclient import TestClient
from support import assert_problem


def test_article_is_served_by_its_slug(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en", "Harvest is late", slug="harvest-is-late")]))
    response = client.get("/v1/services/en/articles/harvest-is-late")
    assert response.status_code == 200
    doc = response.json()
    assert doc["headline"] == "Harvest is late"
    by_id = client.get(f"/v1/articles/{doc['id']}")
    assert by_id.json() == doc
    assert response.headers["etag"] == by_id.headers["etag"]


def test_slug_is_made_from_the_headline_when_not_given(client: TestClient, store: Any) -> None:
    store(
        bundle(
            services=[service("en"), service("ru")],
            articles=[
                article("en", "Storm Hits Coast, 3 Dead"),
                article("ru", "Шторм у побережья"),
            ],
        )
    )
    en = client.get("/v1/articles", params={"service": "en"}).json()["items"][0]
    ru = client.get("/v1/articles", params={"service": "ru"}).json()["items"][0]
    assert en["slug"] == "storm-hits-coast-3-dead"
    assert ru["slug"].isascii()
    for item in (en, ru):
        response = client.get(f"/v1/services/{item['service']}/articles/{item['slug']}")
        assert response.json()["id"] == item["id"]


def test_same_headline_gets_distinct_slugs(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en", "Markets fall"), article("en", "Markets fall")]))
    slugs = sorted(item["slug"] for item in client.get("/v1/articles").json()["items"])
    assert slugs == ["markets-fall", "markets-fall-2"]


def test_slug_belongs_to_its_service(client: TestClient, store: Any) -> None:
    store(
        bundle(
            services=[service("en"), service("ru")],
            articles=[article("en", slug="shared-slug")],
        )
    )
    assert client.get("/v1/services/en/articles/shared-slug").status_code == 200
    assert_problem(client.get("/v1/services/ru/articles/shared-slug"), 404)


def test_old_slug_answers_301_to_the_current_one(client: TestClient, store: Any) -> None:
    item = article("en", "Talks begin", slug="talks-begin")
    store(bundle(articles=[item]))
    item["slug"] = "talks-begin-in-geneva"
    item["headline"] = "Talks begin in Geneva"
    store(bundle(articles=[item]))

    old = client.get("/v1/services/en/articles/talks-begin", follow_redirects=False)
    assert old.status_code == 301
    assert old.headers["location"] == "/v1/services/en/articles/talks-begin-in-geneva"
    assert "public" in old.headers["cache-control"]
    followed = client.get("/v1/services/en/articles/talks-begin")
    assert followed.status_code == 200
    assert followed.json()["headline"] == "Talks begin in Geneva"
    assert followed.json()["slug"] == "talks-begin-in-geneva"


def test_redirect_keeps_the_query_string(client: TestClient, store: Any) -> None:
    item = article("en", "First headline", slug="first-slug")
    store(bundle(articles=[item]))
    item.update(slug="second-slug", headline="Second headline")
    store(bundle(articles=[item]))
    old = client.get(
        "/v1/services/en/articles/first-slug", params={"fields": "id"}, follow_redirects=False
    )
    assert old.status_code == 301
    assert old.headers["location"] == "/v1/services/en/articles/second-slug?fields=id"


def test_every_earlier_slug_redirects_to_the_latest(client: TestClient, store: Any) -> None:
    item = article("en", "Headline one", slug="one")
    store(bundle(articles=[item]))
    for slug in ("two", "three"):
        item.update(slug=slug, headline=f"Headline {slug}")
        store(bundle(articles=[item]))
    for slug in ("one", "two"):
        response = client.get(f"/v1/services/en/articles/{slug}", follow_redirects=False)
        assert response.status_code == 301
        assert response.headers["location"] == "/v1/services/en/articles/three"
    assert client.get("/v1/services/en/articles/three").status_code == 200


def test_changing_only_the_slug_moves_the_article(client: TestClient, store: Any) -> None:
    item = article("en", "Same headline", slug="before")
    store(bundle(articles=[item]))
    item["slug"] = "after"
    store(bundle(articles=[item]))
    assert client.get("/v1/services/en/articles/after").status_code == 200
    old = client.get("/v1/services/en/articles/before", follow_redirects=False)
    assert old.status_code == 301
    assert old.headers["location"] == "/v1/services/en/articles/after"


def test_unknown_slug_is_404(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en", slug="real-story")]))
    body = assert_problem(client.get("/v1/services/en/articles/no-such-story"), 404)
    assert body["detail"] == "No published article has this id."


def test_unknown_service_in_slug_path_is_404(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en", slug="real-story")]))
    assert_problem(client.get("/v1/services/xx/articles/real-story"), 404)


def test_malformed_service_code_or_slug_is_422(client: TestClient, store: Any) -> None:
    store(bundle())
    assert_problem(client.get("/v1/services/EN!/articles/real-story"), 422)
    assert_problem(client.get("/v1/services/en/articles/" + "x" * 201), 422)
    assert_problem(client.get("/v1/services/en/articles/bad.slug"), 422)


def test_withheld_article_by_slug_is_451_there(client: TestClient, store: Any) -> None:
    item = article("en", slug="withheld", withheld_in=["RU"])
    store(bundle(articles=[item]))
    assert_problem(
        client.get("/v1/services/en/articles/withheld", headers={"CF-IPCountry": "RU"}), 451
    )
    assert client.get("/v1/services/en/articles/withheld").status_code == 200
    item.update(slug="withheld-renamed", headline="Renamed")
    store(bundle(articles=[item]))
    old = client.get(
        "/v1/services/en/articles/withheld",
        headers={"CF-IPCountry": "RU"},
        follow_redirects=False,
    )
    assert_problem(old, 451)
