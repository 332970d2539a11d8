"""Google News sitemaps: the sitemaps.org ``urlset`` with the news extension."""

from typing import Any

from app.feeds.markup import absolute, text

MEDIA_TYPE = "application/xml"
#: Google News reads the articles of the last two days, at most 1,000 a sitemap.
WINDOW_MS = 48 * 3600 * 1000
MAX_URLS = 1000

DOCUMENT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
)
DOCUMENT_TAIL = "</urlset>\n"
_TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def news_language(tag: str) -> str:
    """The ISO 639 code Google News asks for; Chinese is zh-cn or zh-tw."""
    lowered = tag.lower()
    primary = lowered.split("-", 1)[0]
    if primary == "zh":
        return "zh-tw" if lowered.startswith(_TRADITIONAL) else "zh-cn"
    return primary


def url_entry(teaser: dict[str, Any], base: str, publication: str) -> str:
    """One article's ``<url>``, from its stored teaser."""
    return (
        f"<url><loc>{text(absolute(teaser['url'], base))}</loc>"
        "<news:news><news:publication>"
        f"<news:name>{text(publication)}</news:name>"
        f"<news:language>{news_language(teaser['language'])}</news:language>"
        "</news:publication>"
        f"<news:publication_date>{teaser['published_at']}</news:publication_date>"
        f"<news:title>{text(teaser['headline'])}</news:title>"
        "</news:news></url>\n"
    )
