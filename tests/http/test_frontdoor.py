"""The front door: a kept answer is sent before the framework, as the whole
application would send it, counted and logged the same."""

import httpx
from articles.editorial_kit import Newsroom, room

from app.http.frontcache import FrontCache

__all__ = ["room"]

#: Headers that differ between any two answers.
_PER_ANSWER = {"date", "x-request-id"}


def cache_of(room: Newsroom) -> FrontCache:
    cache: FrontCache = room.client.app.state.front_cache  # type: ignore[attr-defined]
    return cache


def published(room: Newsroom, headline: str) -> int:
    article_id: int = room.draft(headline=headline)["id"]
    assert room.publish(article_id).status_code == 200
    return article_id


def same_headers(first: httpx.Response, second: httpx.Response) -> None:
    made = [(k, v) for k, v in first.headers.multi_items() if k not in _PER_ANSWER]
    kept = [(k, v) for k, v in second.headers.multi_items() if k not in _PER_ANSWER]
    assert sorted(kept) == sorted(made)


def test_a_kept_answer_has_every_header_of_the_answer_made(room: Newsroom) -> None:
    article_id = published(room, "Harbour reopens after the storm")
    cache = cache_of(room)
    path = f"/v1/articles/{article_id}"
    for headers in ({}, {"Accept-Encoding": "gzip"}):
        made = room.client.get(path, headers=headers)
        hits = cache.hits
        kept = room.client.get(path, headers=headers)
        assert cache.hits == hits + 1
        assert kept.status_code == made.status_code == 200
        assert kept.content == made.content
        same_headers(made, kept)
        assert "x-content-type-options" in kept.headers
        assert kept.headers["access-control-allow-origin"] == "*"


def test_a_kept_answer_echoes_the_request_id_or_makes_one(room: Newsroom) -> None:
    article_id = published(room, "Harbour reopens after the storm")
    path = f"/v1/articles/{article_id}"
    room.client.get(path)
    echoed = room.client.get(path, headers={"X-Request-ID": "trace-42"})
    assert echoed.headers["x-request-id"] == "trace-42"
    made = room.client.get(path, headers={"X-Request-ID": "not valid!"})
    assert len(made.headers["x-request-id"]) == 32
    assert room.client.get(path).headers["x-request-id"] != made.headers["x-request-id"]


def test_a_kept_answer_to_a_head_or_a_fresh_validator_has_no_content(room: Newsroom) -> None:
    article_id = published(room, "Harbour reopens after the storm")
    path = f"/v1/articles/{article_id}"
    made = room.client.get(path)
    cache = cache_of(room)
    hits = cache.hits
    head = room.client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == made.headers["content-length"]
    assert head.headers["etag"] == made.headers["etag"]
    fresh = room.client.get(path, headers={"If-None-Match": made.headers["etag"]})
    assert fresh.status_code == 304 and fresh.content == b""
    assert fresh.headers["etag"] == made.headers["etag"]
    assert "content-type" not in fresh.headers
    assert cache.hits == hits + 2


def test_kept_answers_are_counted_by_route_and_status(room: Newsroom) -> None:
    article_id = published(room, "Harbour reopens after the storm")
    path = f"/v1/articles/{article_id}"
    etag = room.client.get(path).headers["etag"]

    def counted(status: str) -> float:
        for line in room.client.get("/metrics").text.splitlines():
            if (
                line.startswith("masthead_http_requests_total{")
                and 'route="/v1/articles/{article_id}"' in line
                and f'status="{status}"' in line
                and 'method="GET"' in line
            ):
                return float(line.rpartition(" ")[2])
        return 0.0

    ok, not_modified = counted("200"), counted("304")
    room.client.get(path)
    room.client.get(path, headers={"If-None-Match": etag})
    assert counted("200") == ok + 1
    assert counted("304") == not_modified + 1
