"""The ``masthead`` command line."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from typer.testing import CliRunner, Result

from app import migrate
from app.cli import app
from app.config import Settings, get_settings
from app.main import create_app

MASTHEAD = Path(sys.executable).with_name("masthead")


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[tuple[str, CliRunner]]:
    """A runner whose settings point at a fresh SQLite file."""
    url = f"sqlite:///{tmp_path}/cli.db"
    get_settings.cache_clear()
    yield url, CliRunner(env={"MASTHEAD_DATABASE_URL": url})
    get_settings.cache_clear()


def invoke(runner: CliRunner, *args: str) -> Result:
    get_settings.cache_clear()
    return runner.invoke(app, list(args))


def test_openapi_check_passes_on_the_committed_spec() -> None:
    result = CliRunner().invoke(app, ["openapi", "--check"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "db", "demo", "openapi"):
        assert command in result.output


def test_installed_masthead_db_current_reads_the_database_url_from_the_environment(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/current.db"
    migrate.upgrade(url)
    env = {**os.environ, "MASTHEAD_DATABASE_URL": url}
    result = subprocess.run(
        [str(MASTHEAD), "db", "current"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "(head)" in result.stdout
    # It used the database it was told to, not a default one in the working folder.
    assert not (tmp_path / "masthead.db").exists()


def revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head() -> str | None:
    return ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()


def test_db_upgrade_brings_the_database_to_head(cli: tuple[str, CliRunner]) -> None:
    url, runner = cli
    assert invoke(runner, "db", "current").exit_code == 0
    assert revision(url) is None
    upgraded = invoke(runner, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert revision(url) == head()
    assert invoke(runner, "db", "current").exit_code == 0


def test_db_downgrade_to_base_and_back(cli: tuple[str, CliRunner]) -> None:
    url, runner = cli
    assert invoke(runner, "db", "upgrade").exit_code == 0
    downgraded = invoke(runner, "db", "downgrade", "base")
    assert downgraded.exit_code == 0, downgraded.output
    assert revision(url) is None
    assert invoke(runner, "db", "upgrade", "head").exit_code == 0
    assert revision(url) == head()


def test_db_downgrade_needs_a_revision(cli: tuple[str, CliRunner]) -> None:
    _, runner = cli
    result = invoke(runner, "db", "downgrade")
    assert result.exit_code != 0


def test_demo_then_token_create_gives_a_token_that_the_api_takes(
    cli: tuple[str, CliRunner],
) -> None:
    url, runner = cli
    loaded = invoke(runner, "demo")
    assert loaded.exit_code == 0, loaded.output
    assert re.search(r"^seed\.json: [1-9]\d* created", loaded.output, re.MULTILINE)
    made = invoke(runner, "token", "create", "--role", "editor", "--service", "en")
    assert made.exit_code == 0, made.output
    head, *_, secret = made.output.strip().splitlines()
    assert re.fullmatch(r"token \d+ \(editor; services: en\)", head), made.output
    refused = invoke(runner, "token", "create", "--role", "editor", "--service", "zz")
    assert refused.exit_code == 2
    with TestClient(create_app(Settings(database_url=url, webhook_worker=False))) as client:
        listed = client.get("/v1/articles", params={"service": "en", "status": "draft"})
        assert listed.status_code == 401
        authorised = {"Authorization": f"Bearer {secret}"}
        drafts = client.get(
            "/v1/articles", params={"service": "en", "status": "draft"}, headers=authorised
        )
        assert drafts.status_code == 200, drafts.text
