"""Property tests of the ninjs reader: whatever a document holds, it is either
rejected with a reason or becomes an item the bundle models accept, and no
markup but the allowed inline tags survives."""

from html.parser import HTMLParser
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.imports import ninjs
from app.imports.schemas import ArticleIn, VideoIn
from app.kit.sanitize import rich_text

TAGS = [
    "p",
    "div",
    "span",
    "b",
    "i",
    "a",
    "script",
    "img",
    "h1",
    "h3",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "figcaption",
    "table",
    "td",
    "br",
    "iframe",
    "svg",
    "style",
]
ATTRIBUTES = [
    "",
    ' href="javascript:alert(1)"',
    ' href="https://ok.example/"',
    ' onclick="x()"',
    ' src="https://img.example/a.jpg"',
    ' src="data:x"',
]


class _Markup(HTMLParser):
    """Every element and attribute a browser would see."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_safe(markup: str) -> None:
    parser = _Markup()
    parser.feed(markup)
    for tag, attributes in parser.found:
        assert tag in ("b", "i", "em", "strong", "a"), tag
        for name, value in attributes:
            assert (tag, name) in (("a", "href"), ("a", "rel")), (tag, name)
            if name == "href":
                assert (value or "").startswith(("https://", "http://", "mailto:")), value


@st.composite
def html(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(st.sampled_from(TAGS))
        attribute = draw(st.sampled_from(ATTRIBUTES))
        text = draw(st.text(max_size=20))
        closing = draw(st.booleans())
        parts.append(f"<{tag}{attribute}>{text}" + (f"</{tag}>" if closing else ""))
    return "".join(parts)


def document(body: str, content_type: str, kind: str) -> dict[str, Any]:
    return {
        "uri": "urn:test:property",
        "type": kind,
        "versionCreated": "2025-01-01T00:00:00Z",
        "headlines": [{"role": "main", "value": "A headline"}],
        "bodies": [{"contentType": content_type, "value": body}],
    }


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    body=html(),
    content_type=st.sampled_from(["text/html", "text/plain"]),
    kind=st.sampled_from(["text", "video"]),
)
def test_any_body_maps_to_a_valid_item_without_unsafe_markup(
    body: str, content_type: str, kind: str
) -> None:
    mapped = ninjs.read(document(body, content_type, kind))
    data = {**mapped.item, "service": "en"}
    data = {key: value for key, value in data.items() if value is not None}
    if mapped.kind == "article":
        article = ArticleIn.model_validate(data)
        for block in article.body:
            text = getattr(block, "text", None)
            if text is not None:
                assert_safe(rich_text(text))
            for item in getattr(block, "items", None) or ():
                assert_safe(rich_text(item))
    else:
        data["availability"] = {k: v for k, v in data["availability"].items() if v is not None}
        video = VideoIn.model_validate(data)
        assert "<" not in (video.transcript or "")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(extra=st.dictionaries(st.sampled_from(sorted(ninjs.property_names("3"))), JSON, max_size=4))
def test_arbitrary_members_are_rejected_with_a_reason_or_read(extra: dict[str, Any]) -> None:
    candidate = {**document("<p>Text</p>", "text/html", "text"), **extra}
    try:
        mapped = ninjs.read(candidate)
    except ninjs.NinjsError as error:
        assert error.reason
        return
    assert mapped.kind in ("article", "video")
