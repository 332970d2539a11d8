"""Alembic: the migrations walk down to nothing and up again, and match the models."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, make_url

from app import migrate
from app.db import make_engine, make_sessionmaker
from app.demo.loader import load_demo
from app.models import Base
from app.models.search import is_search_index_table


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own on the same backend, so the shared one stays intact."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path}/scratch.db"
        return
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def model_diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                # SQLite's FTS5 index is made by its migration, not by a model.
                "include_name": lambda name, type_, _: (
                    not (type_ == "table" and is_search_index_table(name))
                ),
            },
        )
        return list(compare_metadata(context, Base.metadata))


def head_revision() -> str:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_models_match_the_migrations(engine: Engine) -> None:
    assert model_diff(engine) == []


def test_migrations_downgrade_to_base_and_upgrade_to_head_again(scratch_url: str) -> None:
    engine = make_engine(scratch_url)
    try:
        migrate.upgrade(scratch_url)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables

        migrate.downgrade(scratch_url, "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        migrate.upgrade(scratch_url)
        assert current_revision(engine) == head_revision()
        assert model_diff(engine) == []
    finally:
        engine.dispose()


def test_every_revision_steps_down_and_up_one_at_a_time(scratch_url: str) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config(scratch_url))
    revisions = [revision.revision for revision in script.walk_revisions("base", "heads")]
    revisions.reverse()
    engine = make_engine(scratch_url)
    try:
        for revision in revisions:
            migrate.upgrade(scratch_url, revision)
            assert current_revision(engine) == revision
        for revision in reversed(revisions):
            migrate.downgrade(scratch_url, "-1")
            assert current_revision(engine) != revision
        assert current_revision(engine) is None
    finally:
        engine.dispose()


#: The revision before the first that rebuilds ``articles`` on SQLite (a batch alter).
BEFORE_ARTICLES_REBUILT = "881b896ae2a2"
CONTENT_TABLES = (
    "articles",
    "article_tags",
    "article_authors",
    "article_related_videos",
    "article_renders",
    "videos",
    "video_renders",
    "revisions",
)


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
            for table in CONTENT_TABLES
        }


def test_content_survives_migrations_down_and_up(scratch_url: str) -> None:
    """A store with content migrates down past the revisions that rebuild its tables and
    up again with every row of every table that refers to them still there (on SQLite a
    rebuild with foreign keys enforced would first delete them, or fail)."""
    engine = make_engine(scratch_url)
    try:
        migrate.upgrade(scratch_url)
        with make_sessionmaker(engine).begin() as session:
            load_demo(session)
        before = row_counts(engine)
        assert all(before[table] > 0 for table in ("articles", "article_tags", "article_renders"))

        migrate.downgrade(scratch_url, BEFORE_ARTICLES_REBUILT)
        assert current_revision(engine) == BEFORE_ARTICLES_REBUILT
        migrate.upgrade(scratch_url)

        assert current_revision(engine) == head_revision()
        assert row_counts(engine) == before
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        engine.dispose()


def test_test_database_is_at_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
