"""IPTC ninjs 2.x and 3.x documents read as Masthead bundle items: text items
become articles, video items videos. Each document is first checked against its
version's official schema (see :mod:`app.imports.ninjs_schema`); HTML bodies
become blocks as :mod:`app.imports.html_blocks` reads them."""

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from app.imports.html_blocks import html_blocks, http_url, label, text_blocks, web_url
from app.imports.ninjs_schema import (
    NinjsError,
    Version,
    detect_version,
    property_names,
    validate,
)
from app.imports.schemas import SourceVersion
from app.kit.sanitize import plain_paragraphs, plain_text
from app.kit.slugs import make_slug

__all__ = ["Mapped", "NinjsError", "detect_version", "property_names", "read", "validate"]

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


#: A ``version`` that orders: a whole number that fits a 64-bit column.
_VERSION_NUMBER = re.compile(r"^\s*[0-9]{1,18}\s*$")


_MARKUP = re.compile(r"<[A-Za-z!/]")


_LONGEST_SECONDS = 10 * 3600


_IMPORTED_TYPES = ("text", "composite", "video")


_SUMMARY_ROLES = ("summary", "keypoints", "key-points", "highlights")


_DEK_HEADLINE_ROLES = ("sub", "subhead", "subheadline", "subtitle", "deck", "dek", "standfirst")


_KICKER_HEADLINE_ROLES = ("kicker", "overline", "label", "flag")


_AUTHOR_RELS = ("author", "creator", "byline", "writer", "contributor")


_BYLINE_PREFIX = re.compile(
    r"^\s*(by|von|av|af|door|par|por|di|da|de|od|від|от|автор[:]?)\s+", re.IGNORECASE
)


def _lower_keys(value: Any) -> Any:
    """ninjs 3 member names folded to the ninjs 2 spelling, so one reader serves both."""
    if isinstance(value, dict):
        return {key.lower(): _lower_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_lower_keys(item) for item in value]
    return value


def _time(value: Any, path: str) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise NinjsError(path, "not an RFC 3339 time") from None
    if parsed.tzinfo is None:
        raise NinjsError(path, "the time carries no time zone")
    return parsed.astimezone(UTC).isoformat()


def _texts(items: Any) -> list[dict[str, Any]]:
    return [item for item in items or () if isinstance(item, dict) and item.get("value")]


def _is_html(item: dict[str, Any]) -> bool:
    content_type = str(item.get("contenttype") or "").lower()
    if content_type:
        return content_type in ("text/html", "application/xhtml+xml")
    return "html" in str(item.get("role") or "").lower() or bool(_MARKUP.search(item["value"]))


def _is_plain(item: dict[str, Any]) -> bool:
    content_type = str(item.get("contenttype") or "").lower()
    if content_type:
        return content_type == "text/plain"
    return not _is_html(item) and "xml" not in str(item.get("role") or "").lower()


def _readable(item: dict[str, Any]) -> str:
    value = str(item["value"])
    return plain_paragraphs(value) if _is_html(item) else value.strip()


@dataclass
class Mapped:
    """One ninjs document as Masthead items: an article or a video (in the bundle's
    shapes, without ``service``), the tags and authors it names, its language."""

    kind: Literal["article", "video"]
    item: dict[str, Any]
    tags: dict[str, str] = field(default_factory=dict)
    authors: dict[str, str] = field(default_factory=dict)
    withdrawn: bool = False
    version: Version = "3"
    source: SourceVersion = field(default_factory=SourceVersion)
    language: str | None = None


