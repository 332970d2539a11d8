"""`masthead import FILE...` with ninjs documents, lists and JSONL, run as a user
would: a subprocess on a temporary SQLite database."""

import os
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest
from factories import service
from store_kit import dump_store
from support import FIXTURES

from app.db import make_engine

EXAMPLES = sorted((FIXTURES / "iptc-ninjs" / "examples").glob("*.json"))
ROOT = Path(__file__).resolve().parents[2]


def masthead(database: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MASTHEAD_DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        ["uv", "run", "--frozen", "masthead", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def dump(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(f"sqlite:///{database}")
    try:
        return dump_store(engine)
    finally:
        engine.dispose()


@pytest.fixture
def newsroom(tmp_path: Path) -> tuple[Path, Path]:
    """A database with the service ``wire``, made by importing a bundle file."""
    database = tmp_path / "masthead.db"
    services = tmp_path / "services.json"
    services.write_bytes(orjson.dumps({"services": [service("wire", "en")]}))
    result = masthead(database, "import", services)
    assert result.returncode == 0, result.stderr
    return database, tmp_path


def test_cli_imports_every_example_and_twice_changes_nothing(newsroom: tuple[Path, Path]) -> None:
    database, _ = newsroom
    first = masthead(database, "import", "--service", "wire", *EXAMPLES)
    assert first.returncode == 0, first.stderr
    assert f"{len(EXAMPLES)} created, 0 updated, 0 unchanged, 0 rejected" in first.stdout
    assert "%" in first.stderr  # the progress bar
    once = dump(database)
    assert len(once["articles"]) == 3 and len(once["videos"]) == 1
    second = masthead(database, "import", "--service", "wire", *EXAMPLES)
    assert second.returncode == 0, second.stderr
    assert f"0 created, 0 updated, {len(EXAMPLES)} unchanged, 0 rejected" in second.stdout
    assert dump(database) == once


def test_cli_list_file_is_one_batch_and_rejections_name_file_item_and_reason(
    newsroom: tuple[Path, Path],
) -> None:
    database, folder = newsroom
    documents = [orjson.loads(path.read_bytes()) for path in EXAMPLES]
    documents[1] = {**documents[1], "urgency": "very"}
    batch = folder / "batch.json"
    batch.write_bytes(orjson.dumps(documents))
    before = dump(database)
    result = masthead(database, "import", "--service", "wire", batch)
    assert result.returncode == 1
    assert f"rejected {batch}:1 item 1: urgency: not valid ninjs 3.x" in result.stderr
    assert dump(database) == before


def test_cli_jsonl_of_documents_rejects_by_line(newsroom: tuple[Path, Path]) -> None:
    database, folder = newsroom
    lines = [orjson.loads(path.read_bytes()) for path in EXAMPLES]
    lines.insert(2, {"uri": "urn:x", "headlines": [{"value": "No time"}], "bodies": "oops"})
    feed = folder / "feed.jsonl"
    feed.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    result = masthead(database, "import", "--service", "wire", feed)
    assert result.returncode == 1
    assert f"{len(EXAMPLES)} created" in result.stdout
    assert f"rejected {feed}:3: bodies: not valid ninjs 3.x" in result.stderr
    assert len(dump(database)["articles"]) == 3


def test_cli_documents_need_a_service(newsroom: tuple[Path, Path]) -> None:
    database, _ = newsroom
    result = masthead(database, "import", EXAMPLES[0])
    assert result.returncode == 1
    assert f"rejected {EXAMPLES[0]}:1: ninjs documents and articles need --service CODE" in (
        result.stderr
    )
    unknown = masthead(database, "import", "--service", "nope", EXAMPLES[0])
    assert unknown.returncode == 1
    assert "unknown service 'nope'" in unknown.stderr
