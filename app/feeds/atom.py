"""Atom 1.0 (RFC 4287).

Atom carries the language as ``xml:lang`` (on the feed, and on an entry in
another language) and, through XHTML content, the direction: the summary is
``type="xhtml"`` and its ``div`` has ``dir="rtl"`` for right-to-left services.
Titles are plain text, whose direction readers take from ``xml:lang``.
"""

from app.feeds.entries import Channel, Entry, Format, Item, Video
from app.feeds.markup import absolute, attr, bullets_html, image_type, text, url

MEDIA_TYPE = "application/atom+xml"
XHTML = "http://www.w3.org/1999/xhtml"


def document_head(channel: Channel) -> str:
    subtitle = f"<subtitle>{text(channel.description)}</subtitle>\n" if channel.description else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{attr(channel.language)}">\n'
        f"<id>{text(channel.self_url)}</id>\n"
        f"<title>{text(channel.name)}</title>\n"
        f"{subtitle}"
        f"<updated>{channel.updated_at}</updated>\n"
        f'<link rel="self" type="{MEDIA_TYPE}" href="{attr(channel.self_url)}"/>\n'
        f'<link rel="alternate" type="text/html" href="{attr(channel.home)}"/>\n'
        # Entries without a byline are the service's own.
        f"<author><name>{text(channel.name)}</name></author>\n"
    )


def _enclosure(address: str, kind: str | None, title: str | None = None) -> str:
    attributes = [f'rel="enclosure" href="{attr(url(address))}"']
    if kind:
        attributes.append(f'type="{attr(kind)}"')
    if title:
        attributes.append(f'title="{attr(title)}"')
    return f"<link {' '.join(attributes)}/>\n"


def _video(video: Video) -> str:
    return "".join(
        _enclosure(rendition["url"], rendition["mime_type"], video.title)
        for rendition in video.renditions
    )


def item(entry: Entry, channel: Channel) -> Item:
    lang = f' xml:lang="{attr(entry.language)}"' if entry.language != channel.language else ""
    link = attr(absolute(entry.url, channel.base))
    parts = [
        f"<entry{lang}>\n",
        f"<id>{text(channel.base)}/v1/articles/{entry.id}</id>\n",
        f"<title>{text(entry.headline)}</title>\n",
        f'<link rel="alternate" type="text/html" href="{link}"/>\n',
        f"<published>{entry.published_at}</published>\n",
        f"<updated>{entry.updated_at}</updated>\n",
    ]
    parts.extend(f"<author><name>{text(name)}</name></author>\n" for name in entry.authors)
    if entry.section is not None:
        parts.append(_category(entry.section, f"{channel.base}/v1/sections"))
    parts.extend(_category(tag, f"{channel.base}/v1/tags") for tag in entry.tags)
    summary = bullets_html(entry.bullets, entry.dek, "ltr")
    if summary:
        direction = ' dir="rtl"' if channel.direction == "rtl" else ""
        parts.append(
            f'<summary type="xhtml"><div xmlns="{XHTML}"{direction}>{summary}</div></summary>\n'
        )
    image = entry.lead_image
    if image and image.get("url"):
        parts.append(_enclosure(str(image["url"]), image_type(str(image["url"]))))
    return Item("".join(parts), tuple(_video(video) for video in entry.videos), "</entry>\n")


def _category(term: dict[str, str], scheme: str) -> str:
    return (
        f'<category term="{attr(term["slug"])}" label="{attr(term["name"])}"'
        f' scheme="{attr(url(scheme))}"/>\n'
    )


FORMAT = Format(
    media_type=MEDIA_TYPE,
    document_head=document_head,
    item=item,
    join_videos="".join,
    separator="",
    document_tail="</feed>\n",
)
