"""Stand-in for ``masthead import`` until that command exists.

Loads JSONL files of bundles (one bundle a line, each line in its own transaction) with
``app.imports.bundle.load_bundle``, into the database named by ``MASTHEAD_DATABASE_URL``.
Run as its own process so that it is timed like the command it stands in for:

    python -m bench.fallback_import FILE...
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import orjson

from app import migrate
from app.config import get_settings
from app.db import make_engine, make_sessionmaker
from app.imports.bundle import load_bundle


def main(paths: list[str]) -> int:
    url = get_settings().database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    started = time.monotonic()
    articles = 0
    try:
        for name in paths:
            with Path(name).open("rb") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    data = orjson.loads(line)
                    with sessions.begin() as session:
                        load_bundle(session, data)
                    articles += len(data.get("articles", []))
                    elapsed = time.monotonic() - started
                    print(
                        f"{name}:{number}: {articles:,} articles, "
                        f"{articles / max(elapsed, 1e-9):,.0f}/s",
                        flush=True,
                    )
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
