"""GET /v1/changes: every change of the public store, in commit order, with
tombstones, filters, cursors that never skip or repeat, and strong ETags."""

from typing import Any

import orjson
from articles.editorial_kit import Newsroom, room
from factories import iso
from sqlalchemy import func, select
from support import assert_problem, soon, wait_until

from app.models import Change
from app.readmodel.articles import render_articles
from app.readmodel.videos import render_videos
from changes.feed_kit import summary, walk

__all__ = ["room"]


def new_video(**extra: Any) -> dict[str, Any]:
    return {
        "service": "en",
        "title": "Storm over the harbour",
        "duration": 60,
        "thumbnail": {"url": "https://media.example/storm.jpg"},
        "renditions": [{"url": "https://media.example/storm.mp4", "mime_type": "video/mp4"}],
        **extra,
    }


def test_article_workflow_appears_in_commit_order_with_tombstones(room: Newsroom) -> None:
    _, start = walk(room.client)
    draft = room.draft()
    article_id = draft["id"]
    assert walk(room.client, start)[0] == [], "a draft is no change of the public store"
    assert room.publish(article_id).status_code == 200
    assert room.patch(article_id, {"dek": "A late vote."}).status_code == 200
    assert room.action("POST", f"/v1/articles/{article_id}/unpublish", "en_editor").is_success
    assert room.publish(article_id).status_code == 200
    etag = room.etag(article_id)
    archived = room.action(
        "DELETE", f"/v1/articles/{article_id}", "en_editor", headers={"If_Match": etag}
    )
    assert archived.status_code == 204
    items, _ = walk(room.client, start)
    assert summary(items) == [
        ("article", article_id, "published", False),
        ("article", article_id, "updated", False),
        ("article", article_id, "unpublished", True),
        ("article", article_id, "published", False),
        ("article", article_id, "archived", True),
    ]
    seqs = [item["seq"] for item in items]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    tombstone = items[2]
    assert set(tombstone) == {"seq", "type", "id", "service", "change", "at", "deleted"}
    present = items[1]
    assert present["url"] == f"/v1/articles/{article_id}"
    assert present["service"] == "en"
    assert present["item"]["dek"] == "A late vote."
    assert present["item"]["breaking"] is None
    assert present["updated_at"] == present["item"]["updated_at"]


