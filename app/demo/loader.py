"""``masthead demo``: the shipped demo content, loaded idempotently."""

from importlib import resources
from typing import Any

import orjson
from sqlalchemy.orm import Session

from app.imports.bundle import load_bundle

BUNDLES = ("seed.json", "itn.json")


def demo_bundles() -> list[tuple[str, dict[str, Any]]]:
    folder = resources.files("app.demo") / "data"
    return [(name, orjson.loads((folder / name).read_bytes())) for name in BUNDLES]


def load_demo(session: Session) -> dict[str, dict[str, int]]:
    return {name: load_bundle(session, data) for name, data in demo_bundles()}
