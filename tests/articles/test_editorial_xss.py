"""Whatever goes in, no script, event handler or script URL comes back out: classic
XSS payloads in every text member an editor writes, read back from every
representation (editorial read, public detail and by slug, teaser list, summary,
revision history)."""

import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import assert_problem

from app.articles.content import clean_block, generated_summary
from articles.editorial_kit import Newsroom, room

__all__ = ["room"]

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="jAvAsCrIpT:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="javascript&colon;alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="https://ok.example/" onclick="alert(1)">ok</a>',
    '<a xlink:href="javascript:alert(1)">click</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<p style="width: expression(alert(1))">styled</p>',
    "<body onload=alert(1)>",
    '<b onmouseover="alert(1)">bold</b>',
    '"><script>alert(1)</script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>@import 'javascript:alert(1)';</style>",
]

SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x.js",
    'https://img.example/x.jpg"onerror="alert(1)',
    "https://img.example/<script>",
]

ALLOWED_TAGS = {"b", "i", "em", "strong", "a"}
SAFE_SCHEMES = ("http:", "https:", "mailto:")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.declarations: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.declarations.append(data)

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)


def assert_inert(text: str, where: str) -> None:
    """Markup in ``text`` is limited to the inline allow-list with safe links."""
    parser = _Tags()
    parser.feed(text)
    parser.close()
    assert not parser.declarations, (where, text)
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS, (where, text)
        for name, value in attrs:
            assert not name.startswith("on"), (where, text)
            assert name in ("href", "rel"), (where, text)
            if name == "href":
                target = re.sub(r"[\s\x00-\x1f]", "", unescape(value or "")).lower()
                assert target.startswith(SAFE_SCHEMES), (where, text)
    lowered = text.lower()
    assert "<script" not in lowered and "<iframe" not in lowered, (where, text)


def assert_all_inert(document: Any, where: str) -> None:
    """Every string anywhere in a JSON document."""
    if isinstance(document, str):
        assert_inert(document, where)
    elif isinstance(document, dict):
        for key, value in document.items():
            assert_all_inert(value, f"{where}.{key}")
    elif isinstance(document, list):
        for n, value in enumerate(document):
            assert_all_inert(value, f"{where}.{n}")


def loaded(payload: str) -> dict[str, Any]:
    """An article with the payload in every text member of the write shape."""
    return {
        "headline": f"Headline {payload}",
        "kicker": payload,
        "dek": f"Dek {payload}",
        "lead_image": {
            "url": "https://img.example/lead.jpg",
            "caption": payload,
            "credit": payload,
            "alt": payload,
        },
        "body": [
            {"type": "paragraph", "text": f"Before {payload} after. A second sentence here."},
            {"type": "heading", "text": payload, "level": 3},
            {"type": "quote", "text": payload, "attribution": payload},
            {"type": "list", "style": "bullet", "items": [payload, f"item {payload}"]},
            {
                "type": "image",
                "url": "https://img.example/body.jpg",
                "caption": payload,
                "credit": payload,
                "alt": payload,
            },
            {"type": "embed", "url": "https://video.example/embed/1", "provider": payload},
            {"type": "paragraph", "text": f"{payload} closes the story. It ends here."},
        ],
    }


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_comes_back_out_in_any_representation(room: Newsroom, payload: str) -> None:
    created = room.create("en_editor", **loaded(payload))
    assert created.status_code == 201, created.text
    article_id = created.json()["id"]
    assert_all_inert(created.json(), "create")
    etag = created.headers["etag"]
    summary = room.client.put(
        f"/v1/articles/{article_id}/summary",
        json={"bullets": [f"Point {payload}", f"Bullet {payload}"]},
        headers=room.headers("en_editor", If_Match=etag),
    )
    assert summary.status_code == 200, summary.text
    assert_all_inert(summary.json(), "summary write")
    published = room.publish(article_id)
    assert published.status_code == 200
    patched = room.patch(
        article_id,
        {"correction": f"Corrected {payload}", "dek": f"New dek {payload}"},
        etag=published.headers["etag"],
    )
    assert patched.status_code == 200, patched.text
    # A second body so that the previous values in the history hold the payload too.
    second = room.patch(article_id, loaded(f"again {payload}"), etag=patched.headers["etag"])
    assert second.status_code == 200, second.text

    slug = second.json()["slug"]
    readings = {
        "editorial": room.get(article_id, "en_editor").json(),
        "public": room.get(article_id).json(),
        "by slug": room.client.get(f"/v1/services/en/articles/{slug}").json(),
        "teasers": room.client.get("/v1/articles").json(),
        "summary": room.get(article_id, tail="/summary").json(),
        "editorial summary": room.get(article_id, "en_viewer", tail="/summary").json(),
        "revisions": room.get(article_id, "en_viewer", tail="/revisions").json(),
    }
    for number in range(1, 6):
        revision = room.get(article_id, "en_viewer", tail=f"/revisions/{number}")
        assert revision.status_code == 200
        readings[f"revision {number}"] = revision.json()
    assert readings["public"]["corrections"]
    assert readings["teasers"]["items"][0]["id"] == article_id
    for where, document in readings.items():
        assert_all_inert(document, where)


