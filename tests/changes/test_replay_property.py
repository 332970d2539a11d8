"""The feed's promise as a property: after any sequence of edits, replaying the feed
from the start, or from any cursor taken along the way on top of the public store
as it was then, gives exactly the public store (ids, ETags, updated_at)."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from articles.editorial_kit import Newsroom, room
from factories import iso
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.kit.timeutil import iso_from_ms, now_ms
from app.models import ArticleRender, VideoRender
from app.readmodel.changes import availability_window
from changes.feed_kit import walk

__all__ = ["room"]

State = dict[tuple[str, int], tuple[str, str, str | None]]

article_steps = st.one_of(
    st.tuples(st.just("create")),
    st.tuples(st.just("publish"), st.integers(0, 5)),
    st.tuples(st.just("schedule"), st.integers(0, 5), st.sampled_from(["soon", "later"])),
    st.tuples(
        st.just("patch"),
        st.integers(0, 5),
        st.sampled_from(["dek", "breaking", "withheld", "embargo_soon", "embargo_none"]),
    ),
    st.tuples(st.just("unpublish"), st.integers(0, 5)),
    st.tuples(st.just("archive"), st.integers(0, 5)),
)
video_steps = st.one_of(
    st.tuples(st.just("video"), st.sampled_from(["always", "opens_soon", "closes_soon"])),
    st.tuples(st.just("video_patch"), st.integers(0, 5)),
    st.tuples(
        st.just("video_window"), st.integers(0, 5), st.sampled_from(["open", "soon", "over"])
    ),
    st.tuples(st.just("video_delete"), st.integers(0, 5)),
)
steps = st.lists(st.one_of(article_steps, video_steps), min_size=1, max_size=10)


def _soon(seconds: float = 1.0) -> datetime:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.replace(microsecond=0) + timedelta(seconds=1)


class Edits:
    """Applies steps through the editorial API, remembering the clock's pending work."""

    def __init__(self, room: Newsroom) -> None:
        self.room = room
        self.articles: list[int] = []
        self.videos: list[int] = []
        self.latest = datetime.now(UTC)

    def _note(self, moment: datetime) -> str:
        self.latest = max(self.latest, moment)
        return iso(moment)

    def _article(self, index: int) -> int | None:
        return self.articles[index % len(self.articles)] if self.articles else None

    def _video(self, index: int) -> int | None:
        return self.videos[index % len(self.videos)] if self.videos else None

    def _video_etag(self, video_id: int) -> str:
        return self.room.client.get(f"/v1/videos/{video_id}").headers["etag"]

    def _patch_video(self, video_id: int, patch: dict[str, Any]) -> None:
        self.room.client.patch(
            f"/v1/videos/{video_id}",
            json=patch,
            headers=self.room.headers("admin", If_Match=self._video_etag(video_id)),
        )

    def apply(self, step: tuple[Any, ...]) -> None:
        room = self.room
        kind = step[0]
        if kind == "create":
            self.articles.append(room.draft(headline=f"Story {len(self.articles)}")["id"])
        elif kind == "video":
            availability: dict[str, str] = {}
            if step[1] == "opens_soon":
                availability["available_from"] = self._note(_soon())
            elif step[1] == "closes_soon":
                availability["available_until"] = self._note(_soon())
            body = {
                "service": "en",
                "title": f"Report {len(self.videos)}",
                "duration": 30,
                "thumbnail": {"url": "https://media.example/t.jpg"},
                "renditions": [{"url": "https://media.example/v.mp4", "mime_type": "video/mp4"}],
                "availability": availability,
            }
            created = room.client.post("/v1/videos", json=body, headers=room.headers("admin"))
            assert created.status_code == 201, created.text
            self.videos.append(created.json()["id"])
        elif kind.startswith("video_"):
            video_id = self._video(step[1])
            if video_id is None:
                return
            if kind == "video_patch":
                self._patch_video(video_id, {"title": f"Report {video_id}, updated {time.time()}"})
            elif kind == "video_window":
                window = {
                    "open": {"available_from": None, "available_until": None},
                    "soon": {"available_from": self._note(_soon()), "available_until": None},
                    "over": {"available_from": None, "available_until": "2020-01-01T00:00:00Z"},
                }[step[2]]
                self._patch_video(video_id, {"availability": window})
            else:
                room.client.delete(
                    f"/v1/videos/{video_id}",
                    headers=room.headers("admin", If_Match=self._video_etag(video_id)),
                )
                self.videos.remove(video_id)
        else:
            article_id = self._article(step[1])
            if article_id is None:
                return
            if kind == "publish":
                room.publish(article_id)
            elif kind == "schedule":
                if step[2] == "soon":
                    room.publish(article_id, at=self._note(_soon()))
                else:
                    room.publish(article_id, at=iso(datetime.now(UTC) + timedelta(days=1)))
            elif kind == "unpublish":
                room.action("POST", f"/v1/articles/{article_id}/unpublish", "en_editor")
            elif kind == "archive":
                room.action(
                    "DELETE",
                    f"/v1/articles/{article_id}",
                    "en_editor",
                    headers={"If_Match": room.etag(article_id)},
                )
            else:
                patch: dict[str, Any] = {
                    "dek": {"dek": f"Updated at {time.time()}"},
                    "breaking": {"breaking_until": "2099-01-01T00:00:00Z"},
                    "withheld": {"withheld_in": ["RU"]},
                    "embargo_soon": {"embargo_until": None},
                    "embargo_none": {"embargo_until": None},
                }[step[2]]
                if step[2] == "embargo_soon":
                    patch = {"embargo_until": self._note(_soon())}
                room.patch(article_id, patch)


