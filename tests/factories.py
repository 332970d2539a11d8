"""Content bundles for tests: small, explicit, built from real-looking news."""

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

_ids = count(1)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def service(code: str = "en", language: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": extra.pop("name", f"Service {code}"),
        "language": language or code,
        "direction": extra.pop("direction", "ltr"),
        "timezone": "UTC",
        "site_url": f"https://{code}.news.example",
        **extra,
    }


def article(
    service_code: str = "en",
    headline: str | None = None,
    *,
    published: datetime | None = None,
    paragraphs: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    n = next(_ids)
    published = published or datetime(2025, 9, 1, tzinfo=UTC) + timedelta(minutes=n)
    headline = headline or f"Parliament debates the budget, day {n}"
    paragraphs = paragraphs or [
        "Lawmakers met on Monday to debate the spending plan. The session ran late.",
        "The finance minister said the deficit would narrow next year. Critics disagreed.",
        "A vote is expected on Friday, officials said.",
    ]
    return {
        "uri": extra.pop("uri", f"urn:test:article:{n}"),
        "service": service_code,
        "headline": headline,
        "body": [{"type": "paragraph", "text": text} for text in paragraphs],
        "published_at": iso(published),
        **extra,
    }


def video(service_code: str = "en", title: str | None = None, **extra: Any) -> dict[str, Any]:
    n = next(_ids)
    return {
        "uri": extra.pop("uri", f"urn:test:video:{n}"),
        "service": service_code,
        "title": title or f"Video report {n}",
        "duration": extra.pop("duration", 90),
        "thumbnail": {"url": f"https://media.example/{n}.jpg", "width": 640, "height": 360},
        "renditions": extra.pop(
            "renditions",
            [{"url": f"https://media.example/{n}.mp4", "mime_type": "video/mp4", "width": 640}],
        ),
        "captions": [],
        "published_at": extra.pop("published_at", "2025-09-01T00:00:00Z"),
        **extra,
    }


def bundle(**parts: Any) -> dict[str, Any]:
    parts.setdefault("services", [service("en")])
    return parts


def term(service_code: str, slug: str, name: str | None = None) -> dict[str, Any]:
    """A section or tag of a service."""
    return {"service": service_code, "slug": slug, "name": name or slug.replace("-", " ").title()}


def author(slug: str, name: str | None = None) -> dict[str, Any]:
    return {"slug": slug, "name": name or slug.replace("-", " ").title()}


def notice(key: str, countries: list[str], text: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "text": text or f"Notice {key} for readers here.",
        "countries": countries,
        **extra,
    }
