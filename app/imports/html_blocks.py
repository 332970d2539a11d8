"""Agency HTML and plain text as Masthead body blocks: paragraphs, headings,
quotes, lists and images; inline b, i, em, strong and a href survive (and are
sanitised when stored)."""

import html
import re
from html.parser import HTMLParser
from typing import Any

from app.kit.fields import LABEL_MAX, is_safe_url
from app.kit.sanitize import plain_text


def web_url(url: Any) -> bool:
    """An http(s) URL an image block may show (no quotes, spaces or other scheme)."""
    return isinstance(url, str) and len(url) <= 2000 and is_safe_url(url)


def label(text: str | None) -> str | None:
    """Plain text for a caption, credit or alt text, cut to what a block holds."""
    return (plain_text(text)[:LABEL_MAX] or None) if text else None


def http_url(url: Any) -> bool:
    """Any http(s) URL (links, media renditions)."""
    return isinstance(url, str) and url.lower().startswith(("https://", "http://"))


_SKIPPED = frozenset(
    {
        "head",
        "title",
        "script",
        "style",
        "template",
        "noscript",
        "svg",
        "math",
        "object",
        "iframe",
        "video",
        "audio",
        "nav",
        "button",
        "form",
        "select",
        "textarea",
    }
)


_INLINE_KEPT = frozenset({"b", "i", "em", "strong", "a"})


_BLOCK_TEXT = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "li",
        "pre",
        "figcaption",
        "td",
        "th",
        "dt",
        "dd",
    }
)


_VOID = frozenset({"img", "br", "hr", "meta", "link", "input", "source", "wbr"})


class _BlockParser(HTMLParser):
    """Agency HTML as Masthead blocks: paragraphs, headings, quotes, lists and
    images; inline b, i, em, strong and a href survive (and are sanitised later)."""

    def __init__(self, skip_images: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[dict[str, Any]] = []
        self.skip_images = skip_images
        self.skipping = 0
        self.parts: list[str] = []
        self.block: str | None = None  # the element whose text is being gathered
        self.level = 2
        self.list_items: list[str] | None = None
        self.list_style = "bullet"
        self.list_depth = 0
        self.quote: list[str] | None = None
        self.figure: dict[str, Any] | None = None
        self.figure_part: str | None = None
        self.figure_text: list[str] = []

    # gathering text

    def _flush(self) -> None:
        text = " ".join("".join(self.parts).split())
        self.parts = []
        if not text:
            return
        kind = self.block
        if self.figure is not None:
            if self.figure_part is not None:
                self.figure[self.figure_part] = html.unescape(re.sub(r"<[^>]*>", "", text))
            return
        if self.list_items is not None:
            self.list_items.append(text)
        elif self.quote is not None:
            self.quote.append(text)
        elif kind is not None and kind[0] == "h" and kind[1:].isdigit():
            self.blocks.append({"type": "heading", "text": text, "level": self.level})
        else:
            self.blocks.append({"type": "paragraph", "text": text})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            if tag not in _VOID:
                self.skipping += 1
            return
        if self.skipping:
            return
        attributes = {name: value or "" for name, value in attrs}
        if tag in _INLINE_KEPT:
            if tag == "a":
                href = attributes.get("href", "")
                self.parts.append(f'<a href="{html.escape(href)}">' if http_url(href) else "<a>")
            else:
                self.parts.append(f"<{tag}>")
            return
        if tag == "br":
            self.parts.append(" ")
            return
        if tag == "img":
            self._image(attributes)
            return
        if tag == "figure":
            self._flush()
            self.figure = {}
            return
        if self.figure is not None and (
            tag == "figcaption" or "byline" in attributes.get("class", "").split()
        ):
            self._flush()
            self.figure_part = "caption" if tag == "figcaption" else "credit"
            return
        if tag in ("ul", "ol"):
            self._flush()
            self.list_depth += 1
            if self.list_depth == 1:
                self.list_items = []
                self.list_style = "ordered" if tag == "ol" else "bullet"
            return
        if tag == "blockquote":
            self._flush()
            self.quote = []
            return
        if tag in _BLOCK_TEXT or tag in (
            "div",
            "section",
            "article",
            "header",
            "footer",
            "main",
            "aside",
            "table",
            "tr",
            "dl",
            "body",
        ):
            self._flush()
            self.block = tag
            if tag[0] == "h" and tag[1:].isdigit():
                self.level = max(2, min(6, int(tag[1:])))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            if tag not in _VOID and self.skipping:
                self.skipping -= 1
            return
        if self.skipping:
            return
        if tag in _INLINE_KEPT:
            self.parts.append(f"</{tag}>")
            return
        if tag == "span":
            self.parts.append(" ")
            return
        if (
            self.figure is not None
            and self.figure_part is not None
            and (tag == "figcaption" or tag == "div")
        ):
            self._flush()
            self.figure_part = None
            return
        if tag == "figure":
            self._flush()
            figure, self.figure = self.figure, None
            if figure and figure.get("url"):
                self.blocks.append(
                    {
                        "type": "image",
                        "url": figure["url"],
                        "caption": label(figure.get("caption")),
                        "credit": label(figure.get("credit")),
                        "alt": label(figure.get("alt")),
                    }
                )
            return
        if tag in ("ul", "ol"):
            self._flush()
            self.list_depth = max(0, self.list_depth - 1)
            if self.list_depth == 0 and self.list_items is not None:
                if self.list_items:
                    self.blocks.append(
                        {"type": "list", "style": self.list_style, "items": self.list_items}
                    )
                self.list_items = None
            return
        if tag == "blockquote":
            self._flush()
            if self.quote:
                self.blocks.append({"type": "quote", "text": " ".join(self.quote)})
            self.quote = None
            return
        self._flush()
        self.block = None

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(html.escape(data, quote=False))

    def _image(self, attributes: dict[str, str]) -> None:
        src = attributes.get("src", "")
        refs = {attributes.get("data-uri"), attributes.get("data-assoc-ref"), attributes.get("uri")}
        if refs & self.skip_images:
            if self.figure is not None:
                self.figure["skipped"] = True
            return
        if not web_url(src):
            return
        alt = label(attributes.get("alt"))
        if self.figure is not None:
            if not self.figure.get("skipped"):
                self.figure.setdefault("url", src)
                self.figure.setdefault("alt", alt)
            return
        self._flush()
        self.blocks.append(
            {"type": "image", "url": src, "caption": None, "credit": None, "alt": alt}
        )

    def close(self) -> None:
        super().close()
        self._flush()


def html_blocks(value: str, skip_images: set[str] | None = None) -> list[dict[str, Any]]:
    """HTML as body blocks. Images named in ``skip_images`` (by ``data-uri`` or
    ``data-assoc-ref``) are left out: they are the lead image already."""
    parser = _BlockParser(skip_images or set())
    parser.feed(value)
    parser.close()
    return [block for block in parser.blocks if _has_content(block)]


def _has_content(block: dict[str, Any]) -> bool:
    if block["type"] == "list":
        return bool(block["items"])
    if block["type"] == "image":
        return True
    return bool(plain_text(block["text"]))


def text_blocks(value: str) -> list[dict[str, Any]]:
    """Plain text as paragraphs: split at blank lines, or at every line when it has none."""
    parts = re.split(r"\n\s*\n", value.strip())
    if len(parts) == 1:
        parts = value.strip().splitlines()
    return [
        {"type": "paragraph", "text": html.escape(" ".join(part.split()), quote=False)}
        for part in parts
        if part.strip()
    ]