def test_a_present_item_names_the_version_the_public_read_serves(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.publish(article_id)
    items, _ = walk(room.client, type="article")
    last = [item for item in items if item["id"] == article_id][-1]
    public = room.client.get(last["url"])
    assert public.status_code == 200
    assert public.headers["etag"].startswith(f'"{last["etag"]}-')
    assert public.json()["updated_at"] == last["updated_at"]


def test_videos_publish_update_and_delete(room: Newsroom) -> None:
    _, start = walk(room.client)
    created = room.client.post("/v1/videos", json=new_video(), headers=room.headers("admin"))
    assert created.status_code == 201, created.text
    video_id = created.json()["id"]
    changed = room.client.patch(
        f"/v1/videos/{video_id}",
        json={"title": "Storm closes the harbour"},
        headers=room.headers("admin", If_Match=created.headers["etag"]),
    )
    assert changed.status_code == 200, changed.text
    deleted = room.client.delete(
        f"/v1/videos/{video_id}", headers=room.headers("admin", If_Match=changed.headers["etag"])
    )
    assert deleted.status_code == 204
    items, _ = walk(room.client, start, type="video")
    assert summary(items) == [
        ("video", video_id, "published", False),
        ("video", video_id, "updated", False),
        ("video", video_id, "deleted", True),
    ]
    assert items[1]["item"]["title"] == "Storm closes the harbour"
    assert items[1]["url"] == f"/v1/videos/{video_id}"
    assert items[1]["unavailable_reason"] is None


def test_scheduled_publication_appears_at_its_time_with_no_write(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    when = soon(1.0)
    assert room.publish(article_id, at=iso(when)).status_code == 200
    items, cursor = walk(room.client, type="article")
    assert [item for item in items if item["id"] == article_id] == []
    wait_until(when)
    later, cursor = walk(room.client, cursor)
    assert summary(later) == [("article", article_id, "published", False)]
    assert later[0]["at"] == iso(when)
    assert walk(room.client, cursor)[0] == [], "recorded once"


def test_embargo_takes_an_article_out_and_its_end_brings_it_back(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.publish(article_id)
    _, cursor = walk(room.client)
    until = soon(1.0)
    assert room.patch(article_id, {"embargo_until": iso(until)}).status_code == 200
    items, cursor = walk(room.client, cursor)
    assert summary(items) == [("article", article_id, "unpublished", True)]
    wait_until(until)
    items, _ = walk(room.client, cursor)
    assert summary(items) == [("article", article_id, "published", False)]
    assert items[0]["at"] == iso(until)


def test_a_video_availability_window_opening_and_closing_is_a_change(room: Newsroom) -> None:
    opens = soon(0.5)
    closes = soon(1.8)
    body = new_video(availability={"available_from": iso(opens), "available_until": iso(closes)})
    created = room.client.post("/v1/videos", json=body, headers=room.headers("admin"))
    video_id = created.json()["id"]
    items, cursor = walk(room.client, type="video")
    mine = [item for item in items if item["id"] == video_id]
    assert [(i["change"], i["unavailable_reason"]) for i in mine] == [
        ("published", "not_yet_available")
    ]
    wait_until(opens)
    items, cursor = walk(room.client, cursor, type="video")
    assert [(i["change"], i["unavailable_reason"]) for i in items] == [("availability", None)]
    wait_until(closes)
    items, cursor = walk(room.client, cursor, type="video")
    assert [(i["change"], i["unavailable_reason"]) for i in items] == [("availability", "expired")]
    assert items[0]["at"] == iso(closes)


def test_filters_by_service_and_type(room: Newsroom) -> None:
    en = room.draft()["id"]
    ru = room.draft("ru_editor", service="ru", headline="Парламент принял бюджет")["id"]
    room.publish(en)
    room.publish(ru, who="ru_editor")
    room.client.post("/v1/videos", json=new_video(), headers=room.headers("admin"))
    items, _ = walk(room.client, service="ru")
    assert {(item["type"], item["id"], item["service"]) for item in items} == {
        ("article", ru, "ru")
    }
    articles, _ = walk(room.client, type="article")
    assert {item["type"] for item in articles} == {"article"}
    assert {en, ru} <= {item["id"] for item in articles}
    videos, _ = walk(room.client, type="video", service="en")
    assert videos and {(item["type"], item["service"]) for item in videos} == {("video", "en")}


def test_pages_in_any_size_give_the_same_changes_once_each(room: Newsroom) -> None:
    for n in range(5):
        room.publish(room.draft(headline=f"Story number {n} of the day")["id"])
    everything, _ = walk(room.client, limit=100)
    for limit in (1, 2, 3):
        paged, _ = walk(room.client, limit=limit)
        assert [item["seq"] for item in paged] == [item["seq"] for item in everything]
    first = room.client.get("/v1/changes", params={"limit": 2})
    assert 'rel="next"' in first.headers["link"]
    assert first.json()["next_cursor"] in first.headers["link"]


def test_an_empty_page_means_up_to_date_and_keeps_a_cursor(room: Newsroom) -> None:
    _, cursor = walk(room.client)
    page = room.client.get("/v1/changes", params={"cursor": cursor}).json()
    assert page == {"items": [], "next_cursor": cursor}
    room.publish(room.draft()["id"])
    page = room.client.get("/v1/changes", params={"cursor": cursor}).json()
    assert len(page["items"]) == 1 and page["next_cursor"] != cursor


def test_a_filtered_feed_moves_past_the_changes_it_does_not_show(room: Newsroom) -> None:
    _, cursor = walk(room.client, service="ru")
    room.publish(room.draft()["id"])
    page = room.client.get("/v1/changes", params={"cursor": cursor, "service": "ru"}).json()
    assert page["items"] == []
    assert page["next_cursor"] != cursor
    ru = room.draft("ru_editor", service="ru", headline="Парламент принял бюджет")["id"]
    room.publish(ru, who="ru_editor")
    items, _ = walk(room.client, page["next_cursor"], service="ru")
    assert summary(items) == [("article", ru, "published", False)]


def test_strong_etag_and_not_modified(room: Newsroom) -> None:
    room.publish(room.draft()["id"])
    first = room.client.get("/v1/changes")
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["surrogate-key"] == "changes"
    assert "last-modified" in first.headers
    again = room.client.get("/v1/changes", headers={"If-None-Match": etag})
    assert again.status_code == 304
    room.publish(room.draft(headline="Another story entirely")["id"])
    assert room.client.get("/v1/changes", headers={"If-None-Match": etag}).status_code == 200


def test_fields_trims_each_change_and_keeps_the_cursor(room: Newsroom) -> None:
    room.publish(room.draft()["id"])
    page = room.client.get("/v1/changes", params={"fields": "seq,change"})
    assert page.status_code == 200
    body = page.json()
    assert body["items"] and all(set(item) == {"seq", "change"} for item in body["items"])
    assert body["next_cursor"]
    assert page.headers["etag"] != room.client.get("/v1/changes").headers["etag"]
    assert_problem(room.client.get("/v1/changes", params={"fields": "seq,secret"}), 400)


def test_bad_parameters_are_problems(room: Newsroom) -> None:
    for params in (
        {"cursor": "not-a-cursor"},
        {"cursor": "WyJhcnRpY2xlcyIsMSwxXQ"},
    ):
        assert_problem(room.client.get("/v1/changes", params=params), 400)
    for params in ({"limit": "0"}, {"limit": "101"}, {"type": "notice"}, {"service": "EN!"}):
        assert_problem(room.client.get("/v1/changes", params=params), 422)


def test_a_reader_where_the_article_is_withheld_gets_a_tombstone(room: Newsroom) -> None:
    article_id = room.draft(withheld_in=["RU"])["id"]
    room.publish(article_id)
    query = {"type": "article"}
    elsewhere = room.client.get("/v1/changes", params=query, headers={"CF-IPCountry": "DE"})
    there = room.client.get("/v1/changes", params=query, headers={"CF-IPCountry": "RU"})
    assert elsewhere.headers["vary"].startswith("CF-IPCountry")
    mine = [i for i in elsewhere.json()["items"] if i["id"] == article_id]
    assert mine[0]["deleted"] is False and mine[0]["item"]["headline"]
    hidden = [i for i in there.json()["items"] if i["id"] == article_id]
    assert hidden == [
        {
            "seq": mine[0]["seq"],
            "type": "article",
            "id": article_id,
            "service": "en",
            "change": "withheld",
            "at": mine[0]["at"],
            "deleted": True,
        }
    ]


def test_rendering_again_with_nothing_changed_records_nothing(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.publish(article_id)
    with room.sessions() as session:
        before = session.scalar(select(func.count()).select_from(Change))
    with room.sessions.begin() as session:
        render_articles(session, [article_id])
        render_videos(session, room.videos)
    with room.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Change)) == before


def test_a_refused_write_records_no_change(room: Newsroom) -> None:
    article_id = room.draft()["id"]
    room.publish(article_id)
    _, cursor = walk(room.client)
    stale = room.patch(article_id, {"dek": "Never stored."}, etag='"article-1-v0"')
    assert stale.status_code == 412
    invalid = room.patch(article_id, {"headline": ""})
    assert invalid.status_code == 422
    assert walk(room.client, cursor)[0] == []


def test_the_breaking_flag_is_part_of_a_present_item(room: Newsroom) -> None:
    until = "2099-01-01T00:00:00Z"
    article_id = room.draft(breaking_until=until)["id"]
    room.publish(article_id)
    items, cursor = walk(room.client)
    assert items[-1]["item"]["breaking"] == {"until": until}
    room.patch(article_id, {"breaking_until": None})
    items, _ = walk(room.client, cursor)
    assert summary(items) == [("article", article_id, "updated", False)]
    assert items[0]["item"]["breaking"] is None
    assert orjson.loads(orjson.dumps(items[0]))["etag"]
