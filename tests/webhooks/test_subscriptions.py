"""/v1/webhooks: admins subscribe URLs on public addresses to events; the secret
is shown once, at creation or rotation."""

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from support import assert_problem

from webhooks.hooks_kit import ALL_EVENTS, Hooks, hooks, prepare

__all__ = ["hooks"]

RECEIVER = "http://127.0.0.1:9/hooks"


def test_create_shows_the_secret_once(hooks: Hooks) -> None:
    response = hooks.client.post(
        "/v1/webhooks",
        json={"url": RECEIVER, "events": ["article.published"], "description": "Search index"},
        headers=hooks.headers(),
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/webhooks/{created['id']}"
    assert response.headers["cache-control"] == "private, no-store"
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32
    assert created["services"] is None and created["description"] == "Search index"
    shown = hooks.client.get(f"/v1/webhooks/{created['id']}", headers=hooks.headers())
    assert shown.status_code == 200
    assert "secret" not in shown.json()
    listed = hooks.client.get("/v1/webhooks", headers=hooks.headers()).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert all("secret" not in item for item in listed["items"])
    assert created["secret"] not in hooks.client.get("/v1/webhooks", headers=hooks.headers()).text


def test_fields_trims_subscriptions_and_deliveries(hooks: Hooks) -> None:
    created = hooks.subscribe(RECEIVER, ["article.published"])
    path = f"/v1/webhooks/{created['id']}"
    full = hooks.client.get(path, headers=hooks.headers())
    one = hooks.client.get(path, params={"fields": "id,url"}, headers=hooks.headers())
    assert one.json() == {"id": created["id"], "url": RECEIVER}
    assert one.headers["etag"] == full.headers["etag"]
    listed = hooks.client.get("/v1/webhooks", params={"fields": "id"}, headers=hooks.headers())
    assert listed.json()["items"] == [{"id": created["id"]}]
    deliveries = hooks.client.get(
        f"{path}/deliveries", params={"fields": "id,status"}, headers=hooks.headers()
    )
    assert deliveries.status_code == 200 and deliveries.json()["items"] == []
    for url in (path, "/v1/webhooks", f"{path}/deliveries"):
        assert_problem(
            hooks.client.get(url, params={"fields": "secret"}, headers=hooks.headers()), 400
        )


def test_patch_and_delete_take_if_match(hooks: Hooks) -> None:
    created = hooks.subscribe(RECEIVER, ["article.published"])
    path = f"/v1/webhooks/{created['id']}"
    assert_problem(
        hooks.client.patch(path, json={"events": ["video.published"]}, headers=hooks.headers()), 428
    )
    etag = hooks.client.get(path, headers=hooks.headers()).headers["etag"]
    changed = hooks.client.patch(
        path,
        json={"events": ["video.published", "cache.purge"], "services": ["ru"]},
        headers=hooks.headers(If_Match=etag),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"] == ["video.published", "cache.purge"]
    assert changed.json()["services"] == ["ru"]
    stale = hooks.client.delete(path, headers=hooks.headers(If_Match=etag))
    assert_problem(stale, 412)
    gone = hooks.client.delete(path, headers=hooks.headers(If_Match=changed.headers["etag"]))
    assert gone.status_code == 204
    assert_problem(hooks.client.get(path, headers=hooks.headers()), 404)


def test_only_admins_manage_webhooks(hooks: Hooks) -> None:
    body = {"url": RECEIVER, "events": ["article.published"]}
    assert_problem(hooks.client.post("/v1/webhooks", json=body), 401)
    assert_problem(hooks.client.get("/v1/webhooks"), 401)
    assert_problem(
        hooks.client.post("/v1/webhooks", json=body, headers=hooks.headers(hooks.editor)), 403
    )
    created = hooks.subscribe(RECEIVER)
    for method, path in (
        ("GET", "/v1/webhooks"),
        ("GET", f"/v1/webhooks/{created['id']}"),
        ("POST", f"/v1/webhooks/{created['id']}/secret"),
        ("GET", f"/v1/webhooks/{created['id']}/deliveries"),
        ("DELETE", f"/v1/webhooks/{created['id']}"),
    ):
        assert_problem(hooks.act(method, path, hooks.editor), 403)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": RECEIVER, "events": []}, "events"),
        ({"url": RECEIVER, "events": ["article.deleted"]}, "events.0"),
        ({"url": RECEIVER, "events": ["cache.purge"], "services": ["xx"]}, "services.0"),
        ({"url": RECEIVER, "events": ["cache.purge"], "secret": "mine"}, "secret"),
        ({"url": "ftp://127.0.0.1/x", "events": ["cache.purge"]}, "url"),
        ({"url": "http://user:pw@127.0.0.1/x", "events": ["cache.purge"]}, "url"),
        ({"url": "not a url", "events": ["cache.purge"]}, "url"),
        ({"events": ["cache.purge"]}, "url"),
    ],
)
def test_invalid_subscriptions_are_refused(hooks: Hooks, body: dict[str, Any], field: str) -> None:
    problem = assert_problem(
        hooks.client.post("/v1/webhooks", json=body, headers=hooks.headers()), 422
    )
    assert any(error["field"].endswith(field) for error in problem["errors"]), problem


