"""Deliveries: every event reaches its receiver signed (verified here with the
Standard Webhooks library), once, through failures, timeouts, restarts and
several workers; what is refused or given up is logged and can be replayed."""

import asyncio
import itertools
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks import Webhook, WebhookVerificationError
from support import assert_problem

from app.config import Settings
from app.models import WebhookDelivery, utcnow
from app.readstore import make_read_store
from app.webhooks import delivery
from app.webhooks.worker import DeliveryWorker
from webhooks.hooks_kit import ARTICLE_EVENTS, Hooks, hooks, masthead, prepare
from webhooks.receiver import Received, receiving

__all__ = ["hooks"]

VIDEO = {
    "service": "en",
    "title": "Storm over the harbour",
    "duration": 60,
    "thumbnail": {"url": "https://media.example/storm.jpg"},
    "renditions": [{"url": "https://media.example/storm.mp4", "mime_type": "video/mp4"}],
}


def events(received: list[Received], secret: str) -> list[tuple[str, int]]:
    """(type, seq) of each verified delivery, in the order of the log."""
    payloads = [Webhook(secret).verify(r.body, r.headers) for r in received]
    return sorted(((p["type"], p["data"]["seq"]) for p in payloads), key=lambda pair: pair[1])


def test_every_change_is_delivered_signed_once(hooks: Hooks) -> None:
    with receiving() as receiver:
        secret = hooks.subscribe(
            receiver.url, [*ARTICLE_EVENTS, "video.published", "video.updated", "video.unpublished"]
        )["secret"]
        article_id = hooks.article()
        hooks.publish(article_id)
        hooks.edit(article_id, {"dek": "Until Friday."})
        assert hooks.act("POST", f"/v1/articles/{article_id}/unpublish").status_code == 200
        hooks.publish(article_id)
        etag = hooks.client.get(f"/v1/articles/{article_id}", headers=hooks.headers()).headers[
            "etag"
        ]
        assert hooks.act("DELETE", f"/v1/articles/{article_id}", If_Match=etag).status_code == 204
        video = hooks.client.post("/v1/videos", json=VIDEO, headers=hooks.headers())
        video_id = video.json()["id"]
        changed = hooks.client.patch(
            f"/v1/videos/{video_id}",
            json={"title": "Storm closes the harbour"},
            headers=hooks.headers(If_Match=video.headers["etag"]),
        )
        hooks.client.delete(
            f"/v1/videos/{video_id}", headers=hooks.headers(If_Match=changed.headers["etag"])
        )
        received = receiver.wait_for(8)
        time.sleep(0.3)
        assert len(receiver.requests) == 8, "each event once, nothing more"
        assert [kind for kind, _ in events(received, secret)] == [
            "article.published",
            "article.updated",
            "article.unpublished",
            "article.published",
            "article.archived",
            "video.published",
            "video.updated",
            "video.unpublished",
        ]
        for request in received:
            assert request.headers["webhook-signature"].startswith("v1,")
            assert request.headers["content-type"] == "application/json"
            payload = request.json
            assert set(payload) == {"type", "timestamp", "data"}
            assert {"id", "service", "url"} <= set(payload["data"])
            assert payload["data"]["service"] == "en"
        published = next(r.json for r in received if r.json["type"] == "article.published")
        assert published["data"]["id"] == article_id
        assert published["data"]["url"] == f"/v1/articles/{article_id}"
        assert published["data"]["canonical_url"].startswith("https://en.news.example/")
        assert len({r.headers["webhook-id"] for r in received}) == 8
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "A" * 43 + "=").verify(received[0].body, received[0].headers)


