"""The throwaway PostgreSQL cluster used by the test suite really works, and cleans up."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import sqlalchemy as sa
from pgcluster import DATABASE_NAME, throwaway_postgres


def _libpq_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_throwaway_postgres_round_trip_and_cleanup() -> None:
    with throwaway_postgres() as url:
        parts = urlsplit(url)
        assert parts.scheme == "postgresql+psycopg"
        assert parts.hostname == "127.0.0.1"
        assert parts.path == f"/{DATABASE_NAME}"
        assert parts.port is not None
        port = parts.port

        with psycopg.connect(_libpq_url(url), autocommit=True) as conn:
            version_row = conn.execute("SHOW server_version").fetchone()
            assert version_row is not None
            major = int(str(version_row[0]).split(".")[0].split()[0])
            assert major >= 15, version_row[0]

            db_row = conn.execute("SELECT current_database()").fetchone()
            assert db_row == (DATABASE_NAME,)

            dir_row = conn.execute("SHOW data_directory").fetchone()
            assert dir_row is not None
            data_dir = Path(str(dir_row[0]))
            assert data_dir.is_dir()

            conn.execute("CREATE TABLE probe (id serial PRIMARY KEY, label text NOT NULL)")
            conn.execute("INSERT INTO probe (label) VALUES (%s)", ("héllo wörld",))
            rows = conn.execute("SELECT id, label FROM probe").fetchall()
            assert rows == [(1, "héllo wörld")]

        # The yielded URL is usable by SQLAlchemy as-is.
        engine = sa.create_engine(url)
        try:
            with engine.connect() as sa_conn:
                assert sa_conn.execute(sa.text("SELECT label FROM probe")).scalar_one() == (
                    "héllo wörld"
                )
        finally:
            engine.dispose()

    assert not data_dir.exists()
    assert not data_dir.parent.exists()
    assert not _port_open(port)
