"""The front cache: hot public reads from memory, exact after writes and at the
clock's boundaries, never for credentials, keyed by country and encoding."""

import asyncio
import gzip
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from articles.editorial_kit import Newsroom, room
from factories import bundle, iso, notice, video
from sqlalchemy import select
from starlette.types import Receive, Scope, Send
from support import soon, wait_until

from app.changes.service import Changed
from app.http.frontcache import Entry, FrontCache, FrontCacheMiddleware, _variant
from app.models import Video
from app.readstore import SQLiteReadStore

__all__ = ["room"]


def cache_of(room: Newsroom) -> FrontCache:
    cache: FrontCache = room.client.app.state.front_cache  # type: ignore[attr-defined]
    return cache


def published(room: Newsroom, headline: str, **fields: Any) -> int:
    article_id: int = room.draft(headline=headline, **fields)["id"]
    answer = room.publish(article_id)
    assert answer.status_code == 200, answer.text
    return article_id


def test_a_hot_read_is_answered_from_memory_with_the_same_answer(room: Newsroom) -> None:
    article_id = published(room, "Harbour reopens after the storm")
    cache = cache_of(room)
    first = room.get(article_id)
    hits = cache.hits
    again = room.get(article_id)
    assert cache.hits == hits + 1
    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    for name in ("etag", "cache-control", "last-modified", "surrogate-key", "vary"):
        assert again.headers[name] == first.headers[name]
    assert int(again.headers["content-length"]) == len(again.content)


def test_a_read_after_a_write_sees_the_write(room: Newsroom) -> None:
    article_id = published(room, "Harbour reopens after the storm")
    for path in (f"/v1/articles/{article_id}", "/v1/articles?service=en"):
        assert room.client.get(path).status_code == 200
        assert room.client.get(path).status_code == 200
    for n in range(5):
        headline = f"Harbour reopens after the storm, update {n}"
        assert room.patch(article_id, {"headline": headline}).status_code == 200
        assert room.get(article_id).json()["headline"] == headline
        teasers = room.client.get("/v1/articles", params={"service": "en"}).json()["items"]
        assert [t["headline"] for t in teasers if t["id"] == article_id] == [headline]


def test_requests_with_credentials_are_never_answered_from_memory(room: Newsroom) -> None:
    article_id = published(room, "Harbour reopens after the storm")
    cache = cache_of(room)
    room.get(article_id)
    room.get(article_id)
    hits, misses = cache.hits, cache.misses
    with_token = room.get(article_id, "en_editor")
    assert with_token.status_code == 200
    assert with_token.headers["cache-control"] == "private, no-store"
    cookie = room.client.get(f"/v1/articles/{article_id}", headers={"Cookie": "session=1"})
    assert cookie.status_code == 200
    assert (cache.hits, cache.misses) == (hits, misses)


def test_answers_are_kept_by_the_readers_country(room: Newsroom) -> None:
    article_id = published(room, "Withheld in Russia", withheld_in=["RU"])
    path = f"/v1/articles/{article_id}"
    for _ in range(2):
        assert room.client.get(path).status_code == 200
        assert room.client.get(path, headers={"CF-IPCountry": "RU"}).status_code == 451
        assert room.client.get(path, headers={"CF-IPCountry": "gb"}).status_code == 200
        # Unknown values are no country, as the reads take them.
        assert room.client.get(path, headers={"CF-IPCountry": "XX"}).status_code == 200


def test_gzip_is_kept_beside_the_plain_answer_with_its_own_validator(room: Newsroom) -> None:
    article_id = published(room, "Harbour reopens after the storm")
    path = f"/v1/articles/{article_id}"
    plain = room.client.get(path, headers={"Accept-Encoding": "identity"})
    cache = cache_of(room)
    hits = cache.hits
    with room.client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as packed:
        raw = b"".join(packed.iter_raw())
    assert cache.hits == hits + 1
    assert packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == plain.content
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    for response in (plain, packed):
        assert "Accept-Encoding" in response.headers["vary"]
    again = room.client.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["etag"] == packed.headers["etag"]
    assert again.content == b""
    # If-None-Match compares weakly; the plain tag does not name the gzip answer.
    weak = room.client.get(
        path, headers={"Accept-Encoding": "identity", "If-None-Match": "W/" + plain.headers["etag"]}
    )
    assert weak.status_code == 304
    crossed = room.client.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]}
    )
    assert crossed.status_code == 200