def read(document: dict[str, Any]) -> Mapped:
    """Validate a ninjs document and map it; :class:`NinjsError` says what is wrong."""
    version = validate(document)
    doc = _lower_keys({key: value for key, value in document.items() if key != "$schema"})
    kind = doc.get("type", "text")
    if kind not in _IMPORTED_TYPES:
        raise NinjsError(
            "type", f"'{kind}' items are not imported: Masthead stores text and video items"
        )
    uri = doc["uri"]
    if len(uri) > 500:
        raise NinjsError("uri", "longer than 500 characters")
    language = doc.get("language")
    if language is not None and (len(language) > 35 or not _LANGUAGE.match(language)):
        raise NinjsError("language", "not a BCP 47 language tag")
    times = {
        name: _time(doc.get(name), _member(version, name))
        for name in (
            "firstcreated",
            "versioncreated",
            "contentcreated",
            "embargoed",
            "embargoeduntil",
            "expires",
        )
    }
    published = times["firstcreated"] or times["versioncreated"] or times["contentcreated"]
    updated = times["versioncreated"] or published
    embargo = times["embargoeduntil"] or times["embargoed"]
    withdrawn = doc.get("pubstatus", "usable") != "usable"
    source = _source_version(doc.get("version"), times["versioncreated"])
    tags = _tags(doc)
    headline, dek_headline, kicker = _headlines(doc)
    if kind == "video":
        if withdrawn:
            raise NinjsError(
                _member(version, "pubstatus"), "withheld or canceled video items are not imported"
            )
        if headline is None:
            raise NinjsError(_member(version, "headlines"), "the video has no headline or title")
        item = {
            "uri": uri,
            "title": headline,
            "description": _description(doc),
            "duration": _duration(doc),
            "thumbnail": _thumbnail(doc.get("renditions")),
            "renditions": _video_renditions(doc.get("renditions")),
            "captions": _captions(doc.get("renditions"), language),
            "transcript": _transcript(doc),
            "availability": {"available_from": embargo, "available_until": times["expires"]},
            "published_at": published,
            "tags": list(tags),
        }
        return Mapped("video", item, tags=tags, version=version, source=source, language=language)
    if headline is None:
        raise NinjsError(
            _member(version, "headlines"), "the item has no headline, title or slugline"
        )
    lead, lead_refs = _lead_image(doc)
    body = _body(doc, headline, lead_refs)
    dek, summary = _descriptions(doc)
    dek = dek_headline or dek
    if not body and dek:
        # Items such as NTB's carry their text only as a description.
        body = [{"type": "paragraph", "text": html.escape(dek, quote=False)}]
        dek = None
    authors = _authors(doc)
    item = {
        "uri": uri,
        "language": language,
        "headline": headline,
        "dek": dek,
        "kicker": kicker,
        "body": body,
        "lead_image": lead,
        "tags": list(tags),
        "authors": list(authors),
        "urgency": _urgency(doc.get("urgency")),
        "embargo_until": embargo,
        "first_published_at": times["firstcreated"],
        "published_at": published,
        "updated_at": updated,
        "summary": summary,
        # A usable item is released: it republishes an article taken down before.
        "status": "published",
    }
    return Mapped(
        "article",
        item,
        tags=tags,
        authors=authors,
        withdrawn=withdrawn,
        version=version,
        source=source,
        language=language,
    )


def _source_version(number: Any, created: str | None) -> SourceVersion:
    """The item's version as an import orders it. A ``version`` that is not a whole
    number ("1.2", "b") cannot be ordered and is left out: ``versionCreated`` decides."""
    whole = int(number) if isinstance(number, str) and _VERSION_NUMBER.match(number) else None
    return SourceVersion(whole, datetime.fromisoformat(created) if created else None)


_CAMEL = {
    "firstcreated": "firstCreated",
    "versioncreated": "versionCreated",
    "contentcreated": "contentCreated",
    "embargoed": "embargoed",
    "embargoeduntil": "embargoedUntil",
    "pubstatus": "pubStatus",
}


def _member(version: Version, name: str) -> str:
    """A member's name as the document's version spells it, for error paths."""
    return _CAMEL.get(name, name) if version == "3" else name


