"""Editors link an article to the story it translates (``translation_of``) and
unlink it; both articles' translations lists follow at once."""

from typing import Any

from factories import article, bundle, service
from support import assert_problem

from articles.editorial_kit import Newsroom, room

__all__ = ["room"]


def published(room: Newsroom, who: str = "en_editor", **fields: Any) -> int:
    article_id: int = room.draft(who, **fields)["id"]
    response = room.publish(article_id, who)
    assert response.status_code == 200, response.text
    return article_id


def russian(room: Newsroom, **fields: Any) -> dict[str, Any]:
    return room.draft("ru_editor", service="ru", headline="Парламент принял бюджет", **fields)


def translation_ids(room: Newsroom, article_id: int, who: str | None = None) -> list[int]:
    response = room.get(article_id, who)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["translations"]]


def shape(room: Newsroom, article_id: int) -> dict[str, Any]:
    """The write shape the article's latest revision left."""
    latest = room.get(article_id, "admin", tail="/revisions").json()["items"][0]["number"]
    document: dict[str, Any] = room.get(article_id, "admin", tail=f"/revisions/{latest}").json()
    return document


def test_a_translation_is_linked_when_created_and_both_list_each_other(room: Newsroom) -> None:
    english = published(room)
    created = russian(room, translation_of=english)
    assert [item["id"] for item in created["translations"]] == [english]
    russian_id = created["id"]
    # The original lists its translation once readers may see it.
    assert translation_ids(room, english) == []
    assert room.publish(russian_id, "ru_editor").status_code == 200
    assert translation_ids(room, english) == [russian_id]
    assert translation_ids(room, russian_id) == [english]
    history = shape(room, russian_id)
    assert history["action"] == "publish"
    assert history["article"]["translation_of"] == english
    first = room.get(russian_id, "admin", tail="/revisions/1").json()
    assert "translation_of" in first["fields"]


def test_a_merge_patch_links_and_null_unlinks(room: Newsroom) -> None:
    english = published(room)
    russian_id = russian(room)["id"]
    assert room.publish(russian_id, "ru_editor").status_code == 200

    linked = room.patch(russian_id, {"translation_of": english}, who="ru_editor")
    assert linked.status_code == 200, linked.text
    assert [item["id"] for item in linked.json()["translations"]] == [english]
    assert translation_ids(room, english) == [russian_id]
    update = shape(room, russian_id)
    assert update["fields"] == ["translation_of"]
    assert update["previous"] == {"translation_of": None}

    unlinked = room.patch(russian_id, {"translation_of": None}, who="ru_editor")
    assert unlinked.status_code == 200, unlinked.text
    assert unlinked.json()["translations"] == []
    assert translation_ids(room, english) == []
    assert translation_ids(room, russian_id) == []
    assert "translation_of" not in shape(room, russian_id)["article"]
    assert shape(room, russian_id)["previous"] == {"translation_of": english}


def test_linking_to_another_story_leaves_the_first(room: Newsroom) -> None:
    first = published(room, headline="Budget passes")
    second = published(room, headline="Budget signed into law")
    russian_id = russian(room, translation_of=first)["id"]
    room.publish(russian_id, "ru_editor")
    moved = room.patch(russian_id, {"translation_of": second}, who="ru_editor")
    assert moved.status_code == 200, moved.text
    assert translation_ids(room, first) == []
    assert translation_ids(room, second) == [russian_id]
    # Linking again to the same story changes nothing, and records nothing.
    again = room.patch(russian_id, {"translation_of": second}, who="ru_editor")
    assert again.headers["etag"] == moved.headers["etag"]


def test_a_translation_joins_a_story_the_import_made(room: Newsroom, store: Any) -> None:
    store(
        bundle(
            services=[service("en"), service("ru"), service("uk")],
            articles=[
                article("en", "Talks stall", uri="urn:t:en", translation_of="story-1"),
                article("ru", "Переговоры зашли в тупик", uri="urn:t:ru", translation_of="story-1"),
            ],
        )
    )
    ids = {item["service"]: item["id"] for item in room.client.get("/v1/articles").json()["items"]}
    ukrainian = room.draft(
        "admin", service="uk", headline="Переговори зайшли в глухий кут", translation_of=ids["en"]
    )["id"]
    room.publish(ukrainian, "admin")
    assert sorted(translation_ids(room, ids["ru"])) == sorted([ids["en"], ukrainian])
    assert sorted(translation_ids(room, ukrainian)) == sorted([ids["en"], ids["ru"]])
    # The story has its Russian version already.
    second_russian = room.create(
        "ru_editor", service="ru", headline="Ещё одна версия", translation_of=ids["en"]
    )
    problem = assert_problem(second_russian, 422)
    assert problem["errors"][0]["field"] == "translation_of"


