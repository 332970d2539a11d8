"""RSS 2.0, with Media RSS for images and videos and Dublin Core for bylines.

RSS carries a language (``<language>``) but no direction: for right-to-left
services the description's HTML is wrapped in ``<div dir="rtl">``.
"""

from app.feeds.entries import Channel, Entry, Format, Item, Video
from app.feeds.markup import absolute, attr, bullets_html, image_type, rfc822, text, url

MEDIA_TYPE = "application/rss+xml"


def document_head(channel: Channel) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:media="http://search.yahoo.com/mrss/">\n<channel>\n'
        f"<title>{text(channel.name)}</title>\n"
        f"<link>{text(channel.home)}</link>\n"
        f"<description>{text(channel.description or channel.name)}</description>\n"
        f"<language>{text(channel.language)}</language>\n"
        f"<lastBuildDate>{rfc822(channel.updated_at)}</lastBuildDate>\n"
        f'<atom:link href="{attr(channel.self_url)}" rel="self" type="{MEDIA_TYPE}"/>\n'
    )


def _video(video: Video) -> str:
    parts = ["<media:group>"]
    for rendition in video.renditions:
        attributes = [
            f'url="{attr(url(rendition["url"]))}"',
            f'type="{attr(rendition["mime_type"])}"',
            'medium="video"',
        ]
        if video.duration:
            attributes.append(f'duration="{int(video.duration)}"')
        for name in ("width", "height"):
            if rendition.get(name):
                attributes.append(f'{name}="{int(rendition[name])}"')
        if rendition.get("bitrate"):
            # Media RSS counts kilobits per second; renditions store bits.
            attributes.append(f'bitrate="{max(1, int(rendition["bitrate"]) // 1000)}"')
        parts.append(f"<media:content {' '.join(attributes)}/>")
    parts.append(f'<media:title type="plain">{text(video.title)}</media:title>')
    if video.description:
        parts.append(
            f'<media:description type="plain">{text(video.description)}</media:description>'
        )
    if video.thumbnail and video.thumbnail.get("url"):
        parts.append(_thumbnail(video.thumbnail))
    parts.append("</media:group>\n")
    return "".join(parts)


def _sized(image: dict[str, object]) -> list[str]:
    attributes = []
    for name in ("width", "height"):
        value = image.get(name)
        if isinstance(value, int) and value:
            attributes.append(f'{name}="{value}"')
    return attributes


def _renditions(image: dict[str, object]) -> list[dict[str, object]]:
    """The image's renditions, widest first (the original alone when it has none)."""
    found = image.get("renditions")
    renditions = [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []
    if not renditions:
        return [image]
    return sorted(renditions, key=lambda r: -int(r.get("width") or 0))


def _thumbnail(image: dict[str, object]) -> str:
    """One ``media:thumbnail`` per rendition, in order of importance (widest first)."""
    tags = []
    for rendition in _renditions(image):
        attributes = [f'url="{attr(url(str(rendition["url"])))}"', *_sized(rendition)]
        tags.append(f"<media:thumbnail {' '.join(attributes)}/>")
    return "".join(tags)


def _image(image: dict[str, object]) -> str:
    address = url(str(image["url"]))
    kind = image_type(address)
    parts = []
    if kind is not None:
        # RSS's own enclosure needs a type and a length; the length is unknown
        # here, and 0 is what the RSS Best Practices Profile asks for then.
        parts.append(f'<enclosure url="{attr(address)}" length="0" type="{kind}"/>\n')
    inner = ""
    if image.get("caption"):
        inner += (
            f'<media:description type="plain">{text(str(image["caption"]))}</media:description>'
        )
    if image.get("credit"):
        inner += f"<media:credit>{text(str(image['credit']))}</media:credit>"
    renditions = _renditions(image)
    contents = []
    for number, rendition in enumerate(renditions):
        attributes = [f'url="{attr(url(str(rendition["url"])))}"', 'medium="image"']
        if kind is not None:
            attributes.append(f'type="{kind}"')
        if len(renditions) > 1 and number == 0:
            attributes.append('isDefault="true"')
        contents.append(f"<media:content {' '.join([*attributes, *_sized(rendition)])}")
    if len(contents) == 1:
        parts.append(f"{contents[0]}>{inner}</media:content>\n")
    else:
        # The same picture at several widths: one group, its caption and credit
        # said once for all of them.
        group = "".join(f"{content}/>" for content in contents)
        parts.append(f"<media:group>{group}{inner}</media:group>\n")
    parts.append(_thumbnail({"renditions": renditions[-1:]}) + "\n")
    return "".join(parts)


def item(entry: Entry, channel: Channel) -> Item:
    parts = [
        "<item>\n",
        f"<title>{text(entry.headline)}</title>\n",
        f"<link>{text(absolute(entry.url, channel.base))}</link>\n",
        f'<guid isPermaLink="false">{text(channel.base)}/v1/articles/{entry.id}</guid>\n',
        f"<pubDate>{rfc822(entry.published_at)}</pubDate>\n",
    ]
    description = bullets_html(entry.bullets, entry.dek, channel.direction)
    if description:
        parts.append(f"<description>{text(description)}</description>\n")
    parts.extend(f"<dc:creator>{text(name)}</dc:creator>\n" for name in entry.authors)
    names = [term["name"] for term in [entry.section, *entry.tags] if term is not None]
    parts.extend(f"<category>{text(name)}</category>\n" for name in dict.fromkeys(names))
    if entry.lead_image and entry.lead_image.get("url"):
        parts.append(_image(entry.lead_image))
    return Item("".join(parts), tuple(_video(video) for video in entry.videos), "</item>\n")


FORMAT = Format(
    media_type=MEDIA_TYPE,
    document_head=document_head,
    item=item,
    join_videos="".join,
    separator="",
    document_tail="</channel>\n</rss>\n",
)
