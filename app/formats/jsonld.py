"""Articles and videos as schema.org JSON-LD: ``NewsArticle`` and ``VideoObject``,
with the properties Google's article and video rich results read.

Built, like ninjs, from the JSON representation answered to the same request:
a video that may not be played here has no ``contentUrl`` and no ``encoding``;
its ``regionsAllowed`` and ``ineligibleRegion`` say where it may be. The
reader's notices are the article's ``conditionsOfAccess``.
"""

from typing import Any

from app.formats.html import body_text
from app.formats.links import Links

CONTEXT = "https://schema.org"


def duration(seconds: int) -> str:
    """ISO 8601: ``PT1H2M3S``; ``PT0S`` for nothing."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    text = "".join(
        f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if value
    )
    return f"PT{text or '0S'}"


def _clean(doc: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in doc.items() if value is not None and value != []}


def image_objects(image: dict[str, Any]) -> list[dict[str, Any]]:
    """One ``ImageObject`` per rendition, widest first (Google takes the first it
    can use)."""
    renditions = sorted(image.get("renditions") or [image], key=lambda r: -(r.get("width") or 0))
    return [
        _clean(
            {
                "@type": "ImageObject",
                "url": rendition["url"],
                "contentUrl": rendition["url"],
                "width": rendition.get("width"),
                "height": rendition.get("height"),
                "caption": image.get("caption"),
                "description": image.get("alt"),
                "creditText": image.get("credit"),
            }
        )
        for rendition in renditions
    ]


def publisher(service: dict[str, Any] | None) -> dict[str, Any] | None:
    if service is None:
        return None
    return _clean(
        {"@type": "Organization", "name": service["name"], "url": service.get("site_url")}
    )


def video_object(
    video: dict[str, Any], links: Links, service: dict[str, Any] | None
) -> dict[str, Any]:
    availability = video.get("availability") or {}
    playable = bool(video.get("playable"))
    renditions = (video.get("renditions") or []) if playable else []
    thumbnails = image_objects(video["thumbnail"]) if video.get("thumbnail") else []
    tags = [tag["name"] for tag in video.get("tags") or ()]
    return _clean(
        {
            "@type": "VideoObject",
            "@id": links.video(video["id"]),
            "url": links.video(video["id"]),
            "identifier": str(video["id"]),
            "name": video["title"],
            "description": video.get("description") or video["title"],
            "thumbnailUrl": [thumbnail["url"] for thumbnail in thumbnails],
            "thumbnail": thumbnails,
            "uploadDate": video.get("published_at"),
            "dateModified": video.get("updated_at"),
            "duration": duration(video.get("duration") or 0),
            "contentUrl": renditions[0]["url"] if renditions else None,
            "encodingFormat": renditions[0]["mime_type"] if renditions else None,
            "encoding": [
                _clean(
                    {
                        "@type": "MediaObject",
                        "contentUrl": rendition["url"],
                        "encodingFormat": rendition["mime_type"],
                        "width": rendition.get("width"),
                        "height": rendition.get("height"),
                        "bitrate": (
                            f"{max(1, int(rendition['bitrate']) // 1000)} kbps"
                            if rendition.get("bitrate")
                            else None
                        ),
                    }
                )
                for rendition in renditions
            ],
            "caption": [
                {
                    "@type": "MediaObject",
                    "contentUrl": caption["url"],
                    "encodingFormat": "text/vtt",
                    "inLanguage": caption["language"],
                }
                for caption in video.get("captions") or ()
            ],
            "transcript": video.get("transcript"),
            "regionsAllowed": availability.get("countries_allowed"),
            "ineligibleRegion": availability.get("countries_blocked"),
            "expires": availability.get("available_until"),
            "isAccessibleForFree": True,
            "keywords": ", ".join(tags) or None,
            "publisher": publisher(service),
        }
    )


def video_document(
    video: dict[str, Any], links: Links, service: dict[str, Any] | None
) -> dict[str, Any]:
    return {"@context": CONTEXT, **video_object(video, links, service)}


def article_document(
    article: dict[str, Any], links: Links, service: dict[str, Any] | None
) -> dict[str, Any]:
    url = links.absolute(article["url"])
    body = article.get("body") or []
    images = image_objects(article["lead_image"]) if article.get("lead_image") else []
    body_images = [image_objects(block)[0] for block in body if block.get("type") == "image"]
    summary = article.get("summary")
    reading = article.get("reading_time_minutes")
    return _clean(
        {
            "@context": CONTEXT,
            "@type": "NewsArticle",
            "@id": url,
            "url": url,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "identifier": str(article["id"]),
            "headline": article["headline"],
            "description": article.get("dek"),
            "abstract": "\n".join(summary["bullets"]) if summary else None,
            "articleBody": body_text(body),
            "inLanguage": article["language"],
            "datePublished": article.get("published_at"),
            "dateModified": article.get("updated_at"),
            "dateCreated": article.get("first_published_at"),
            "author": [
                {
                    "@type": "Person",
                    "name": author["name"],
                    "url": links.term("authors", author["slug"]),
                }
                for author in article.get("authors") or ()
            ],
            "publisher": publisher(service),
            "image": images,
            "thumbnailUrl": images[-1]["url"] if images else None,
            "associatedMedia": body_images,
            "video": [
                video_object(video, links, service) for video in article.get("related_videos") or ()
            ],
            "articleSection": (article.get("section") or {}).get("name"),
            "keywords": ", ".join(tag["name"] for tag in article.get("tags") or ()) or None,
            "wordCount": article.get("word_count"),
            "timeRequired": f"PT{reading}M" if reading else None,
            "isAccessibleForFree": True,
            "workTranslation": [
                {
                    "@type": "NewsArticle",
                    "@id": links.absolute(translation["url"]),
                    "url": links.absolute(translation["url"]),
                    "headline": translation["headline"],
                    "inLanguage": translation["language"],
                }
                for translation in article.get("translations") or ()
            ],
            "correction": [
                {
                    "@type": "CorrectionComment",
                    "text": correction["text"],
                    "datePublished": correction["at"],
                }
                for correction in article.get("corrections") or ()
            ],
            "conditionsOfAccess": [notice["text"] for notice in article.get("notices") or ()],
        }
    )
