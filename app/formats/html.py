"""An article's body blocks as one HTML document fragment, and as plain text:
what ninjs ``bodies`` and schema.org ``articleBody`` carry.

Block ``text`` is stored sanitised (a little inline markup at most), so it goes
into the HTML as it is; every other string is escaped.
"""

from html import escape
from typing import Any

from app.kit.sanitize import text_of


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _figure(block: dict[str, Any]) -> str:
    attributes = [f'src="{_attr(block["url"])}"', f'alt="{_attr(block.get("alt") or "")}"']
    for name in ("width", "height"):
        if isinstance(block.get(name), int):
            attributes.append(f'{name}="{block[name]}"')
    renditions = [r for r in block.get("renditions") or () if isinstance(r.get("width"), int)]
    if len(renditions) > 1:
        srcset = ", ".join(f"{r['url']} {r['width']}w" for r in renditions)
        attributes.append(f'srcset="{_attr(srcset)}"')
    caption = ""
    if block.get("caption") or block.get("credit"):
        parts = [escape(str(block["caption"]))] if block.get("caption") else []
        if block.get("credit"):
            parts.append(f"<small>{escape(str(block['credit']))}</small>")
        caption = f"<figcaption>{' '.join(parts)}</figcaption>"
    return f"<figure><img {' '.join(attributes)}/>{caption}</figure>"


def block_html(block: dict[str, Any], video_url: str) -> str:
    kind = block.get("type")
    if kind == "paragraph":
        return f"<p>{block['text']}</p>"
    if kind == "heading":
        level = min(6, max(2, int(block.get("level") or 2)))
        return f"<h{level}>{block['text']}</h{level}>"
    if kind == "quote":
        cite = ""
        if block.get("attribution"):
            cite = f"<footer>{escape(str(block['attribution']))}</footer>"
        return f"<blockquote><p>{block['text']}</p>{cite}</blockquote>"
    if kind == "list":
        tag = "ol" if block.get("style") == "ordered" else "ul"
        items = "".join(f"<li>{item}</li>" for item in block.get("items") or ())
        return f"<{tag}>{items}</{tag}>"
    if kind == "image":
        return _figure(block)
    if kind == "video":
        address = video_url.format(id=int(block["video_id"]))
        return f'<figure><a href="{_attr(address)}">{_attr(address)}</a></figure>'
    if kind == "embed":
        label = escape(str(block.get("provider") or block["url"]))
        return f'<figure><a href="{_attr(block["url"])}">{label}</a></figure>'
    return ""


def body_html(blocks: list[dict[str, Any]], video_url: str) -> str:
    """``video_url`` is the address of a video, with ``{id}`` for its id."""
    return "\n".join(filter(None, (block_html(block, video_url) for block in blocks)))


def body_text(blocks: list[dict[str, Any]]) -> str:
    """The words a reader reads, paragraph by paragraph (no figures, no embeds)."""
    texts: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("paragraph", "heading", "quote"):
            texts.append(text_of(str(block["text"])))
        elif kind == "list":
            texts.extend(text_of(str(item)) for item in block.get("items") or ())
    return "\n\n".join(text for text in texts if text)