def test_subscriptions_get_only_their_events_and_services(hooks: Hooks) -> None:
    with receiving() as everything, receiving() as russian, receiving() as published:
        hooks.subscribe(everything.url, ["article.published", "article.updated"])
        hooks.subscribe(russian.url, ["article.published"], services=["ru"])
        hooks.subscribe(published.url, ["article.published"], services=["en", "ru"])
        en = hooks.article()
        ru = hooks.article("ru", "Шторм закрыл гавань")
        hooks.publish(en)
        hooks.publish(ru)
        hooks.edit(en, {"dek": "Until Friday."})
        everything.wait_for(3)
        russian.wait_for(1)
        published.wait_for(2)
        time.sleep(0.3)
        assert sorted((r.json["type"], r.json["data"]["id"]) for r in everything.succeeded()) == [
            ("article.published", en),
            ("article.published", ru),
            ("article.updated", en),
        ]
        assert [(r.json["type"], r.json["data"]["service"]) for r in russian.succeeded()] == [
            ("article.published", "ru")
        ]
        assert len(published.succeeded()) == 2


def test_a_subscription_hears_only_what_changes_after_it_was_made(hooks: Hooks) -> None:
    before = hooks.article()
    hooks.publish(before)
    with receiving() as receiver:
        hooks.subscribe(receiver.url, ["article.updated", "article.published"])
        later = hooks.article(headline="A later story")
        hooks.publish(later)
        receiver.wait_for(1)
        time.sleep(0.3)
        assert [r.json["data"]["id"] for r in receiver.succeeded()] == [later]


def test_cache_purge_names_the_keys_of_the_responses_that_changed(hooks: Hooks) -> None:
    with receiving() as receiver:
        secret = hooks.subscribe(receiver.url, ["cache.purge"])["secret"]
        article_id = hooks.article()
        hooks.publish(article_id)
        video = hooks.client.post("/v1/videos", json=VIDEO, headers=hooks.headers()).json()
        received = receiver.wait_for(2)
        payloads = {
            p["data"]["type"]: p
            for p in (Webhook(secret).verify(r.body, r.headers) for r in received)
        }
        assert payloads["article"]["type"] == "cache.purge"
        keys = payloads["article"]["data"]["surrogate_keys"]
        assert keys == [f"article-{article_id}", "articles", "changes"]
        served = set(
            hooks.client.get(f"/v1/articles/{article_id}").headers["surrogate-key"].split()
        )
        assert f"article-{article_id}" in served
        assert "articles" in set(hooks.client.get("/v1/articles").headers["surrogate-key"].split())
        assert hooks.client.get("/v1/changes").headers["surrogate-key"] == "changes"
        video_keys = payloads["video"]["data"]["surrogate_keys"]
        assert video_keys == [f"video-{video['id']}", "videos", "changes"]
        assert (
            f"video-{video['id']}"
            in hooks.client.get(f"/v1/videos/{video['id']}").headers["surrogate-key"]
        )


def test_a_receiver_down_for_a_while_gets_every_event_once_when_it_is_back(hooks: Hooks) -> None:
    down = 9
    with receiving(lambda n: 503 if n < down else 200) as receiver:
        created = hooks.subscribe(receiver.url, ["article.published"])
        ids = [hooks.article(headline=f"Story {n} of the storm") for n in range(3)]
        for article_id in ids:
            hooks.publish(article_id)
        receiver.wait_for(3, timeout=60)
        log = hooks.settled(created["id"], 3)
        received = receiver.succeeded()
        assert sorted(p["data"]["id"] for p in receiver.verified(created["secret"])) == ids
        assert len(received) == 3 and len({r.headers["webhook-id"] for r in received}) == 3
        assert {item["status"] for item in log} == {"succeeded"}
        attempts = [attempt for item in log for attempt in item["attempt_log"]]
        assert len(attempts) == len(receiver.requests)
        assert Counter(a["status_code"] for a in attempts) == {503: down, 200: 3}
        for item in log:
            statuses = [a["status_code"] for a in item["attempt_log"]]
            assert statuses[-1] == 200 and set(statuses[:-1]) <= {503}
            assert [a["number"] for a in item["attempt_log"]] == list(range(1, len(statuses) + 1))
            failed = [a for a in item["attempt_log"] if a["status_code"] == 503]
            assert all(a["error"] == "answered 503" and a["response_body"] for a in failed)
            assert all(len(a["response_body"]) <= 1000 for a in failed)


