"""Articles and videos as IPTC ninjs 3.1 (News in JSON).

The document is built from the JSON representation answered to the same
request, so everything that depends on the reader (notices, the videos'
availability, translations public now) is exactly as there.

- Headline, dek and kicker are ``headlines`` (roles ``main``, ``sub``,
  ``kicker``); the key points and the dek are ``descriptions`` (``summary``,
  ``dek``), and so are this reader's notices (``notice``) and the public
  corrections (``correction``).
- The body is one HTML ``bodies`` entry; body images, the lead image
  (``featureimage``), related videos (``rel: related``) and translations
  (``rel: translation``) are ``associations``, each with its ``renditions``.
- A video that may not be played here is ``pubStatus: withheld``, with the
  reason in ``usageTerms`` and no video renditions.
"""

from typing import Any

from app.formats.html import body_html
from app.formats.links import Links

SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"
STANDARD = {"name": "ninjs", "version": "3.1", "schema": SCHEMA_URI}

_UNAVAILABLE = {
    "geo_blocked": "Not available in the reader's country.",
    "not_yet_available": "Not available yet.",
    "expired": "No longer available.",
    "no_sources": "No playable source.",
}


def _clean(doc: dict[str, Any]) -> dict[str, Any]:
    """ninjs has no nulls and no empty lists: an absent member says it."""
    return {name: value for name, value in doc.items() if value is not None and value != []}


