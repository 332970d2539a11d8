from typing import Any

from factories import article, bundle


def test_published_article_is_listed_and_served(client: Any, store: Any) -> None:
    store(bundle(articles=[article(headline="Budget vote delayed")]))
    listing = client.get("/v1/articles", params={"service": "en"})
    assert listing.status_code == 200
    items = listing.json()["items"]
    assert [item["headline"] for item in items] == ["Budget vote delayed"]
    detail = client.get(f"/v1/articles/{items[0]['id']}")
    assert detail.status_code == 200
    assert detail.json()["summary"]["source"] == "generated"