def test_a_receiver_that_hangs_times_out_and_holds_up_no_other(
    database_url: str, sessions: sessionmaker[Session], store: Any
) -> None:
    admin, _ = prepare(sessions, store)
    with receiving(lambda n: "hang") as hanging, receiving() as fine:
        # Every event is in the log before the worker starts, so it has all twelve
        # deliveries at once, however slowly a loaded machine publishes.
        with masthead(database_url, webhook_worker=False) as writer:
            hooks = Hooks(writer, sessions, admin, admin)
            slow = hooks.subscribe(hanging.url, ["article.published"])
            hooks.subscribe(fine.url, ["article.published"])
            for n in range(6):
                hooks.publish(hooks.article(headline=f"Story {n} of the night"))
        with masthead(database_url, webhook_timeout_seconds=4.0) as client:
            hooks = Hooks(client, sessions, admin, admin)
            fine.wait_for(6, timeout=30)
            hanging.wait_for(1, timeout=30, ok_only=False)
            # Every event reached the fast receiver while the slow one's first
            # attempts were still waiting for an answer.
            assert [a for d in hooks.deliveries(slow["id"]) for a in d["attempt_log"]] == []
            assert len(hanging.requests) <= 4, "at most its share of the worker's places"
            deadline = time.monotonic() + 30
            attempts: list[dict[str, Any]] = []
            while time.monotonic() < deadline and not attempts:
                attempts = [a for d in hooks.deliveries(slow["id"]) for a in d["attempt_log"]]
                time.sleep(0.1)
            assert attempts, "no attempt at the hanging receiver was logged"
            assert attempts[0]["error"] == "no answer within 4 s"
            assert attempts[0]["status_code"] is None
            # Cut off at its timeout, not when the receiver lets go (a minute later).
            assert 3900 <= attempts[0]["duration_ms"] < 8000


def test_a_delivery_given_up_is_marked_failed_and_can_be_replayed(
    database_url: str, sessions: sessionmaker[Session], store: Any
) -> None:
    admin, _ = prepare(sessions, store)
    healthy = False
    with (
        receiving(lambda n: 200 if healthy else 500) as receiver,
        masthead(database_url, webhook_max_attempts=3) as client,
    ):
        hooks = Hooks(client, sessions, admin, admin)
        created = hooks.subscribe(receiver.url, ["article.published"])
        hooks.publish(hooks.article())
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and hooks.deliveries(created["id"])[:1] == []:
            time.sleep(0.05)
        while (
            time.monotonic() < deadline and hooks.deliveries(created["id"])[0]["status"] != "failed"
        ):
            time.sleep(0.05)
        [failed] = hooks.deliveries(created["id"], status="failed")
        assert failed["attempts"] == 3 and len(failed["attempt_log"]) == 3
        assert failed["next_attempt_at"] is None and failed["finished_at"]
        assert len(receiver.requests) == 3
        healthy = True
        path = f"/v1/webhooks/{created['id']}/deliveries/{failed['id']}/replay"
        replayed = hooks.act("POST", path)
        assert replayed.status_code == 202, replayed.text
        assert replayed.json()["status"] == "pending"
        [ok] = receiver.wait_for(1)
        assert ok.headers["webhook-id"] == failed["message_id"]
        Webhook(created["secret"]).verify(ok.body, ok.headers)
        deadline = time.monotonic() + 5
        while hooks.deliveries(created["id"])[0]["status"] != "succeeded":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert len(hooks.deliveries(created["id"])[0]["attempt_log"]) == 4
        assert_problem(
            hooks.act("POST", f"/v1/webhooks/{created['id']}/deliveries/999/replay"), 404
        )