def test_a_scheduled_article_appears_at_its_time_with_no_write(room: Newsroom) -> None:
    article_id = room.draft(headline="Midnight budget vote")["id"]
    when = soon(3.0)
    assert room.publish(article_id, at=iso(when)).status_code == 200
    store = room.client.app.state.read_store  # type: ignore[attr-defined]
    before = store.data_version() if isinstance(store, SQLiteReadStore) else None
    for _ in range(2):
        assert room.get(article_id).status_code == 404
        listed = room.client.get("/v1/articles", params={"service": "en"}).json()["items"]
        assert article_id not in [item["id"] for item in listed]
    wait_until(when)
    assert room.get(article_id).status_code == 200
    listed = room.client.get("/v1/articles", params={"service": "en"}).json()["items"]
    assert article_id in [item["id"] for item in listed]
    if before is not None:
        assert store.data_version() == before  # nothing was written meanwhile


def test_a_breaking_flag_and_a_notice_end_at_their_time_with_no_write(
    room: Newsroom, store: Any
) -> None:
    until = soon(4.0)
    article_id = published(room, "Earthquake", breaking_until=iso(until))
    store(bundle(notices=[notice("n1", ["GB"], active_until=iso(until))]))
    path = f"/v1/articles/{article_id}"
    for _ in range(2):
        assert room.get(article_id).json()["breaking"] is not None
        assert room.client.get(path, headers={"CF-IPCountry": "GB"}).json()["notices"]
    wait_until(until)
    assert room.get(article_id).json()["breaking"] is None
    assert room.client.get(path, headers={"CF-IPCountry": "GB"}).json()["notices"] == []


def test_a_video_window_opens_and_closes_at_its_times_with_no_write(
    room: Newsroom, store: Any
) -> None:
    opens, closes = soon(3.0), soon(5.0)
    availability = {"available_from": iso(opens), "available_until": iso(closes)}
    store(bundle(videos=[video("en", "Window", availability=availability)]))
    items = room.client.get("/v1/videos").json()["items"]
    [listed] = [item for item in items if item["title"] == "Window"]
    path = f"/v1/videos/{listed['id']}"
    for moment, reason in ((opens, "not_yet_available"), (closes, None)):
        for _ in range(2):
            assert room.client.get(path).json()["unavailable_reason"] == reason
        wait_until(moment)
    assert room.client.get(path).json()["unavailable_reason"] == "expired"


def test_search_is_answered_from_memory_and_dropped_by_a_write(room: Newsroom) -> None:
    article_id = published(room, "Harbour reopens after the storm")
    cache = cache_of(room)
    first = room.client.get("/v1/search", params={"q": "harbour"})
    assert [hit["id"] for hit in first.json()["items"]] == [article_id]
    hits = cache.hits
    assert room.client.get("/v1/search", params={"q": "harbour"}).content == first.content
    assert cache.hits == hits + 1
    assert room.patch(article_id, {"headline": "Ferries sail again"}).status_code == 200
    assert room.client.get("/v1/search", params={"q": "harbour"}).json()["items"] == []


def test_a_write_drops_what_it_changed_and_keeps_the_other_articles(room: Newsroom) -> None:
    changed = published(room, "Harbour reopens after the storm")
    other = published(room, "Ferries sail again")
    cache = cache_of(room)
    reads = (
        f"/v1/articles/{changed}",
        f"/v1/articles/{other}",
        "/v1/articles?service=en",
        "/v1/search?q=harbour",
        f"/v1/articles/{other}/related",
    )
    for path in reads * 2:
        assert room.client.get(path).status_code == 200
    assert room.patch(changed, {"headline": "Harbour reopens at dawn"}).status_code == 200
    hits = cache.hits
    kept = room.client.get(f"/v1/articles/{other}")
    assert kept.json()["headline"] == "Ferries sail again"
    assert cache.hits == hits + 1
    # The changed article, and every answer that lists articles, are made afresh.
    assert room.get(changed).json()["headline"] == "Harbour reopens at dawn"
    teasers = room.client.get("/v1/articles", params={"service": "en"}).json()["items"]
    assert [t["headline"] for t in teasers if t["id"] == changed] == ["Harbour reopens at dawn"]
    found = room.client.get("/v1/search", params={"q": "harbour"}).json()["items"]
    assert [hit["headline"] for hit in found] == ["Harbour reopens at dawn"]
    related = room.client.get(f"/v1/articles/{other}/related").json()["items"]
    assert all(item["headline"] != "Harbour reopens after the storm" for item in related)
    assert cache.hits == hits + 1


