"""API7, server side request forgery: a webhook may not target the server's own
network, by address or by a name that resolves there."""

import pytest
from articles.editorial_kit import Newsroom, room
from support import assert_problem

__all__ = ["room"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://[::1]/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://2130706433/hook",
        "file:///etc/passwd",
        "gopher://example.com/",
    ],
)
def test_a_webhook_target_on_the_servers_own_network_is_refused(room: Newsroom, url: str) -> None:
    response = room.action(
        "POST", "/v1/webhooks", "admin", json={"url": url, "events": ["article.published"]}
    )
    assert_problem(response, 422)
    assert room.action("GET", "/v1/webhooks", "admin").json()["items"] == []