def test_a_restart_in_the_middle_of_retries_loses_nothing(
    database_url: str, sessions: sessionmaker[Session], store: Any
) -> None:
    admin, _ = prepare(sessions, store)
    healthy = False
    with receiving(lambda n: 200 if healthy else 500) as receiver:
        slow_retries = {"webhook_retry_base_seconds": 0.5, "webhook_retry_max_seconds": 0.5}
        with masthead(database_url, **slow_retries) as first:
            hooks = Hooks(first, sessions, admin, admin)
            created = hooks.subscribe(receiver.url, ["article.published"])
            hooks.publish(hooks.article())
            receiver.wait_for(1, ok_only=False)
        # The first instance is gone, its delivery waiting for a retry.
        with sessions() as session:
            pending = session.scalars(select(WebhookDelivery)).all()
            assert [(d.status, d.lease_owner) for d in pending] == [("pending", None)]
        healthy = True
        with masthead(database_url) as second:
            [ok] = receiver.wait_for(1)
            Webhook(created["secret"]).verify(ok.body, ok.headers)
            hooks = Hooks(second, sessions, admin, admin)
            deadline = time.monotonic() + 5
            while hooks.deliveries(created["id"])[0]["status"] != "succeeded":
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert len(receiver.succeeded()) == 1


def test_several_workers_deliver_each_event_exactly_once(
    database_url: str, sessions: sessionmaker[Session], store: Any
) -> None:
    admin, _ = prepare(sessions, store)

    def slowly(n: int) -> int:
        time.sleep(0.05)
        return 200

    with (
        receiving(slowly) as receiver,
        masthead(database_url) as one,
        masthead(database_url) as two,
        masthead(database_url) as three,
    ):
        hooks = Hooks(one, sessions, admin, admin)
        created = hooks.subscribe(receiver.url, ["article.published", "cache.purge"])
        for n, client in enumerate([one, two, three] * 4):
            writer = Hooks(client, sessions, admin, admin)
            writer.publish(writer.article(headline=f"Story {n} of the day"))
        receiver.wait_for(24, timeout=60)
        hooks.settled(created["id"], 24)
        # A second delivery of an event would come at once: the same workers are idle.
        time.sleep(0.5)
        ids = [r.headers["webhook-id"] for r in receiver.requests]
        assert len(ids) == 24 and len(set(ids)) == 24
        verified = receiver.verified(created["secret"])
        assert Counter(p["type"] for p in verified) == {"article.published": 12, "cache.purge": 12}


def test_a_worker_that_died_holding_a_lease_is_taken_over(
    database_url: str, sessions: sessionmaker[Session], store: Any
) -> None:
    admin, _ = prepare(sessions, store)
    settings = Settings(database_url=database_url, webhook_lease_seconds=4.0)
    with receiving() as receiver, masthead(database_url, webhook_worker=False) as client:
        hooks = Hooks(client, sessions, admin, admin)
        created = hooks.subscribe(receiver.url, ["article.published"])
        hooks.publish(hooks.article())

        async def fan_out_and_claim_then_die() -> list[delivery.Claimed]:
            worker = DeliveryWorker(settings, sessions, make_read_store(database_url, 2))
            try:
                await worker._fan_out()
                with sessions.begin() as session:
                    return delivery.claim(session, settings, "dead-worker", utcnow(), 10, {})
            finally:
                await worker.store.close()
                await worker.client.aclose()

        claimed = asyncio.run(fan_out_and_claim_then_die())
        assert len(claimed) == 1
        with masthead(database_url) as _:
            time.sleep(0.2)
            assert receiver.requests == [], "the lease is still held"
            [ok] = receiver.wait_for(1, timeout=10)
            assert ok.headers["webhook-id"] == claimed[0].message_id
            hooks.settled(created["id"], 1)
        with sessions.begin() as session:
            late = delivery.Outcome(utcnow(), 10, 200, None, None)
            delivery.finish(session, settings, "dead-worker", claimed[0], late, utcnow())
        [item] = hooks.deliveries(created["id"])
        assert item["status"] == "succeeded" and item["attempts"] == 1
        assert len(item["attempt_log"]) == 2, "the late attempt is logged, and changes nothing"


