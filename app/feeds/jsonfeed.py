"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1).

JSON Feed carries a language (``language``, on the feed and on each item) but
no direction: ``content_html`` is wrapped in ``<div dir="rtl">`` for
right-to-left services.
"""

from typing import Any

import orjson

from app.feeds.entries import Channel, Entry, Format, Item, Video
from app.feeds.markup import absolute, bullets_html, clean, url

MEDIA_TYPE = "application/feed+json"
VERSION = "https://jsonfeed.org/version/1.1"


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def document_head(channel: Channel) -> str:
    head: dict[str, Any] = {
        "version": VERSION,
        "title": clean(channel.name),
        "home_page_url": channel.home,
        "feed_url": channel.self_url,
        "language": channel.language,
        "authors": [{"name": clean(channel.name)}],
    }
    if channel.description:
        head["description"] = clean(channel.description)
    return _json(head)[:-1] + ',"items":['


def _video(video: Video) -> str:
    # Attachments with the same title are alternate forms of one thing.
    attachments = []
    for rendition in video.renditions:
        attachment: dict[str, Any] = {
            "url": url(rendition["url"]),
            "mime_type": rendition["mime_type"],
            "title": clean(video.title),
        }
        if video.duration:
            attachment["duration_in_seconds"] = int(video.duration)
        attachments.append(_json(attachment))
    return ",".join(attachments)


def item(entry: Entry, channel: Channel) -> Item:
    doc: dict[str, Any] = {
        "id": f"{channel.base}/v1/articles/{entry.id}",
        "url": absolute(entry.url, channel.base),
        "title": clean(entry.headline),
        # An item needs content: the key points, else the dek, else the headline.
        "content_html": bullets_html(entry.bullets, entry.dek or entry.headline, channel.direction),
        "date_published": entry.published_at,
        "date_modified": entry.updated_at,
        "language": entry.language,
        "tags": list(
            dict.fromkeys(clean(t["name"]) for t in [entry.section, *entry.tags] if t is not None)
        ),
    }
    if entry.dek:
        doc["summary"] = clean(entry.dek)
    if entry.authors:
        doc["authors"] = [{"name": clean(name)} for name in entry.authors]
    image = entry.lead_image
    if image and image.get("url"):
        doc["image"] = url(str(image["url"]))
    head = _json(doc)[:-1]
    return Item(head, tuple(_video(video) for video in entry.videos), "}")


def join_videos(videos: list[str]) -> str:
    return f',"attachments":[{",".join(videos)}]' if videos else ""


FORMAT = Format(
    media_type=MEDIA_TYPE,
    document_head=document_head,
    item=item,
    join_videos=join_videos,
    separator=",",
    document_tail="]}",
)