def _size(rendition: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    for name in ("width", "height"):
        if isinstance(rendition.get(name), int):
            out[name] = rendition[name]
    return out


def image_renditions(image: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """Named by their width (``w640``), the names IPTC suggests otherwise not fitting
    a set of widths."""
    renditions = image.get("renditions") or [image]
    out = []
    for number, rendition in enumerate(renditions, start=1):
        width = rendition.get("width")
        name = f"{prefix}w{width}" if isinstance(width, int) else f"{prefix}image-{number}"
        out.append(_size(rendition, {"name": name, "href": rendition["url"]}))
    return out


def _picture(image: dict[str, Any], name: str, rel: str) -> dict[str, Any]:
    association: dict[str, Any] = {
        "name": name,
        "rel": rel,
        "uri": image["url"],
        "type": "picture",
        "renditions": image_renditions(image),
    }
    if image.get("caption"):
        association["descriptions"] = [
            {"role": "caption", "contentType": "text/plain", "value": image["caption"]}
        ]
    if image.get("alt"):
        association.setdefault("descriptions", []).append(
            {"role": "alt", "contentType": "text/plain", "value": image["alt"]}
        )
    if image.get("credit"):
        association["by"] = image["credit"]
    return association


def _subjects(doc: dict[str, Any]) -> list[dict[str, Any]]:
    subjects = []
    if doc.get("section"):
        section = doc["section"]
        subjects.append({"name": section["name"], "literal": section["slug"], "rel": "section"})
    subjects.extend(
        {"name": tag["name"], "literal": tag["slug"], "rel": "tag"} for tag in doc.get("tags") or ()
    )
    return subjects


def _video_renditions(video: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for number, rendition in enumerate(video.get("renditions") or (), start=1):
        item = _size(
            rendition,
            {
                "name": f"video-{number}",
                "href": rendition["url"],
                "contentType": rendition["mime_type"],
                "duration": video["duration"],
            },
        )
        if rendition.get("bitrate"):
            item["bitrate"] = f"{max(1, int(rendition['bitrate']) // 1000)} kbps"
        out.append(item)
    if video.get("thumbnail"):
        out.extend(image_renditions(video["thumbnail"], prefix="thumbnail-"))
    for caption in video.get("captions") or ():
        out.append(
            {
                "name": f"captions-{caption['language']}",
                "href": caption["url"],
                "contentType": "text/vtt",
            }
        )
    return out


def video_document(video: dict[str, Any], links: Links) -> dict[str, Any]:
    """A video (as ``GET /v1/videos/{id}`` or an article's related video answers it)."""
    reason = video.get("unavailable_reason")
    descriptions = []
    if video.get("description"):
        descriptions.append(
            {"role": "summary", "contentType": "text/plain", "value": video["description"]}
        )
    bodies = []
    if video.get("transcript"):
        bodies.append(
            {"role": "transcript", "contentType": "text/plain", "value": video["transcript"]}
        )
    availability = video.get("availability") or {}
    return _clean(
        {
            "uri": links.video(video["id"]),
            "type": "video",
            "representationType": "full",
            "standard": STANDARD,
            "firstCreated": video.get("published_at"),
            "versionCreated": video.get("updated_at"),
            "pubStatus": "withheld" if reason else "usable",
            "usageTerms": _UNAVAILABLE.get(reason) if reason else None,
            "expires": availability.get("available_until"),
            "headlines": [{"role": "main", "contentType": "text/plain", "value": video["title"]}],
            "descriptions": descriptions,
            "bodies": bodies,
            "subjects": _subjects(video),
            "renditions": _video_renditions(video),
        }
    )


def article_document(article: dict[str, Any], links: Links) -> dict[str, Any]:
    """A full article (as ``GET /v1/articles/{id}`` answers it)."""
    headlines = [{"role": "main", "contentType": "text/plain", "value": article["headline"]}]
    if article.get("dek"):
        headlines.append({"role": "sub", "contentType": "text/plain", "value": article["dek"]})
    if article.get("kicker"):
        headlines.append(
            {"role": "kicker", "contentType": "text/plain", "value": article["kicker"]}
        )
    descriptions = []
    summary = article.get("summary")
    if summary and summary.get("bullets"):
        descriptions.append(
            {
                "role": "summary",
                "contentType": "text/plain",
                "value": "\n".join(summary["bullets"]),
            }
        )
    descriptions.extend(
        {"role": "notice", "contentType": "text/plain", "value": notice["text"]}
        for notice in article.get("notices") or ()
    )
    descriptions.extend(
        {"role": "correction", "contentType": "text/plain", "value": correction["text"]}
        for correction in article.get("corrections") or ()
    )
    body = article.get("body") or []
    associations = []
    if article.get("lead_image"):
        associations.append(_picture(article["lead_image"], "featureimage", "featureimage"))
    images = [block for block in body if block.get("type") == "image"]
    associations.extend(
        _picture(image, f"image-{number}", "inline") for number, image in enumerate(images, start=1)
    )
    for video in article.get("related_videos") or ():
        related = video_document(video, links)
        associations.append({"name": f"video-{video['id']}", "rel": "related", **related})
    for translation in article.get("translations") or ():
        associations.append(
            {
                "name": f"translation-{translation['language']}",
                "rel": "translation",
                "uri": links.article(translation["id"]),
                "type": "text",
                "language": translation["language"],
                "headlines": [
                    {"role": "main", "contentType": "text/plain", "value": translation["headline"]}
                ],
                "altIds": [{"role": "url", "value": links.absolute(translation["url"])}],
            }
        )
    authors = [author["name"] for author in article.get("authors") or ()]
    return _clean(
        {
            "uri": links.article(article["id"]),
            "type": "text",
            "representationType": "full",
            "profile": "text-photo" if article.get("lead_image") or images else "text-only",
            "standard": STANDARD,
            "firstCreated": article.get("first_published_at"),
            "versionCreated": article.get("updated_at"),
            "contentCreated": article.get("published_at"),
            "embargoedUntil": article.get("embargo_until"),
            "pubStatus": "usable",
            "urgency": article.get("urgency"),
            "language": article["language"],
            "slugline": article["slug"],
            "headlines": headlines,
            "descriptions": descriptions,
            "bodies": [
                _clean(
                    {
                        "role": "main",
                        "contentType": "text/html",
                        "wordCount": article.get("word_count"),
                        "value": body_html(body, links.video_template),
                    }
                )
            ],
            "by": ", ".join(authors) or None,
            "people": [
                {"name": author["name"], "literal": author["slug"], "rel": "author"}
                for author in article.get("authors") or ()
            ],
            "subjects": _subjects(article),
            "associations": associations,
            "altIds": [
                {"role": "url", "value": links.absolute(article["url"])},
                {"role": "service", "value": article["service"]},
            ],
        }
    )