def test_the_article_translated_is_in_another_service(room: Newsroom) -> None:
    english = published(room)
    problem = assert_problem(room.create(translation_of=english), 422)
    assert problem["errors"] == [
        {
            "location": "body",
            "field": "translation_of",
            "message": "the article translated is in another service",
        }
    ]
    english_id = room.draft()["id"]
    own = assert_problem(room.patch(english_id, {"translation_of": english_id}), 422)
    assert own["errors"][0]["field"] == "translation_of"


def test_an_article_the_editor_may_not_see_is_an_unknown_one(room: Newsroom) -> None:
    english_draft = room.draft()["id"]
    unknown = 987654
    hidden = assert_problem(russian_create(room, english_draft), 422)
    never = assert_problem(russian_create(room, unknown), 422)
    assert hidden["errors"] == [
        {"location": "body", "field": "translation_of", "message": f"no article {english_draft}"}
    ]
    never["errors"][0]["message"] = f"no article {english_draft}"
    assert never == hidden
    # Once readers see it, anyone may translate it.
    room.publish(english_draft)
    assert russian_create(room, english_draft).status_code == 201


def russian_create(room: Newsroom, target: int) -> Any:
    return room.create(
        "ru_editor", service="ru", headline="Парламент принял бюджет", translation_of=target
    )


def test_a_story_is_one_original_and_its_translations(room: Newsroom, store: Any) -> None:
    store(bundle(services=[service("en"), service("ru"), service("uk")]))
    english = published(room)
    russian_id = russian(room, translation_of=english)["id"]
    # A translation is not an original: no chain...
    chained = room.create(
        "admin", service="uk", headline="Парламент ухвалив бюджет", translation_of=russian_id
    )
    assert assert_problem(chained, 422)["errors"][0]["message"] == (
        "that article is a translation; name the one it translates"
    )
    # ... and no cycle: an original others translate cannot become a translation.
    cycle = room.patch(english, {"translation_of": russian_id})
    assert_problem(cycle, 422)
    ukrainian = room.draft("admin", service="uk", headline="Парламент ухвалив бюджет")["id"]
    turned = room.patch(english, {"translation_of": ukrainian}, who="admin")
    assert assert_problem(turned, 422)["errors"][0]["message"] == (
        "other articles translate this one; unlink them first"
    )
    assert "translation_of" not in shape(room, english)["article"]


def test_an_unchanged_link_is_not_checked_again(room: Newsroom) -> None:
    english = published(room)
    russian_id = russian(room, translation_of=english)["id"]
    # The original goes back to draft: the Russian editor may no longer see it, but
    # may still edit the translation.
    room.action("POST", f"/v1/articles/{english}/unpublish", "en_editor")
    edited = room.patch(russian_id, {"dek": "Поздно ночью"}, who="ru_editor")
    assert edited.status_code == 200, edited.text
    assert shape(room, russian_id)["article"]["translation_of"] == english


def test_the_other_languages_follow_a_headline_but_not_a_dek(room: Newsroom) -> None:
    english = published(room)
    russian_id = russian(room, translation_of=english)["id"]
    assert room.publish(russian_id, "ru_editor").status_code == 200
    before = room.get(english)
    assert before.status_code == 200, before.text

    patched = room.patch(russian_id, {"dek": "Голосование шло всю ночь"}, who="ru_editor")
    assert patched.status_code == 200, patched.text
    # What the English article shows of its translation did not change: nor did it.
    after_dek = room.get(english)
    assert after_dek.headers["etag"] == before.headers["etag"]
    assert after_dek.json()["translations"] == before.json()["translations"]

    retitled = room.patch(russian_id, {"headline": "Бюджет принят"}, who="ru_editor")
    assert retitled.status_code == 200, retitled.text
    after_headline = room.get(english)
    assert after_headline.headers["etag"] != before.headers["etag"]
    assert [item["headline"] for item in after_headline.json()["translations"]] == ["Бюджет принят"]