def test_the_address_is_checked_again_at_delivery(
    database_url: str, sessions: sessionmaker[Session], store: Any
) -> None:
    admin, _ = prepare(sessions, store)
    with receiving() as receiver:
        url = receiver.url.replace("127.0.0.1", "localhost")
        with masthead(database_url, webhook_worker=False) as client:
            hooks = Hooks(client, sessions, admin, admin)
            created = hooks.subscribe(url, ["article.published"])
            hooks.publish(hooks.article())
        strict = Settings(database_url=database_url, webhook_max_attempts=1)

        async def deliver_once() -> None:
            worker = DeliveryWorker(strict, sessions, make_read_store(database_url, 2))
            try:
                await worker.drain(timeout=10)
            finally:
                await worker.store.close()
                await worker.client.aclose()

        asyncio.run(deliver_once())
        assert receiver.requests == []
        with sessions() as session:
            [found] = session.scalars(select(WebhookDelivery)).all()
            assert found.status == "failed"
            assert found.last_error is not None
            assert "localhost resolves to 127.0.0.1" in found.last_error
        assert created["url"] == url


def test_finished_deliveries_past_their_retention_are_deleted(
    database_url: str, sessions: sessionmaker[Session], store: Any
) -> None:
    admin, _ = prepare(sessions, store)
    with receiving() as receiver:
        with masthead(database_url, webhook_worker=False) as client:
            hooks = Hooks(client, sessions, admin, admin)
            created = hooks.subscribe(receiver.url, ARTICLE_EVENTS)
            for headline in ("Storm closes the harbour", "Ferries run again", "Port reopens"):
                hooks.publish(hooks.article(headline=headline))
        settings = Settings(
            database_url=database_url, webhook_allow_private_targets=True, webhook_retention_days=7
        )

        async def deliver() -> None:
            worker = DeliveryWorker(settings, sessions, make_read_store(database_url, 2))
            try:
                await worker.drain(timeout=10)
            finally:
                await worker.store.close()
                await worker.client.aclose()

        asyncio.run(deliver())
        with sessions.begin() as session:
            rows = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
            assert len(rows) == 3 and {row.status for row in rows} == {"succeeded"}
            old, recent, pending = rows
            old.finished_at = utcnow() - timedelta(days=8)
            recent.finished_at = utcnow() - timedelta(days=6)
            pending.status, pending.finished_at = "pending", None
            pending.next_attempt_at = utcnow() + timedelta(days=1)
            keep = [recent.id, pending.id]
        asyncio.run(deliver())
        with sessions() as session:
            left = session.scalars(select(WebhookDelivery.id).order_by(WebhookDelivery.id)).all()
            assert list(left) == keep
        with masthead(database_url, webhook_worker=False) as client:
            listed = Hooks(client, sessions, admin, admin).deliveries(created["id"])
            assert {item["id"] for item in listed} == set(keep)


def test_redirects_are_not_followed(hooks: Hooks) -> None:
    with receiving(lambda n: 302 if n == 0 else 200) as receiver:
        created = hooks.subscribe(receiver.url, ["article.published"])
        hooks.publish(hooks.article())
        receiver.wait_for(1, timeout=30)
        [item] = hooks.settled(created["id"], 1)
        assert [a["status_code"] for a in item["attempt_log"]] == [302, 200]
        assert [r.path for r in receiver.requests] == ["/hooks", "/hooks"]


