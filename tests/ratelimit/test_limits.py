"""Quotas per token and per client address, through the app's own HTTP interface."""

import logging
import re
import time
from collections.abc import Callable

import httpx
import pytest
import redis
from support import assert_problem

from ratelimit.conftest import Limited
from ratelimit.redis_kit import free_port

LIMIT = re.compile(r'^"(?P<name>[a-z]+)";r=(?P<r>\d+);t=(?P<t>\d+)$')


def remaining(response: httpx.Response) -> int:
    match = LIMIT.match(response.headers["ratelimit"])
    assert match, response.headers["ratelimit"]
    return int(match["r"])


def statuses(responses: list[httpx.Response]) -> list[int]:
    return [response.status_code for response in responses]


def test_an_anonymous_client_gets_exactly_its_quota_then_429(limited: Limited) -> None:
    client = limited(rate_limit_anonymous=5, rate_limit_window_seconds=3600)
    answers = [client.get("/v1/services") for _ in range(8)]
    assert statuses(answers) == [200] * 5 + [429] * 3
    for answer in answers:
        assert answer.headers["ratelimit-policy"] == '"anonymous";q=5;w=3600'
    assert [remaining(answer) for answer in answers] == [4, 3, 2, 1, 0, 0, 0, 0]
    refused = answers[5]
    body = assert_problem(refused, 429)
    assert body["title"] == "Too Many Requests"
    assert "5 requests per 3600 seconds" in body["detail"]
    match = LIMIT.match(refused.headers["ratelimit"])
    assert match and match["name"] == "anonymous"
    assert 3590 <= int(match["t"]) <= 3600
    # Retry-After is never earlier than the end of the effective window.
    assert int(refused.headers["retry-after"]) == int(match["t"])
    assert refused.headers["cache-control"] == "no-store"
    assert refused.headers["x-request-id"]


def test_every_way_in_counts_against_one_quota(limited: Limited) -> None:
    client = limited(rate_limit_anonymous=4)
    answers = [
        client.get("/v1/articles/1"),  # the fast path
        client.head("/v1/services"),
        client.get("/no/such/thing"),
        client.post("/v1/articles", json={}),
    ]
    assert statuses(answers) == [404, 200, 404, 401]
    assert [remaining(answer) for answer in answers] == [3, 2, 1, 0]
    assert_problem(client.get("/v1/articles/1"), 429)
    head = client.head("/v1/services")
    assert head.status_code == 429 and head.content == b""
    assert head.headers["retry-after"]


def test_health_checks_and_metrics_are_never_limited(limited: Limited) -> None:
    client = limited(rate_limit_anonymous=1)
    assert client.get("/v1/services").status_code == 200
    for path in ("/healthz", "/readyz", "/metrics", "/healthz"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "ratelimit" not in answer.headers
    assert client.get("/v1/services").status_code == 429


@pytest.mark.parametrize(("role", "quota"), [("viewer", 3), ("editor", 4), ("admin", 5)])
def test_each_role_has_its_quota_per_token(
    limited: Limited, token: Callable[[str], str], role: str, quota: int
) -> None:
    client = limited(
        rate_limit_anonymous=1, rate_limit_viewer=3, rate_limit_editor=4, rate_limit_admin=5
    )
    mine = {"Authorization": f"Bearer {token(role)}"}
    answers = [client.get("/v1/articles", headers=mine) for _ in range(quota + 2)]
    assert statuses(answers) == [200] * quota + [429] * 2
    assert answers[0].headers["ratelimit-policy"] == f'"{role}";q={quota};w=60'
    assert remaining(answers[0]) == quota - 1
    # Another token of the same role has its own quota; anonymous readers theirs.
    other = {"Authorization": f"Bearer {token(role)}"}
    assert client.get("/v1/articles", headers=other).status_code == 200
    assert client.get("/v1/articles").status_code == 200


def test_an_unknown_or_malformed_token_gets_only_the_anonymous_quota(
    limited: Limited, token: Callable[[str], str]
) -> None:
    client = limited(rate_limit_anonymous=3, rate_limit_admin=100)
    token("admin")
    answers = [
        client.get("/v1/articles", headers={"Authorization": "Bearer mh_made-up"}),
        client.get("/v1/articles", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}),
        client.get("/v1/articles", headers={"Authorization": "Bearer " + "x" * 300}),
        client.get("/v1/articles", headers={"Authorization": "Bearer mh_made-up"}),
    ]
    assert statuses(answers) == [401, 401, 401, 429]
    for answer in answers:
        assert answer.headers["ratelimit-policy"] == '"anonymous";q=3;w=60'
    # A role claimed in some other header earns nothing either.
    assert client.get("/v1/articles", headers={"X-Role": "admin"}).status_code == 429


def test_a_quota_of_zero_is_no_limit(limited: Limited, token: Callable[[str], str]) -> None:
    client = limited(rate_limit_anonymous=1, rate_limit_admin=0)
    admin = {"Authorization": f"Bearer {token('admin')}"}
    answers = [client.get("/v1/articles", headers=admin) for _ in range(5)]
    assert statuses(answers) == [200] * 5
    assert all("ratelimit" not in answer.headers for answer in answers)
    assert statuses([client.get("/v1/articles") for _ in range(2)]) == [200, 429]