PRIVATE_TARGETS = [
    "http://127.0.0.1/hooks",
    "http://127.1.2.3:8080/hooks",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hooks",
    "http://10.0.0.5/hooks",
    "http://172.16.0.1/hooks",
    "http://172.31.255.255/hooks",
    "http://192.168.1.1/hooks",
    "http://[fc00::1]/hooks",
    "http://[fd12:3456::1]/hooks",
    "http://[fe80::1]/hooks",
    "http://0.0.0.0/hooks",
    "http://[::ffff:169.254.169.254]/hooks",
    "http://localhost:8000/hooks",
    "http://2130706433/hooks",
    "http://0x7f.1/hooks",
]


def test_private_loopback_and_metadata_targets_are_refused_by_default(
    client: TestClient, sessions: sessionmaker[Session], store: Any
) -> None:
    admin, _ = prepare(sessions, store)
    for url in PRIVATE_TARGETS:
        response = client.post(
            "/v1/webhooks",
            json={"url": url, "events": ["article.published"]},
            headers={"Authorization": f"Bearer {admin}"},
        )
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["field"] == "url", url
        assert "non-public address" in problem["detail"], url
    public = client.post(
        "/v1/webhooks",
        json={"url": "https://93.184.215.14/hooks", "events": ["article.published"]},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert public.status_code == 201, public.text
    created = public.json()
    etag = client.get(
        f"/v1/webhooks/{created['id']}", headers={"Authorization": f"Bearer {admin}"}
    ).headers["etag"]
    moved = client.patch(
        f"/v1/webhooks/{created['id']}",
        json={"url": "http://169.254.169.254/"},
        headers={"Authorization": f"Bearer {admin}", "If-Match": etag},
    )
    assert_problem(moved, 422)


def test_rotating_the_secret_shows_the_new_one_once(hooks: Hooks) -> None:
    created = hooks.subscribe(RECEIVER)
    rotated = hooks.act("POST", f"/v1/webhooks/{created['id']}/secret")
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != created["secret"]
    assert body["previous_secret_expires_at"]
    shown = hooks.client.get(f"/v1/webhooks/{created['id']}", headers=hooks.headers()).json()
    assert shown["previous_secret_expires_at"] == body["previous_secret_expires_at"]
    assert (
        body["secret"]
        not in hooks.client.get(f"/v1/webhooks/{created['id']}", headers=hooks.headers()).text
    )
    assert_problem(hooks.act("POST", "/v1/webhooks/999/secret"), 404)


def test_every_event_name_is_accepted(hooks: Hooks) -> None:
    assert hooks.subscribe(RECEIVER, ALL_EVENTS)["events"] == ALL_EVENTS