def test_the_generated_summary_never_turns_escaped_markup_into_markup(room: Newsroom) -> None:
    text = "&lt;script&gt;alert(1)&lt;/script&gt; was typed by the minister. It is text."
    draft = room.draft(body=[{"type": "paragraph", "text": text}])
    bullets = draft["summary"]["bullets"]
    assert bullets and all("<" not in bullet for bullet in bullets)
    assert "‹script›" in bullets[0]


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_script_and_other_unsafe_urls_are_refused(room: Newsroom, url: str) -> None:
    for document, field in (
        ({"body": [{"type": "image", "url": url}]}, "body.0.image.url"),
        ({"body": [{"type": "embed", "url": url}]}, "body.0.embed.url"),
        ({"lead_image": {"url": url}}, "lead_image.url"),
    ):
        problem = assert_problem(room.create(**document), 422)
        assert field in [error["field"] for error in problem["errors"]]
    draft = room.draft()
    patched = room.patch(draft["id"], {"lead_image": {"url": url}})
    assert_problem(patched, 422)


def test_safe_links_survive_with_rel(room: Newsroom) -> None:
    draft = room.draft(
        body=[
            {
                "type": "paragraph",
                "text": 'Read <a href="https://gov.example/budget" target="_blank">the plan</a>.',
            }
        ]
    )
    assert draft["body"][0]["text"] == (
        'Read <a href="https://gov.example/budget" rel="noopener noreferrer nofollow">the plan</a>.'
    )


FRAGMENTS = [*PAYLOADS, "plain words", "<b>bold</b>", "<", ">", "&", '"', "'", "=", " on", "\n"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), min_size=1, max_size=8).map("".join)
)
def test_any_mix_of_fragments_is_sanitised_in_every_block_member(text: str) -> None:
    for block in (
        {"type": "paragraph", "text": text},
        {"type": "quote", "text": text, "attribution": text},
        {"type": "list", "style": "ordered", "items": [text, text]},
        {"type": "image", "url": "https://i.example/x.jpg", "caption": text, "alt": text},
        {"type": "embed", "url": "https://e.example/", "provider": text},
    ):
        assert_all_inert(clean_block(block), "block")
    assert_all_inert(generated_summary([{"type": "paragraph", "text": text}], "en"), "summary")


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVa&#x09;ScRiPt:alert(1)">x</a>',
        '<b onclick="x">b</b>',
        "<iframe src=x></iframe>",
        "<!-- hidden -->",
        '<a href="data:text/html,x">x</a>',
    ],
)
def test_the_oracle_catches_what_it_must(dangerous: str) -> None:
    with pytest.raises(AssertionError):
        assert_inert(dangerous, "oracle")