def test_a_write_keeps_the_other_services_collections_and_drops_its_own(
    room: Newsroom,
) -> None:
    english = published(room, "Harbour reopens after the storm", breaking_until=iso(soon(3600)))
    russian = room.draft("ru_editor", service="ru", headline="Паромы снова ходят")["id"]
    assert room.publish(russian, "ru_editor").status_code == 200
    cache = cache_of(room)
    others = (
        "/v1/articles?service=ru",
        "/v1/feeds/ru/rss.xml",
        "/v1/sitemaps/ru/news.xml",
        "/v1/breaking?service=ru",
    )
    own = ("/v1/articles?service=en", "/v1/feeds/en/rss.xml", "/v1/breaking?service=en")
    before = {}
    for path in (*others, *own, "/v1/articles") * 2:
        response = room.client.get(path)
        assert response.status_code == 200, (path, response.text)
        before[path] = response.content
    assert room.patch(english, {"headline": "Harbour reopens at dawn"}).status_code == 200
    for path in others:
        hits = cache.hits
        assert room.client.get(path).content == before[path]
        assert cache.hits == hits + 1, path
    # The changed service's collections, and those of every service, are made afresh.
    for path in (*own, "/v1/articles"):
        hits = cache.hits
        assert "Harbour reopens at dawn" in room.client.get(path).text, path
        assert cache.hits == hits, path
    assert (
        room.patch(russian, {"headline": "Паромы ходят по расписанию"}, "ru_editor").status_code
        == 200
    )
    for path in ("/v1/articles?service=ru", "/v1/feeds/ru/rss.xml", "/v1/sitemaps/ru/news.xml"):
        hits = cache.hits
        assert "Паромы ходят по расписанию" in room.client.get(path).text, path
        assert cache.hits == hits, path


def test_an_item_moving_to_another_service_drops_its_old_services_collections(
    room: Newsroom,
) -> None:
    moved, stays = room.videos
    # One a page: the page of the video that stays names the other only by its link.
    path = "/v1/videos?service=en&limit=1"
    first = room.client.get(path)
    assert [v["id"] for v in first.json()["items"]] == [stays]
    assert first.json()["next_cursor"] is not None
    assert room.client.get(path).content == first.content
    etag = room.client.get(f"/v1/videos/{moved}").headers["etag"]
    response = room.client.patch(
        f"/v1/videos/{moved}",
        content=orjson.dumps({"service": "ru"}),
        headers=room.headers("admin", If_Match=etag, Content_Type="application/merge-patch+json"),
    )
    assert response.status_code == 200, response.text
    assert room.client.get(f"/v1/videos/{moved}").json()["service"] == "ru"
    after = room.client.get(path).json()
    assert [v["id"] for v in after["items"]] == [stays]
    assert after["next_cursor"] is None


def test_a_video_change_drops_the_articles_showing_it(room: Newsroom, store: Any) -> None:
    showing = published(room, "Budget passes")
    # In another service, with none of the videos among its suggestions.
    other = room.draft("ru_editor", service="ru", headline="Паромы снова ходят")["id"]
    assert room.publish(other, "ru_editor").status_code == 200
    shown = room.videos[0]
    curated = room.client.put(
        f"/v1/articles/{showing}/related-videos",
        json={"video_ids": [shown]},
        headers=room.headers("en_editor", If_Match=room.etag(showing)),
    )
    assert curated.status_code == 200, curated.text
    reads = (
        f"/v1/articles/{showing}",
        f"/v1/articles/{showing}/related-videos",
        f"/v1/videos/{shown}",
        f"/v1/articles/{other}",
    )
    for path in reads * 2:
        assert room.client.get(path).status_code == 200
    with room.sessions() as session:
        uri = session.scalar(select(Video.uri).where(Video.id == shown))
    store(bundle(services=[], videos=[video("en", "Budget vote, the full debate", uri=uri)]))
    cache = cache_of(room)
    hits = cache.hits
    assert room.client.get(f"/v1/articles/{other}").status_code == 200
    assert cache.hits == hits + 1
    assert room.client.get(f"/v1/videos/{shown}").json()["title"] == "Budget vote, the full debate"
    detail = room.get(showing).json()
    assert [v["title"] for v in detail["related_videos"] if v["id"] == shown] == [
        "Budget vote, the full debate"
    ]
    items = room.get(showing, tail="/related-videos").json()["items"]
    assert [v["title"] for v in items if v["id"] == shown] == ["Budget vote, the full debate"]
    assert cache.hits == hits + 1


