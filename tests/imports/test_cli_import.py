"""`masthead import FILE...` with ninjs documents, lists and JSONL, run as a user
would: a subprocess on a temporary SQLite database."""

import os
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest
from factories import service
from sqlalchemy import text
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
    assert (
        f"{len(EXAMPLES)} created, 0 updated, 0 unchanged, 0 superseded, 0 outdated, 0 rejected"
        in (first.stdout)
    )
    assert "%" in first.stderr  # the progress bar
    once = dump(database)
    assert len(once["articles"]) == 3 and len(once["videos"]) == 1
    second = masthead(database, "import", "--service", "wire", *EXAMPLES)
    assert second.returncode == 0, second.stderr
    assert f"0 created, 0 updated, {len(EXAMPLES)} unchanged, 0 superseded" in second.stdout
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


def test_cli_without_service_sends_each_item_to_the_service_of_its_language(
    newsroom: tuple[Path, Path],
) -> None:
    database, folder = newsroom
    services = folder / "more-services.json"
    services.write_bytes(
        orjson.dumps({"services": [service("norsk", "nb"), service("gb", "en-GB")]})
    )
    assert masthead(database, "import", services).returncode == 0
    ntb = FIXTURES / "iptc-ninjs" / "examples" / "ntb_text.json"  # nb-NO
    ap = FIXTURES / "iptc-ninjs" / "examples" / "ap_video.json"  # en: exactly wire's
    result = masthead(database, "import", ntb, ap)
    assert result.returncode == 0, result.stderr
    assert "2 created" in result.stdout
    store = dump(database)
    codes = {row[0]: row[1] for row in store["services"]}
    assert [codes[row[2]] for row in store["articles"]] == ["norsk"]
    assert [codes[row[2]] for row in store["videos"]] == ["wire"]


def test_cli_without_service_names_the_choices_when_a_language_has_none_or_several(
    newsroom: tuple[Path, Path],
) -> None:
    database, folder = newsroom
    services = folder / "more-services.json"
    services.write_bytes(orjson.dumps({"services": [service("world", "en")]}))
    assert masthead(database, "import", services).returncode == 0
    tt = FIXTURES / "iptc-ninjs" / "examples" / "tt_text_image_3.json"  # sv
    ap = FIXTURES / "iptc-ninjs" / "examples" / "ap_video.json"  # en: wire and world
    before = dump(database)
    result = masthead(database, "import", tt, ap)
    assert result.returncode == 1
    assert (
        f"rejected {tt}:1: language: no service has the language 'sv' "
        "(services: wire (en), world (en)); name one with --service CODE"
    ) in result.stderr
    assert (
        f"rejected {ap}:1: language: several services have the language 'en' (wire, world); "
        "name one with --service CODE"
    ) in result.stderr
    assert dump(database) == before
    named = masthead(database, "import", "--service", "world", tt, ap)
    assert named.returncode == 0, named.stderr
    unknown = masthead(database, "import", "--service", "nope", EXAMPLES[0])
    assert unknown.returncode == 1
    assert "unknown service 'nope'" in unknown.stderr


def ntb_version(version: str, created: str, headline: str) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads(
        (FIXTURES / "iptc-ninjs" / "examples" / "ntb_text.json").read_bytes()
    )
    document["language"] = "en"  # for wire
    return {
        **document,
        "version": version,
        "versionCreated": created,
        "headlines": [{"role": "main", "value": headline}],
    }


NTB_VERSIONS = [
    ntb_version("5", "2019-08-09T09:31:40Z", "Google kjøper tomt i Skien"),
    ntb_version("7", "2019-08-09T10:05:12Z", "Google har kjøpt giganttomt i Skien (rettet)"),
    ntb_version("6", "2019-08-09T09:46:53Z", "Google har kjøpt giganttomt i Skien"),
]


def headlines(database: Path) -> list[str]:
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT headline FROM articles")).scalars())
    finally:
        engine.dispose()


def test_cli_list_of_versions_applies_the_latest_and_twice_changes_nothing(
    newsroom: tuple[Path, Path],
) -> None:
    database, folder = newsroom
    batch = folder / "updates.json"
    batch.write_bytes(orjson.dumps(NTB_VERSIONS))
    first = masthead(database, "import", batch)
    assert first.returncode == 0, first.stderr
    assert "1 created, 0 updated, 0 unchanged, 2 superseded, 0 outdated, 0 rejected" in (
        first.stdout
    )
    assert headlines(database) == ["Google har kjøpt giganttomt i Skien (rettet)"]
    once = dump(database)
    second = masthead(database, "import", batch)
    assert "0 created, 0 updated, 1 unchanged, 2 superseded, 0 outdated" in second.stdout
    assert dump(database) == once


def test_cli_jsonl_and_files_of_versions_never_let_an_older_one_overwrite(
    newsroom: tuple[Path, Path],
) -> None:
    database, folder = newsroom
    v5, v7, v6 = NTB_VERSIONS
    feed = folder / "feed.jsonl"
    # Each line is a batch of its own: v5 comes after v6 is stored.
    feed.write_bytes(orjson.dumps(v6) + b"\n" + orjson.dumps(v5) + b"\n")
    result = masthead(database, "import", feed)
    assert result.returncode == 0, result.stderr
    assert "1 created, 0 updated, 0 unchanged, 0 superseded, 1 outdated" in result.stdout
    assert headlines(database) == ["Google har kjøpt giganttomt i Skien"]
    files = []
    for n, document in enumerate((v5, v7, v6)):
        path = folder / f"ntb-{n}.json"
        path.write_bytes(orjson.dumps(document))
        files.append(path)
    result = masthead(database, "import", *files)
    assert result.returncode == 0, result.stderr
    assert "0 created, 1 updated, 0 unchanged, 0 superseded, 2 outdated" in result.stdout
    assert headlines(database) == ["Google har kjøpt giganttomt i Skien (rettet)"]
