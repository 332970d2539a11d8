"""The formats' fixtures: the feed tests' newsroom (what readers may and may not
see), the demo content, and an app that addresses images through a resizer."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from feeds.newsroom import Newsroom, build
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import make_sessionmaker
from app.demo.loader import load_demo
from app.main import create_app

IMGPROXY = "https://img.example/{signature}/rs:fit:{width}:{height}/plain/{url}"
# The key and salt of imgproxy's own signing example ("secret" and "hello").
IMGPROXY_KEY = "736563726574"
IMGPROXY_SALT = "68656C6C6F"


@pytest.fixture
def newsroom(store: Callable[[dict[str, Any]], Any], sessions: sessionmaker[Session]) -> Newsroom:
    return build(store, sessions)


@pytest.fixture
def demo(client: TestClient, sessions: sessionmaker[Session]) -> TestClient:
    with sessions.begin() as session:
        load_demo(session)
    return client


@dataclass
class Resized:
    """An app and a session factory that address images through imgproxy."""

    client: TestClient
    sessions: sessionmaker[Session]
    settings: Settings


def resized_settings(database_url: str, **extra: Any) -> Settings:
    return Settings(
        database_url=database_url,
        webhook_worker=False,
        image_resizer_url=IMGPROXY,
        image_widths="320,640,960",
        image_resizer_key=IMGPROXY_KEY,
        image_resizer_salt=IMGPROXY_SALT,
        **extra,
    )


@pytest.fixture
def resized(
    database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> Iterator[Resized]:
    settings = resized_settings(database_url)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Resized(client, make_sessionmaker(engine, settings.resizer()), settings)