def test_the_old_secret_signs_too_after_a_rotation(hooks: Hooks) -> None:
    with receiving() as receiver:
        created = hooks.subscribe(receiver.url, ["article.published"])
        rotated = hooks.act("POST", f"/v1/webhooks/{created['id']}/secret").json()
        hooks.publish(hooks.article())
        [request] = receiver.wait_for(1)
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        for secret in (created["secret"], rotated["secret"]):
            Webhook(secret).verify(request.body, request.headers)


def test_the_default_schedule_retries_within_seconds(
    database_url: str, sessions: sessionmaker[Session], store: Any
) -> None:
    """The real schedule (no test settings): a receiver down for three seconds has
    the event at the second attempt, five seconds (plus or minus a fifth) later."""
    admin, _ = prepare(sessions, store)
    calls: list[float] = []

    def down_for_three_seconds(n: int) -> int:
        calls.append(time.monotonic())
        return 200 if calls[-1] >= calls[0] + 3 else 503

    with (
        receiving(down_for_three_seconds) as receiver,
        masthead(
            database_url,
            webhook_retry_base_seconds=Settings.model_fields["webhook_retry_base_seconds"].default,
            webhook_retry_max_seconds=Settings.model_fields["webhook_retry_max_seconds"].default,
            webhook_timeout_seconds=Settings.model_fields["webhook_timeout_seconds"].default,
            webhook_poll_seconds=Settings.model_fields["webhook_poll_seconds"].default,
        ) as client,
    ):
        hooks = Hooks(client, sessions, admin, admin)
        created = hooks.subscribe(receiver.url, ["article.published"])
        hooks.publish(hooks.article())
        [ok] = receiver.wait_for(1, timeout=30)
        Webhook(created["secret"]).verify(ok.body, ok.headers)
        [item] = hooks.settled(created["id"], 1)
        attempts = item["attempt_log"]
        assert [a["status_code"] for a in attempts] == [503, 200]
        gap = datetime.fromisoformat(attempts[1]["started_at"]) - datetime.fromisoformat(
            attempts[0]["started_at"]
        )
        assert timedelta(seconds=3) <= gap <= timedelta(seconds=8)


def test_retry_delays_grow_from_seconds_to_hours() -> None:
    settings = Settings()
    delays = [delivery.retry_delay(settings, n) for n in range(1, settings.webhook_max_attempts)]
    assert 4 <= delays[0] <= 6 and delays[1] <= 24, "the first retries come within a minute"
    assert sum(delays[:2]) < 60
    assert all(b > a for a, b in itertools.pairwise(delays[:7]))
    assert 3600 <= delays[6] <= 12 * 3600 * 1.2
    assert max(delays) <= settings.webhook_retry_max_seconds * 1.2
    assert sum(delays) > 24 * 3600, "spaced out over more than a day before giving up"


def test_concurrent_claims_take_each_delivery_once(
    database_url: str, sessions: sessionmaker[Session], store: Any
) -> None:
    admin, _ = prepare(sessions, store)
    settings = Settings(database_url=database_url, webhook_concurrency_per_target=100)
    with masthead(database_url, webhook_worker=False) as client:
        hooks = Hooks(client, sessions, admin, admin)
        hooks.subscribe("http://127.0.0.1:9/hooks", ["article.published", "cache.purge"])
        for n in range(15):
            hooks.publish(hooks.article(headline=f"Story {n} of the week"))
    while True:
        with sessions.begin() as session:
            if delivery.fan_out(session, settings, utcnow()) == 0:
                break
    claimed: list[int] = []
    errors: list[BaseException] = []

    def claimer(owner: str) -> None:
        try:
            while True:
                with sessions.begin() as session:
                    got = delivery.claim(session, settings, owner, utcnow(), 2, {})
                if not got:
                    return
                claimed.extend(item.id for item in got)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=claimer, args=(f"claimer-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as session:
        every = sorted(session.scalars(select(WebhookDelivery.id)))
    assert len(every) == 30
    assert sorted(claimed) == every, "each delivery claimed by one claimer, once"
