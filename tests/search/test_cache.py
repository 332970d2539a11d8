"""Kept search answers: dropped by a new store version, the clock, or their moment."""

import asyncio

import pytest

from app.search.cache import MAX_AGE_MS, AnswerCache


def test_an_answer_holds_for_its_version_until_its_moment_and_max_age() -> None:
    cache = AnswerCache(4)
    cache.put("q", "v1", now=1_000, valid_until_ms=5_000, value="answer")
    assert cache.get("q", "v1", 2_000) == "answer"
    assert cache.get("q", "v2", 2_000) is None
    cache.put("q", "v1", now=1_000, valid_until_ms=5_000, value="answer")
    assert cache.get("q", "v1", 5_000) is None
    cache.put("q", "v1", now=1_000, valid_until_ms=None, value="answer")
    assert cache.get("q", "v1", 1_000 + MAX_AGE_MS) is None


def test_the_least_recently_used_answer_goes_first() -> None:
    cache = AnswerCache(2)
    for key in ("a", "b"):
        cache.put(key, 1, 0, None, key)
    assert cache.get("a", 1, 1) == "a"
    cache.put("c", 1, 0, None, "c")
    assert cache.get("b", 1, 1) is None
    assert cache.get("a", 1, 1) == "a"


def test_size_zero_keeps_nothing() -> None:
    cache = AnswerCache(0)
    cache.put("q", 1, 0, None, "answer")
    assert cache.get("q", 1, 1) is None


def test_concurrent_misses_make_the_answer_once() -> None:
    cache = AnswerCache(4)
    made = []

    async def make() -> tuple[str, int | None]:
        made.append(1)
        await asyncio.sleep(0.01)
        return "answer", None

    async def many() -> list[str]:
        return await asyncio.gather(*(cache.get_or_make("q", 1, 0, make) for _ in range(10)))

    assert asyncio.run(many()) == ["answer"] * 10
    assert len(made) == 1


def test_a_failed_answer_fails_its_waiters_and_is_not_kept() -> None:
    cache = AnswerCache(4)

    async def make() -> tuple[str, int | None]:
        await asyncio.sleep(0.01)
        raise LookupError("store gone")

    async def many() -> list[object]:
        return await asyncio.gather(
            *(cache.get_or_make("q", 1, 0, make) for _ in range(3)), return_exceptions=True
        )

    assert all(isinstance(result, LookupError) for result in asyncio.run(many()))
    assert cache.get("q", 1, 1) is None
    with pytest.raises(LookupError):
        asyncio.run(cache.get_or_make("q", 1, 0, make))
