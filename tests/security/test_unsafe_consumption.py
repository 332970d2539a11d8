"""API10, unsafe consumption of APIs: what agencies send (ninjs, HTML bodies) is
parsed within bounds; entities are never expanded into more than they say, and no
markup from outside comes back out unsanitised."""

import pytest
from articles.editorial_kit import Newsroom, room
from support import assert_problem

__all__ = ["room"]


def ninjs(body_html: str, uri: str = "urn:agency:1") -> dict[str, object]:
    return {
        "uri": uri,
        "type": "text",
        "versionCreated": "2026-01-05T09:00:00Z",
        "headlines": [{"role": "main", "value": "Agency story"}],
        "bodies": [{"contentType": "text/html", "value": body_html}],
    }


def imported(room: Newsroom, item: dict[str, object]) -> dict[str, object]:
    response = room.client.post(
        "/v1/import",
        params={"service": "en"},
        json={"items": [item]},
        headers=room.headers("admin"),
    )
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert_problem(response, 422)
        return {}
    article_id = response.json()["items"][0]["id"]
    found: dict[str, object] = room.get(article_id, "admin").json()
    return found


def test_markup_nested_a_hundred_thousand_deep_is_parsed_or_refused(room: Newsroom) -> None:
    html = "<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000
    imported(room, ninjs(html))


def test_entity_definitions_are_not_expanded(room: Newsroom) -> None:
    html = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        "<p>&lol2;&lol2;&lol2;</p>"
    )
    article = imported(room, ninjs(html))
    assert len(str(article.get("body", ""))) < 2000


def test_scripts_and_handlers_from_an_agency_never_come_back(room: Newsroom) -> None:
    html = '<p onclick="steal()">Hi <script>steal()</script><a href="javascript:x()">x</a></p>'
    article = imported(room, ninjs(html))
    text = str(article)
    for unsafe in ("<script", "onclick", "javascript:"):
        assert unsafe not in text


@pytest.mark.parametrize("size", [1_000_000])
def test_a_huge_single_paragraph_is_bounded(room: Newsroom, size: int) -> None:
    imported(room, ninjs("<p>" + "word " * (size // 5) + "</p>"))