def test_a_closed_window_opens_a_new_quota(limited: Limited) -> None:
    client = limited(rate_limit_anonymous=2, rate_limit_window_seconds=1)
    answers = [client.get("/v1/services") for _ in range(3)]
    assert statuses(answers) == [200, 200, 429]
    time.sleep(int(answers[2].headers["retry-after"]) + 0.05)
    again = client.get("/v1/services")
    assert again.status_code == 200
    assert remaining(again) == 1


def test_behind_a_trusted_proxy_each_reader_has_a_quota_of_their_own(limited: Limited) -> None:
    client = limited(rate_limit_anonymous=2, rate_limit_client_header="X-Forwarded-For")
    reader = {"X-Forwarded-For": "203.0.113.7"}
    assert statuses([client.get("/v1/services", headers=reader) for _ in range(3)]) == [
        200,
        200,
        429,
    ]
    assert client.get("/v1/services", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 200
    # What the reader writes before our proxy's entry is not believed.
    spoofed = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    assert client.get("/v1/services", headers=spoofed).status_code == 429


def test_with_two_trusted_proxies_the_client_is_the_second_entry_from_the_right(
    limited: Limited,
) -> None:
    client = limited(
        rate_limit_anonymous=2,
        rate_limit_client_header="X-Forwarded-For",
        rate_limit_trusted_hops=2,
    )
    chains = ["198.51.100.1, 203.0.113.7, 10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.3"]
    assert statuses(
        [client.get("/v1/services", headers={"X-Forwarded-For": c}) for c in chains]
    ) == [
        200,
        200,
    ]
    # The same reader again, the list split over two header lines.
    split = [("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-For", "10.0.0.2")]
    assert client.get("/v1/services", headers=split).status_code == 429
    assert (
        client.get("/v1/services", headers={"X-Forwarded-For": "203.0.113.9, 10.0.0.2"}).status_code
        == 200
    )


def test_ipv6_readers_are_counted_per_64(limited: Limited) -> None:
    client = limited(rate_limit_anonymous=2, rate_limit_client_header="CF-Connecting-IP")
    for address, status in [
        ("2001:db8:1:2::1", 200),
        ("2001:db8:1:2:ffff::9", 200),
        ("2001:db8:1:2::77", 429),
        ("2001:db8:1:3::1", 200),
        ("::ffff:203.0.113.5", 200),
        ("203.0.113.5", 200),
        ("203.0.113.5", 429),
    ]:
        answer = client.get("/v1/services", headers={"CF-Connecting-IP": address})
        assert answer.status_code == status, address


def test_forwarding_headers_count_for_nothing_unless_configured(limited: Limited) -> None:
    client = limited(rate_limit_anonymous=1)
    assert client.get("/v1/services", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200
    assert (
        client.get("/v1/services", headers={"X-Forwarded-For": "203.0.113.10"}).status_code == 429
    )


def test_a_malformed_client_header_counts_as_the_connecting_address(limited: Limited) -> None:
    client = limited(rate_limit_anonymous=2, rate_limit_client_header="X-Forwarded-For")
    assert (
        client.get("/v1/services", headers={"X-Forwarded-For": "not an address"}).status_code == 200
    )
    assert client.get("/v1/services", headers={"X-Forwarded-For": ""}).status_code == 200
    assert client.get("/v1/services").status_code == 429


def test_the_processes_of_one_host_count_together_and_hosts_apart(limited: Limited) -> None:
    first, second = (
        limited(host="a", rate_limit_anonymous=3),
        limited(host="a", rate_limit_anonymous=3),
    )
    elsewhere = limited(host="b", rate_limit_anonymous=3)
    answers = [(first, second)[i % 2].get("/v1/services") for i in range(6)]
    assert statuses(answers) == [200, 200, 200, 429, 429, 429]
    # Without Redis another host counts on its own.
    assert statuses([elsewhere.get("/v1/services") for _ in range(4)]) == [200, 200, 200, 429]


def test_with_redis_every_host_counts_together(limited: Limited, redis_url: str) -> None:
    hosts = [limited(host=name, rate_limit_anonymous=4, redis_url=redis_url) for name in "abc"]
    answers = [hosts[i % 3].get("/v1/services") for i in range(9)]
    assert statuses(answers) == [200] * 4 + [429] * 5
    assert [remaining(answer) for answer in answers[:4]] == [3, 2, 1, 0]
    with redis.Redis.from_url(redis_url) as store:
        (key,) = store.keys("masthead:ratelimit:*")
        assert int(store.get(key) or 0) == 9
        assert 0 < store.pttl(key) <= 60_000


def test_while_redis_is_unreachable_each_host_counts_alone_and_says_so(
    limited: Limited, caplog: pytest.LogCaptureFixture
) -> None:
    client = limited(rate_limit_anonymous=2, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="masthead.ratelimit"):
        answers = [client.get("/v1/services") for _ in range(3)]
    assert statuses(answers) == [200, 200, 429]
    warnings = [r for r in caplog.records if r.name == "masthead.ratelimit"]
    assert len(warnings) == 1
    assert "Redis is unreachable" in warnings[0].getMessage()


def test_counting_in_redis_survives_its_scripts_being_flushed(
    limited: Limited, redis_url: str
) -> None:
    client = limited(rate_limit_anonymous=3, redis_url=redis_url)
    assert client.get("/v1/services").status_code == 200
    with redis.Redis.from_url(redis_url) as store:
        store.script_flush()
    assert statuses([client.get("/v1/services") for _ in range(3)]) == [200, 200, 429]