def test_a_write_the_change_log_does_not_tell_drops_everything(room: Newsroom) -> None:
    """A notice is shown in every article of its countries and logged nowhere."""
    article_id = published(room, "Harbour reopens after the storm")
    path = f"/v1/articles/{article_id}"
    for _ in range(2):
        assert room.client.get(path, headers={"CF-IPCountry": "GB"}).json()["notices"] == []
    made = room.client.post(
        "/v1/notices",
        json={"text": "A notice for readers in Britain.", "countries": ["GB"]},
        headers=room.headers("admin"),
    )
    assert made.status_code == 201, made.text
    notices = room.client.get(path, headers={"CF-IPCountry": "GB"}).json()["notices"]
    assert [n["text"] for n in notices] == ["A notice for readers in Britain."]


def test_an_answer_made_while_its_item_changed_is_not_kept() -> None:
    async def never(*_: object) -> None:
        return None

    cache = FrontCache(100_000, never, everything, "CF-IPCountry")
    made_at = cache._epoch
    for changes in (frozenset(), frozenset({"article-2"})):
        cache._epoch += 1
        cache._changes[cache._epoch] = changes
    about_one = _entry(cache, 100, epoch=made_at, items=frozenset({"article-1", "video-3"}))
    cache.put("one", about_one)
    assert cache.get("one", cache._epoch, 0) is about_one  # its items did not change
    about_two = _entry(cache, 100, epoch=made_at, items=frozenset({"article-2"}))
    listing = _entry(cache, 100, epoch=made_at, items=None)
    cache.put("two", about_two)
    cache.put("list", listing)
    assert cache.get("two", cache._epoch, 0) is None
    assert cache.get("list", cache._epoch, 0) is None
    cache._epoch += 1
    cache._changes[cache._epoch] = None  # anything may have changed
    cache.put("one again", _entry(cache, 100, epoch=made_at + 2, items=frozenset({"video-9"})))
    assert cache.get("one again", cache._epoch, 0) is None


async def everything(*_: object) -> Changed:
    return Changed(None, None)


def _entry(
    cache: FrontCache, size: int, epoch: int | None = None, items: frozenset[str] | None = None
) -> Entry:
    headers = [(b"content-type", b"application/json")]
    return Entry(
        epoch=cache._epoch if epoch is None else epoch,
        expires_ms=2**62,
        headers=headers,
        identity=_variant(headers, b"x" * size, b'"tag"', None),
        last_modified_s=None,
        route=None,
        compressible=True,
        items=items,
    )


@pytest.mark.parametrize("size", [100, 5_000])
def test_memory_is_bounded_and_the_least_recently_used_go_first(size: int) -> None:
    async def never(*_: object) -> None:
        return None

    cache = FrontCache(100_000, never, everything, "CF-IPCountry")
    for key in range(200):
        cache.put(key, _entry(cache, size))
        assert cache.get(0, cache._epoch, 0) is not None  # used each time: kept
        assert cache.bytes <= cache.max_bytes
    kept = [key for key in range(200) if cache.get(key, cache._epoch, 0) is not None]
    assert 0 in kept and 199 in kept and len(kept) < 200


def test_concurrent_misses_of_an_answer_that_is_not_kept_each_get_it(tmp_path: Path) -> None:
    """Requests waiting on an answer that may not be kept (here a 503) make it
    themselves, at the same time, and every one of them is answered."""
    sqlite3.connect(tmp_path / "store.db").close()
    made = 0

    async def unavailable(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal made
        made += 1
        await asyncio.sleep(0.02)
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b"later"})

    async def never(*_: object) -> None:
        return None

    async def scenario() -> list[int]:
        cache = FrontCache(1_000_000, never, everything, "CF-IPCountry")
        await cache.open(SQLiteReadStore(str(tmp_path / "store.db")))
        transport = httpx.ASGITransport(app=FrontCacheMiddleware(unavailable, cache))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*(client.get("/v1/articles/1") for _ in range(6)))
        await cache.close()
        return [answer.status_code for answer in answers]

    assert asyncio.run(scenario()) == [503] * 6
    assert made >= 3  # the first, then the waiters on their own
