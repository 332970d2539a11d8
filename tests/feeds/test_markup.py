"""Whatever text an article holds, every feed stays well-formed and says it exactly."""

from typing import Any

import feedparser
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from app.feeds import atom, jsonfeed, rss, sitemap
from app.feeds.entries import Channel, Entry, Format, Video
from app.feeds.markup import clean

ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=80
)
TRICKY = st.sampled_from(
    ["<script>alert(1)</script>", "]]>", "&amp;", "\x00\x0b\x1f", "\"'<>&", "\ufffe\uffff", "x"]
)
TEXT = st.one_of(ANY_TEXT, TRICKY, st.builds(lambda a, b: a + b, TRICKY, ANY_TEXT))


def in_html(text: str) -> str:
    """The text as an HTML (or XML) parser reads it back from markup: line ends unified."""
    return clean(text).replace("\r\n", "\n").replace("\r", "\n")


def channel(name: str, direction: str = "ltr") -> Channel:
    return Channel(
        name=name,
        description=name,
        language="en",
        direction=direction,
        home="https://news.example",
        base="https://api.example",
        self_url="https://api.example/v1/feeds/en/rss.xml?tag=a&section=b",
        updated_at="2025-09-01T00:00:00Z",
    )


def entry(text: str) -> Entry:
    return Entry(
        id=7,
        language="en",
        url="/v1/services/en/articles/ünïcode-slug",
        headline=text,
        dek=text,
        bullets=[text, "plain"],
        lead_image={"url": "https://media.example/a b.jpg", "caption": text, "credit": text},
        authors=[text],
        section={"slug": "world", "name": text},
        tags=[{"slug": "t", "name": text}],
        published_at="2025-09-01T00:00:00Z",
        updated_at="2025-09-01T00:00:00Z",
        videos=[
            Video(
                id=1,
                title=text,
                description=text,
                duration=60,
                thumbnail={"url": "https://media.example/t.jpg"},
                renditions=[{"url": "https://media.example/v.mp4", "mime_type": "video/mp4"}],
                rules=[None, None, None, None, True],
            )
        ],
    )


def document(form: Format, text: str, direction: str = "ltr") -> bytes:
    feed_channel = channel(text, direction)
    item = form.item(entry(text), feed_channel)
    body = item.head + form.join_videos(list(item.videos)) + item.tail
    return (form.document_head(feed_channel) + body + form.document_tail).encode()


@settings(max_examples=150, deadline=None)
@given(TEXT, st.sampled_from(["ltr", "rtl"]))
def test_rss_is_well_formed_and_carries_the_text(text: str, direction: str) -> None:
    raw = document(rss.FORMAT, text, direction)
    root = etree.fromstring(raw)
    assert root.findtext("channel/title") == clean(text)
    assert root.findtext("channel/item/title") == clean(text)
    assert root.findtext("channel/item/{http://purl.org/dc/elements/1.1/}creator") == clean(text)
    description = root.findtext("channel/item/description") or ""
    # The HTML the description carries is itself well-formed, with the text escaped.
    fragment = etree.fromstring(f"<root>{description}</root>".encode())
    assert fragment.findtext(".//li") == in_html(text)
    assert "<script" not in description
    assert feedparser.parse(raw).bozo == 0


@settings(max_examples=150, deadline=None)
@given(TEXT, st.sampled_from(["ltr", "rtl"]))
def test_atom_is_well_formed_and_carries_the_text(text: str, direction: str) -> None:
    raw = document(atom.FORMAT, text, direction)
    root = etree.fromstring(raw)
    a = "{http://www.w3.org/2005/Atom}"
    assert root.findtext(f"{a}entry/{a}title") == clean(text)
    assert root.find(f"{a}entry/{a}category").get("label") == clean(text)
    xhtml = "{http://www.w3.org/1999/xhtml}"
    assert root.findtext(f"{a}entry/{a}summary/{xhtml}div/{xhtml}ul/{xhtml}li") == in_html(text)
    assert root.find(f".//{xhtml}script") is None
    assert feedparser.parse(raw).bozo == 0


@settings(max_examples=150, deadline=None)
@given(TEXT, st.sampled_from(["ltr", "rtl"]))
def test_json_feed_is_valid_json_and_carries_the_text(text: str, direction: str) -> None:
    feed: dict[str, Any] = orjson.loads(document(jsonfeed.FORMAT, text, direction))
    (item,) = feed["items"]
    assert feed["title"] == clean(text)
    assert item["title"] == clean(text)
    assert item["attachments"][0]["title"] == clean(text)
    html = etree.fromstring(f"<root>{item['content_html']}</root>".encode())
    assert html.findtext(".//li") == in_html(text)


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_sitemap_url_is_well_formed_and_carries_the_title(text: str) -> None:
    teaser = {
        "url": "/v1/services/en/articles/ünïcode",
        "language": "en",
        "headline": text,
        "published_at": "2025-09-01T00:00:00Z",
    }
    raw = sitemap.DOCUMENT_HEAD + sitemap.url_entry(teaser, "https://api.example", text)
    root = etree.fromstring((raw + sitemap.DOCUMENT_TAIL).encode())
    news = "{http://www.google.com/schemas/sitemap-news/0.9}"
    assert root.findtext(f".//{news}title") == clean(text)
    loc = root.findtext(".//{http://www.sitemaps.org/schemas/sitemap/0.9}loc") or ""
    assert loc == "https://api.example/v1/services/en/articles/%C3%BCn%C3%AFcode"
    assert loc.isascii()


def test_urls_are_percent_encoded_and_absolute() -> None:
    raw = document(rss.FORMAT, "x")
    root = etree.fromstring(raw)
    assert root.findtext("channel/item/link") == (
        "https://api.example/v1/services/en/articles/%C3%BCn%C3%AFcode-slug"
    )
    assert root.find("channel/enclosure") is None
    assert root.find("channel/item/enclosure").get("url") == "https://media.example/a%20b.jpg"
    self_link = root.find("channel/{http://www.w3.org/2005/Atom}link")
    assert self_link.get("href") == "https://api.example/v1/feeds/en/rss.xml?tag=a&section=b"
