"""The feed tests' newsroom, loaded through the real write path."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from feeds.newsroom import Newsroom, build


@pytest.fixture
def newsroom(store: Callable[[dict[str, Any]], Any], sessions: sessionmaker[Session]) -> Newsroom:
    return build(store, sessions)