def public_store(room: Newsroom) -> State:
    """What public reads serve right now, read twice so no clock boundary falls between."""
    while True:
        first = _read_store(room)
        second = _read_store(room)
        if first == second:
            return first


def _read_store(room: Newsroom) -> State:
    now = now_ms()
    state: State = {}
    with room.sessions() as session:
        for article_id, etag, updated_ts, start in session.execute(
            select(
                ArticleRender.article_id,
                ArticleRender.etag,
                ArticleRender.updated_ts,
                ArticleRender.public_from,
            )
        ):
            if start is not None and start <= now:
                state[("article", article_id)] = (etag, iso_from_ms(updated_ts), None)
        for video_id, etag, updated_ts, rules in session.execute(
            select(
                VideoRender.video_id, VideoRender.etag, VideoRender.updated_ts, VideoRender.rules
            )
        ):
            reason = availability_window(orjson.loads(rules), now)[0]
            state[("video", video_id)] = (etag, iso_from_ms(updated_ts), reason)
    return state


def replay(state: State, items: list[dict[str, Any]]) -> State:
    result = dict(state)
    for item in items:
        key = (item["type"], item["id"])
        if item["deleted"]:
            result.pop(key, None)
        else:
            result[key] = (item["etag"], item["updated_at"], item.get("unavailable_reason"))
    return result


def check_against_http(room: Newsroom, state: State) -> None:
    """The snapshot is what the public API answers."""
    listed, cursor = set(), None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = room.client.get("/v1/articles", params=params).json()
        listed |= {item["id"] for item in page["items"]}
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert listed == {item_id for kind, item_id in state if kind == "article"}
    for (kind, item_id), (etag, updated_at, reason) in state.items():
        response = room.client.get(f"/v1/{kind}s/{item_id}")
        assert response.status_code == 200
        assert response.headers["etag"].startswith(f'"{etag}-')
        assert response.json()["updated_at"] == updated_at
        if kind == "video" and reason is not None:
            assert response.json()["unavailable_reason"] == reason


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_replaying_the_feed_reproduces_the_public_store(
    room: Newsroom, plan: list[tuple[Any, ...]]
) -> None:
    edits = Edits(room)
    from_start, cursor = walk(room.client)
    replayed = replay({}, from_start)
    taken: list[tuple[str, State]] = []
    for step in plan:
        edits.apply(step)
        snapshot = public_store(room)
        items, cursor = walk(room.client, cursor)
        replayed = replay(replayed, items)
        assert replayed == snapshot
        taken.append((cursor, snapshot))
    # Let every scheduled time of this plan pass, with no write.
    time.sleep(max(0.0, (edits.latest - datetime.now(UTC)).total_seconds()) + 0.05)
    final = public_store(room)
    everything, _ = walk(room.client)
    assert replay({}, everything) == final
    for cursor_then, state_then in taken:
        assert replay(state_then, walk(room.client, cursor_then)[0]) == final
    check_against_http(room, final)