def _headlines(doc: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """The main headline (role ``main``, else the first other one), a sub-headline
    for the dek, and a kicker."""
    main = other = dek = kicker = None
    for item in _texts(doc.get("headlines")):
        role = str(item.get("role") or "main").lower()
        text = plain_text(str(item["value"]))
        if not text:
            continue
        if role in _DEK_HEADLINE_ROLES:
            dek = dek or text
        elif role in _KICKER_HEADLINE_ROLES:
            kicker = kicker or text[:200]
        elif role == "main":
            main = main or text
        else:
            other = other or text
    main = main or other
    for fallback in ("title", "slugline"):
        if main is None and isinstance(doc.get(fallback), str):
            main = plain_text(doc[fallback]) or None
    return main, dek, kicker


def _descriptions(doc: dict[str, Any]) -> tuple[str | None, list[str] | None]:
    dek = None
    summary: list[str] | None = None
    for item in _texts(doc.get("descriptions")):
        role = str(item.get("role") or "").lower()
        text = _readable(item)
        if not text:
            continue
        if role in _SUMMARY_ROLES and summary is None:
            bullets = [plain_text(line) for line in text.splitlines()]
            summary = [bullet for bullet in bullets if bullet][:7] or None
        elif dek is None:
            dek = plain_text(text)
    return dek, summary


def _description(doc: dict[str, Any]) -> str | None:
    texts = [_readable(item) for item in _texts(doc.get("descriptions"))]
    joined = "\n\n".join(text for text in texts if text)
    return joined or None


def _transcript(doc: dict[str, Any]) -> str | None:
    for item in _texts(doc.get("bodies")):
        text = _readable(item) if (_is_plain(item) or _is_html(item)) else ""
        if text:
            return plain_paragraphs(text) or None
    return None


def _tags(doc: dict[str, Any]) -> dict[str, str]:
    """Subjects as tags: slug -> name, in the document's order."""
    tags: dict[str, str] = {}
    for subject in doc.get("subjects") or ():
        name = plain_text(str(subject.get("name") or subject.get("literal") or ""))[:200]
        slug = make_slug(name) if name else ""
        if slug and slug not in tags:
            tags[slug] = name
    return tags


def _authors(doc: dict[str, Any]) -> dict[str, str]:
    """Bylines from ``by`` ("By Jane Roe, dpa" is two) and from people whose
    relation is authorship: slug -> name."""
    names: list[str] = []
    by = doc.get("by")
    if isinstance(by, str):
        stripped = _BYLINE_PREFIX.sub("", plain_text(by))
        names.extend(part.strip() for part in re.split(r"[,;]| and | und ", stripped))
    for person in doc.get("people") or ():
        if str(person.get("rel") or "").lower() in _AUTHOR_RELS and person.get("name"):
            names.append(plain_text(str(person["name"])))
    authors: dict[str, str] = {}
    for name in names:
        name = name[:200]
        slug = make_slug(name) if name else ""
        if slug and slug not in authors:
            authors[slug] = name
    return authors


def _urgency(value: Any) -> int:
    if not isinstance(value, int | float):
        return 5
    return min(9, max(1, round(value)))


def _images(renditions: Any) -> list[dict[str, Any]]:
    return [
        r
        for r in renditions or ()
        if web_url(r.get("href")) and str(r.get("contenttype") or "").lower().startswith("image/")
    ]


def _best_image(renditions: list[dict[str, Any]], widest: int) -> dict[str, Any] | None:
    """The widest image up to ``widest`` pixels, else the narrowest one."""
    sized = [r for r in renditions if isinstance(r.get("width"), int)]
    fitting = [r for r in sized if r["width"] <= widest]
    if fitting:
        return max(fitting, key=lambda r: r["width"])
    if sized:
        return min(sized, key=lambda r: r["width"])
    return renditions[0] if renditions else None


def _size(rendition: dict[str, Any], name: str) -> int | None:
    value = rendition.get(name)
    return value if isinstance(value, int) and value >= 1 else None


def _thumbnail(renditions: Any) -> dict[str, Any] | None:
    best = _best_image(_images(renditions), 1280)
    if best is None or len(best["href"]) > 2000:
        return None
    return {"url": best["href"], "width": _size(best, "width"), "height": _size(best, "height")}


_STREAM_TYPES = ("application/x-mpegurl", "application/vnd.apple.mpegurl", "application/dash+xml")


_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")


def _video_renditions(renditions: Any) -> list[dict[str, Any]]:
    found = []
    for r in renditions or ():
        mime = str(r.get("contenttype") or "")
        if not (mime.lower().startswith("video/") or mime.lower() in _STREAM_TYPES):
            continue
        if not http_url(r.get("href")) or len(r["href"]) > 2000 or not _MIME.match(mime):
            continue
        found.append(
            {
                "url": r["href"],
                "mime_type": mime,
                "width": _size(r, "width"),
                "height": _size(r, "height"),
                "bitrate": None,
            }
        )
    return found


def _captions(renditions: Any, language: str | None) -> list[dict[str, Any]]:
    return [
        {"language": language or "und", "url": r["href"]}
        for r in renditions or ()
        if str(r.get("contenttype") or "").lower() == "text/vtt"
        and http_url(r.get("href"))
        and len(r["href"]) <= 2000
    ]


def _duration(doc: dict[str, Any]) -> int:
    for rendition in doc.get("renditions") or ():
        value = rendition.get("duration")
        if isinstance(value, int | float) and value > 0:
            seconds = value / 1000 if value > _LONGEST_SECONDS else value
            return round(seconds)
    return 0


def _lead_image(doc: dict[str, Any]) -> tuple[dict[str, Any] | None, set[str]]:
    """The first picture association as the lead image, and the references
    (uri, name) by which the body may show the same picture."""
    for association in doc.get("associations") or ():
        if association.get("type") != "picture":
            continue
        best = _best_image(_images(association.get("renditions")), 2048)
        if best is None or len(best["href"]) > 2000:
            continue
        descriptions = [_readable(item) for item in _texts(association.get("descriptions"))]
        headline, _, _ = _headlines(association)
        caption = next((text for text in descriptions if text), None) or headline
        credit = association.get("by") or association.get("copyrightholder")
        image = {
            "url": best["href"],
            "width": _size(best, "width"),
            "height": _size(best, "height"),
            "caption": label(caption),
            "credit": label(credit) if isinstance(credit, str) else None,
            "alt": None,
        }
        refs = {str(association.get(key)) for key in ("uri", "name") if association.get(key)}
        return image, refs
    return None, set()


def _body(doc: dict[str, Any], headline: str, lead_refs: set[str]) -> list[dict[str, Any]]:
    bodies = _texts(doc.get("bodies"))
    chosen = next((b for b in bodies if _is_html(b)), None)
    if chosen is not None:
        blocks = html_blocks(str(chosen["value"]), skip_images=lead_refs)
    else:
        plain = next((b for b in bodies if _is_plain(b)), None)
        blocks = text_blocks(str(plain["value"])) if plain is not None else []
    # Bodies often open with the headline again.
    while blocks and blocks[0]["type"] in ("heading", "paragraph"):
        if plain_text(blocks[0]["text"]) != headline:
            break
        blocks.pop(0)
    return blocks
