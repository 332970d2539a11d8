"""A small newsroom for the feed tests: what readers may see, and all they may not."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from factories import article, author, bundle, iso, service, term, video
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.models import Article
from app.readmodel.articles import render_article

OPEN_VIDEO = "https://media.example/open-720p.mp4"
OPEN_VIDEO_HLS = "https://media.example/open.m3u8"
BLOCKED_IN_RU_VIDEO = "https://media.example/blocked-in-ru.mp4"
EXPIRED_VIDEO = "https://media.example/expired.mp4"
LEAD_IMAGE = "https://media.example/harbour.jpg"
PERSIAN_HEADLINE = "طوفان بندر را بست"


@dataclass
class Newsroom:
    ids: dict[str, int]
    now: datetime


def ago(**delta: float) -> str:
    return iso(datetime.now(UTC) - timedelta(**delta))


def later(**delta: float) -> str:
    return iso(datetime.now(UTC) + timedelta(**delta))


def set_status(sessions: sessionmaker[Session], article_id: int, status: str) -> None:
    """Move an article to another workflow state and render it, as the editorial API does."""
    with sessions.begin() as session:
        session.execute(update(Article).where(Article.id == article_id).values(status=status))
        render_article(session, article_id)


def build(store: Callable[[dict[str, Any]], Any], sessions: sessionmaker[Session]) -> Newsroom:
    store(
        bundle(
            services=[
                service("en", name="Example News", description="News in English"),
                service("fa", name="خبرها", direction="rtl"),
            ],
            sections=[term("en", "world"), term("en", "business"), term("fa", "iran", "ایران")],
            tags=[term("en", "weather"), term("en", "energy")],
            authors=[author("jane-doe", "Jane Doe"), author("ivan", "Ivan Petrov")],
            videos=[
                video(
                    "en",
                    "Harbour in the storm",
                    uri="urn:video:open",
                    renditions=[
                        {
                            "url": OPEN_VIDEO,
                            "mime_type": "video/mp4",
                            "width": 1280,
                            "height": 720,
                            "bitrate": 2500000,
                        },
                        {"url": OPEN_VIDEO_HLS, "mime_type": "application/vnd.apple.mpegurl"},
                    ],
                ),
                video(
                    "en",
                    "Not for Russia",
                    uri="urn:video:blocked",
                    renditions=[{"url": BLOCKED_IN_RU_VIDEO, "mime_type": "video/mp4"}],
                    availability={"countries_blocked": ["RU"]},
                ),
                video(
                    "en",
                    "Gone",
                    uri="urn:video:expired",
                    renditions=[{"url": EXPIRED_VIDEO, "mime_type": "video/mp4"}],
                    availability={"available_until": ago(days=1)},
                ),
            ],
            articles=[
                article(
                    "en",
                    "Storm closes the harbour",
                    uri="urn:storm",
                    dek="Ferries stay in port until Friday.",
                    section="world",
                    tags=["weather"],
                    authors=["jane-doe", "ivan"],
                    summary=["Ferries stay in port.", "Winds reach 120 km/h & more."],
                    lead_image={
                        "url": LEAD_IMAGE,
                        "width": 1200,
                        "height": 675,
                        "caption": "The harbour at dawn",
                        "credit": "Agency",
                    },
                    related_videos=["urn:video:blocked", "urn:video:expired"],
                    paragraphs=["The harbour closed at noon."],
                    published_at=ago(hours=1),
                )
                | {
                    "body": [
                        {"type": "paragraph", "text": "The harbour closed at noon."},
                        {"type": "video", "video_uri": "urn:video:open"},
                    ]
                },
                article(
                    "en",
                    "Energy prices jump",
                    uri="urn:energy",
                    section="business",
                    tags=["energy"],
                    published_at=ago(hours=2),
                ),
                article(
                    "en",
                    "Withheld in Russia",
                    uri="urn:withheld",
                    withheld_in=["RU"],
                    published_at=ago(hours=3),
                ),
                article("en", "Old but public", uri="urn:old", published_at=ago(days=5)),
                article("en", "A draft", uri="urn:draft", published_at=ago(hours=4)),
                article("en", "An archived story", uri="urn:archived", published_at=ago(hours=5)),
                article(
                    "en", "Scheduled for tomorrow", uri="urn:scheduled", published_at=later(days=1)
                ),
                article(
                    "en",
                    "Under embargo",
                    uri="urn:embargoed",
                    published_at=ago(hours=6),
                    embargo_until=later(hours=6),
                ),
                article(
                    "fa",
                    PERSIAN_HEADLINE,
                    uri="urn:fa",
                    section="iran",
                    summary=["کشتی‌ها در بندر ماندند."],
                    published_at=ago(hours=1),
                ),
            ],
        )
    )
    with sessions() as session:
        ids = {uri: found for uri, found in session.execute(select(Article.uri, Article.id))}
    set_status(sessions, ids["urn:draft"], "draft")
    set_status(sessions, ids["urn:archived"], "archived")
    return Newsroom(ids=ids, now=datetime.now(UTC))


HIDDEN = ["urn:draft", "urn:archived", "urn:scheduled", "urn:embargoed"]
HIDDEN_HEADLINES = ["A draft", "An archived story", "Scheduled for tomorrow", "Under embargo"]
