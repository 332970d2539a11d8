"""GET /v1/articles/{id}: the full representation and its per-reader parts."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import article, author, bundle, iso, notice, service, term, video
from fastapi.testclient import TestClient
from support import assert_problem, soon, wait_until

ARTICLE_FIELDS = {
    "id",
    "service",
    "language",
    "slug",
    "url",
    "status",
    "kicker",
    "headline",
    "dek",
    "summary",
    "body",
    "lead_image",
    "authors",
    "section",
    "tags",
    "breaking",
    "urgency",
    "first_published_at",
    "published_at",
    "updated_at",
    "embargo_until",
    "word_count",
    "reading_time_minutes",
    "translations",
    "corrections",
    "related_videos",
    "notices",
}

PARAGRAPHS = [
    "The central bank raised its main rate by half a point on Thursday. Markets fell.",
    "Inflation has stayed above target for two years, the governor said.",
    "Economists expect one more rise before the end of the year.",
]


def only_id(client: TestClient, **params: Any) -> int:
    [item] = client.get("/v1/articles", params=params).json()["items"]
    return int(item["id"])


def get(client: TestClient, article_id: int, country: str | None = None) -> Any:
    headers = {"CF-IPCountry": country} if country else {}
    return client.get(f"/v1/articles/{article_id}", headers=headers)


def test_detail_has_every_documented_field(client: TestClient, store: Any) -> None:
    store(
        bundle(
            sections=[term("en", "economy")],
            tags=[term("en", "rates"), term("en", "inflation")],
            authors=[author("jane-doe", "Jane Doe"), author("ivan-petrov", "Ivan Petrov")],
            articles=[
                article(
                    "en",
                    "Central bank raises rates",
                    slug="central-bank-raises-rates",
                    kicker="Economy",
                    dek="The second rise this year.",
                    paragraphs=PARAGRAPHS,
                    lead_image={"url": "https://img.example/bank.jpg", "width": 800},
                    section="economy",
                    tags=["rates", "inflation"],
                    authors=["ivan-petrov", "jane-doe"],
                    urgency=3,
                    first_published_at="2025-09-01T08:00:00Z",
                    published_at="2025-09-01T09:00:00Z",
                    updated_at="2025-09-01T09:45:00Z",
                )
            ],
        )
    )
    response = get(client, only_id(client))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    doc = response.json()
    assert set(doc) == ARTICLE_FIELDS
    assert doc["service"] == "en"
    assert doc["language"] == "en"
    assert doc["slug"] == "central-bank-raises-rates"
    assert doc["url"] == "https://en.news.example/a/central-bank-raises-rates"
    assert doc["status"] == "published"
    assert doc["kicker"] == "Economy"
    assert doc["headline"] == "Central bank raises rates"
    assert doc["dek"] == "The second rise this year."
    assert doc["lead_image"]["url"] == "https://img.example/bank.jpg"
    assert doc["lead_image"]["width"] == 800
    assert doc["section"] == {"slug": "economy", "name": "Economy"}
    # Tags and authors keep the order the editors gave.
    assert [tag["slug"] for tag in doc["tags"]] == ["rates", "inflation"]
    assert doc["authors"] == [
        {"slug": "ivan-petrov", "name": "Ivan Petrov"},
        {"slug": "jane-doe", "name": "Jane Doe"},
    ]
    assert doc["urgency"] == 3
    assert doc["first_published_at"] == "2025-09-01T08:00:00Z"
    assert doc["published_at"] == "2025-09-01T09:00:00Z"
    assert doc["updated_at"] == "2025-09-01T09:45:00Z"
    assert doc["embargo_until"] is None
    words = sum(len(text.replace(".", " ").replace(",", " ").split()) for text in PARAGRAPHS)
    assert doc["word_count"] == words
    assert doc["reading_time_minutes"] == 1
    assert doc["breaking"] is None
    assert doc["translations"] == []
    assert doc["corrections"] == []
    assert doc["related_videos"] == []
    assert doc["notices"] == []


def test_a_later_bundle_may_name_authors_loaded_earlier(client: TestClient, store: Any) -> None:
    store(
        bundle(
            authors=[author("jane-doe", "Jane Doe")], articles=[article("en", authors=["jane-doe"])]
        )
    )
    store(bundle(articles=[article("en", "Second story", authors=["jane-doe"])]))
    items = client.get("/v1/articles").json()["items"]
    assert items[0]["headline"] == "Second story"
    detail = get(client, items[0]["id"]).json()
    assert detail["authors"] == [{"slug": "jane-doe", "name": "Jane Doe"}]


def test_long_article_reading_time_grows_with_words(client: TestClient, store: Any) -> None:
    long_text = " ".join(["word"] * 1000)
    store(bundle(articles=[article("en", paragraphs=[long_text])]))
    doc = get(client, only_id(client)).json()
    assert doc["word_count"] == 1000
    assert doc["reading_time_minutes"] == 5


def test_body_blocks_come_back_typed_and_in_order(client: TestClient, store: Any) -> None:
    store(
        bundle(
            videos=[video("en", "Interview with the governor", uri="urn:v:governor")],
            articles=[
                article(
                    "en",
                    "Rates explained",
                    body=[
                        {"type": "paragraph", "text": "Rates rose <b>sharply</b>."},
                        {"type": "heading", "text": "What it means", "level": 3},
                        {
                            "type": "quote",
                            "text": "We will do what it takes.",
                            "attribution": "The governor",
                        },
                        {"type": "list", "style": "ordered", "items": ["Loans", "Savings"]},
                        {
                            "type": "image",
                            "url": "https://img.example/chart.png",
                            "caption": "The rate since 2020.",
                            "credit": "Central bank",
                            "alt": "A rising line",
                            "width": 640,
                            "height": 480,
                        },
                        {"type": "video", "video_uri": "urn:v:governor"},
                        {
                            "type": "embed",
                            "url": "https://social.example/post/1",
                            "provider": "Social",
                        },
                    ],
                )
            ],
        )
    )
    video_id = client.get("/v1/videos").json()["items"][0]["id"]
    body = get(client, only_id(client)).json()["body"]
    assert body == [
        {"type": "paragraph", "text": "Rates rose <b>sharply</b>."},
        {"type": "heading", "text": "What it means", "level": 3},
        {"type": "quote", "text": "We will do what it takes.", "attribution": "The governor"},
        {"type": "list", "style": "ordered", "items": ["Loans", "Savings"]},
        {
            "type": "image",
            "url": "https://img.example/chart.png",
            "caption": "The rate since 2020.",
            "credit": "Central bank",
            "alt": "A rising line",
            "width": 640,
            "height": 480,
            # No resizer is configured: the original is the only rendition.
            "renditions": [{"url": "https://img.example/chart.png", "width": 640, "height": 480}],
        },
        {"type": "video", "video_id": video_id},
        {"type": "embed", "url": "https://social.example/post/1", "provider": "Social"},
    ]


def test_body_text_is_served_sanitised(client: TestClient, store: Any) -> None:
    store(
        bundle(
            articles=[
                article(
                    "en",
                    "Sanitised <script>alert(1)</script>story",
                    body=[
                        {
                            "type": "paragraph",
                            "text": 'Hello <script>alert("x")</script><a href="javascript:alert(1)"'
                            ' onclick="steal()">link</a> <img src=x onerror="boom()"> '
                            '<a href="https://ok.example/">fine</a>',
                        },
                        {"type": "quote", "text": "<i onmouseover='x()'>Quoted</i>"},
                    ],
                )
            ],
        )
    )
    response = get(client, only_id(client))
    raw = response.text.lower()
    for bad in ("<script", "javascript:", "onclick", "onerror", "onmouseover", "<img"):
        assert bad not in raw
    doc = response.json()
    assert "script" not in doc["headline"].lower()
    assert 'href="https://ok.example/"' in doc["body"][0]["text"]
    assert doc["body"][1]["text"] == "<i>Quoted</i>"


def test_editorial_summary_is_served_verbatim(client: TestClient, store: Any) -> None:
    bullets = ["The bank raised rates.", "Markets fell.", "One more rise is expected."]
    store(bundle(articles=[article("en", summary=bullets, updated_at="2025-09-02T00:00:00Z")]))
    summary = get(client, only_id(client)).json()["summary"]
    assert summary == {
        "bullets": bullets,
        "source": "editorial",
        "updated_at": "2025-09-02T00:00:00Z",
    }


def test_without_editorial_summary_one_is_generated_from_the_text(
    client: TestClient, store: Any
) -> None:
    store(bundle(articles=[article("en", paragraphs=PARAGRAPHS)]))
    summary = get(client, only_id(client)).json()["summary"]
    assert summary["source"] == "generated"
    assert 1 <= len(summary["bullets"]) <= 3
    text = " ".join(PARAGRAPHS)
    for bullet in summary["bullets"]:
        assert bullet in text
    assert len(set(summary["bullets"])) == len(summary["bullets"])


def test_generated_summary_of_a_russian_article_keeps_its_language(
    client: TestClient, store: Any
) -> None:
    paragraphs = [
        "Центральный банк повысил ключевую ставку. Рынки отреагировали падением.",
        "Инфляция остаётся выше цели уже два года, заявила глава банка.",
    ]
    store(bundle(services=[service("ru")], articles=[article("ru", paragraphs=paragraphs)]))
    summary = get(client, only_id(client)).json()["summary"]
    assert summary["source"] == "generated"
    assert 1 <= len(summary["bullets"]) <= 3
    for bullet in summary["bullets"]:
        assert bullet in " ".join(paragraphs)


def test_removing_the_editorial_summary_falls_back_to_the_generated_one(
    client: TestClient, store: Any
) -> None:
    item = article("en", paragraphs=PARAGRAPHS, summary=["Editors' point."])
    store(bundle(articles=[item]))
    article_id = only_id(client)
    assert get(client, article_id).json()["summary"]["source"] == "editorial"
    del item["summary"]
    store(bundle(articles=[item]))
    assert get(client, article_id).json()["summary"]["source"] == "generated"


def test_breaking_is_null_when_not_flagged(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en")]))
    assert get(client, only_id(client)).json()["breaking"] is None


def test_breaking_carries_its_expiry_while_active(client: TestClient, store: Any) -> None:
    until = iso(datetime.now(UTC) + timedelta(hours=3))
    store(bundle(articles=[article("en", breaking_until=until)]))
    assert get(client, only_id(client)).json()["breaking"] == {"until": until}


def test_expired_breaking_flag_is_null(client: TestClient, store: Any) -> None:
    until = iso(datetime.now(UTC) - timedelta(minutes=1))
    store(bundle(articles=[article("en", breaking_until=until)]))
    assert get(client, only_id(client)).json()["breaking"] is None


def test_breaking_flag_expires_without_a_new_write(client: TestClient, store: Any) -> None:
    until = soon()
    store(bundle(articles=[article("en", breaking_until=iso(until))]))
    article_id = only_id(client)
    assert get(client, article_id).json()["breaking"] == {"until": iso(until)}
    wait_until(until)
    assert get(client, article_id).json()["breaking"] is None
    assert client.get("/v1/articles").json()["items"][0]["breaking"] is None


def test_translations_list_each_other(client: TestClient, store: Any) -> None:
    store(
        bundle(
            services=[service("en"), service("ru"), service("uk")],
            articles=[
                article("en", "Talks stall", uri="urn:en", translation_of="story-1"),
                article("ru", "Переговоры зашли в тупик", uri="urn:ru", translation_of="story-1"),
                article("uk", "Інша історія", uri="urn:uk"),
            ],
        )
    )
    en_id = only_id(client, service="en")
    ru_id = only_id(client, service="ru")
    uk_id = only_id(client, service="uk")
    en = get(client, en_id).json()
    ru = get(client, ru_id).json()
    assert en["translations"] == [
        {
            "id": ru_id,
            "service": "ru",
            "language": "ru",
            "slug": ru["slug"],
            "url": ru["url"],
            "headline": "Переговоры зашли в тупик",
        }
    ]
    assert [t["id"] for t in ru["translations"]] == [en_id]
    assert ru["translations"][0]["headline"] == "Talks stall"
    assert get(client, uk_id).json()["translations"] == []


def test_corrections_are_listed_in_time_order(client: TestClient, store: Any) -> None:
    store(
        bundle(
            articles=[
                article(
                    "en",
                    corrections=[
                        {"at": "2025-09-03T10:00:00Z", "text": "The vote is on Friday."},
                        {
                            "at": "2025-09-02T10:00:00Z",
                            "text": "An earlier version misspelt a name.",
                        },
                    ],
                )
            ]
        )
    )
    assert get(client, only_id(client)).json()["corrections"] == [
        {"at": "2025-09-02T10:00:00Z", "text": "An earlier version misspelt a name."},
        {"at": "2025-09-03T10:00:00Z", "text": "The vote is on Friday."},
    ]


def test_withheld_article_is_451_in_that_country_only(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en", withheld_in=["RU"])]))
    article_id = only_id(client)
    body = assert_problem(get(client, article_id, "RU"), 451)
    assert body["title"] == "Unavailable For Legal Reasons"
    assert get(client, article_id, "ru").status_code == 451
    assert get(client, article_id, "DE").status_code == 200
    assert get(client, article_id).status_code == 200
    assert_problem(
        client.get(f"/v1/articles/{article_id}/summary", headers={"CF-IPCountry": "RU"}), 451
    )
    related = client.get(
        f"/v1/articles/{article_id}/related-videos", headers={"CF-IPCountry": "RU"}
    )
    assert_problem(related, 451)


def test_unrecognised_country_header_counts_as_no_country(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en", withheld_in=["RU"])]))
    article_id = only_id(client)
    for value in ("XX", "T1", "Russia", "", "R"):
        assert get(client, article_id, value or None).status_code == 200


def test_notice_applies_only_in_its_countries(client: TestClient, store: Any) -> None:
    store(
        bundle(
            articles=[article("en")],
            notices=[notice("ru-warning", ["RU", "BY"], "Sharing this may be punished.")],
        )
    )
    article_id = only_id(client)
    notices = get(client, article_id, "RU").json()["notices"]
    assert [n["text"] for n in notices] == ["Sharing this may be punished."]
    assert set(notices[0]) == {"id", "text", "language"}
    assert len(get(client, article_id, "BY").json()["notices"]) == 1
    assert get(client, article_id, "DE").json()["notices"] == []
    assert get(client, article_id).json()["notices"] == []


def test_notice_limited_to_services_applies_only_there(client: TestClient, store: Any) -> None:
    store(
        bundle(
            services=[service("en"), service("ru")],
            articles=[article("en"), article("ru")],
            notices=[
                notice("ru-only", ["RU"], "For the Russian service.", services=["ru"]),
                notice("all", ["RU"], "For every service."),
            ],
        )
    )
    en = get(client, only_id(client, service="en"), "RU").json()["notices"]
    ru = get(client, only_id(client, service="ru"), "RU").json()["notices"]
    assert [n["text"] for n in en] == ["For every service."]
    assert sorted(n["text"] for n in ru) == ["For every service.", "For the Russian service."]


def test_notice_applies_only_inside_its_active_window(client: TestClient, store: Any) -> None:
    now = datetime.now(UTC)
    store(
        bundle(
            articles=[article("en")],
            notices=[
                notice("past", ["RU"], "Past.", active_until=iso(now - timedelta(hours=1))),
                notice("future", ["RU"], "Future.", active_from=iso(now + timedelta(hours=1))),
                notice(
                    "current",
                    ["RU"],
                    "Current.",
                    active_from=iso(now - timedelta(hours=1)),
                    active_until=iso(now + timedelta(hours=1)),
                ),
            ],
        )
    )
    notices = get(client, only_id(client), "RU").json()["notices"]
    assert [n["text"] for n in notices] == ["Current."]


def test_detail_varies_on_the_country_header(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en")]))
    response = get(client, only_id(client))
    assert "cf-ipcountry" in response.headers["vary"].lower()


@pytest.mark.parametrize("path", ["/v1/articles/0", "/v1/articles/abc", "/v1/articles/-3"])
def test_malformed_article_id_is_422(client: TestClient, path: str) -> None:
    body = assert_problem(client.get(path), 422)
    assert body["errors"][0]["field"] == "article_id"


def test_huge_article_id_is_4xx(client: TestClient) -> None:
    response = client.get("/v1/articles/99999999999999999999999999")
    assert 400 <= response.status_code < 500
    assert_problem(response, response.status_code)


def test_unknown_article_is_404(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en")]))
    body = assert_problem(client.get("/v1/articles/987654"), 404)
    assert body["detail"] == "No published article has this id."


def test_fields_trims_the_detail(client: TestClient, store: Any) -> None:
    store(bundle(articles=[article("en", "Trim me")]))
    article_id = only_id(client)
    response = client.get(f"/v1/articles/{article_id}", params={"fields": "headline,notices,id"})
    assert response.status_code == 200
    assert response.json() == {"id": article_id, "headline": "Trim me", "notices": []}
    full = get(client, article_id)
    assert response.headers["etag"] != full.headers["etag"]
    assert_problem(client.get(f"/v1/articles/{article_id}", params={"fields": "teaser"}), 400)


def test_every_request_shape_gets_the_same_article(client: TestClient, store: Any) -> None:
    """A plain request may take a faster path than one with a query; the answer must not differ."""
    store(bundle(articles=[article("en", withheld_in=["RU"])], notices=[notice("n", ["DE"])]))
    article_id = only_id(client)
    every_field = ",".join(sorted(ARTICLE_FIELDS))
    for country in (None, "DE"):
        headers = {"CF-IPCountry": country} if country else {}
        plain = client.get(f"/v1/articles/{article_id}", headers=headers)
        spelled_out = client.get(
            f"/v1/articles/{article_id}", params={"fields": every_field}, headers=headers
        )
        assert plain.json() == spelled_out.json()
    blocked = client.get(
        f"/v1/articles/{article_id}", params={"fields": "id"}, headers={"CF-IPCountry": "RU"}
    )
    assert_problem(blocked, 451)
