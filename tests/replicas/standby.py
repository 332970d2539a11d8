"""A PostgreSQL primary with a streaming replica, both throwaway, on loopback.

The primary is the suite's throwaway cluster (``pgcluster.throwaway_postgres``);
the replica is made from it as an operator makes one: ``pg_basebackup -R``
(which writes ``standby.signal`` and ``primary_conninfo``), then started as a
hot standby on a port of its own. It can be stopped and started again, and its
replay paused, to show what the API does when a replica is down or lags.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from pgcluster import (
    _free_port,
    _log_tail,
    _make_workdir,
    _output,
    _run,
    _RunAs,
    _server_identity,
    _stop,
    find_pg_bindir,
    throwaway_postgres,
)


@dataclass
class Standby:
    """A hot standby streaming from the primary."""

    bindir: Path
    datadir: Path
    logfile: Path
    sockdir: Path
    port: int
    who: _RunAs
    workdir: Path
    url: str

    def _conninfo(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def start(self) -> None:
        options = (
            f"-F -c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockdir} "
            "-c hot_standby=on -c max_connections=200 -c fsync=off"
        )
        proc = _run(
            [
                str(self.bindir / "pg_ctl"),
                "-w",
                "-t",
                "60",
                "-D",
                str(self.datadir),
                "-o",
                options,
                "-l",
                str(self.logfile),
                "start",
            ],
            who=self.who,
            cwd=self.workdir,
            timeout=90,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"could not start the replica: {_output(proc)}\n{_log_tail(self.logfile)}"
            )

    def stop(self) -> None:
        """Stop at once, as a crash or a pulled cable would: connections just end."""
        _stop(self.bindir, self.datadir, who=self.who, cwd=self.workdir)
        deadline = time.monotonic() + 30
        while (self.datadir / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def pause_replay(self) -> None:
        with psycopg.connect(self._conninfo(), autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with psycopg.connect(self._conninfo(), autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_resume()")

    def replay_lsn(self) -> int:
        with psycopg.connect(self._conninfo(), autocommit=True) as conn:
            row = conn.execute("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn").fetchone()
        assert row is not None
        return int(row[0])

    def wait_for(self, primary_url: str) -> None:
        """Return once the replica has replayed everything the primary has written."""
        with psycopg.connect(_libpq(primary_url), autocommit=True) as conn:
            row = conn.execute("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn").fetchone()
        assert row is not None
        target = int(row[0])
        deadline = time.monotonic() + 30
        while self.replay_lsn() < target:
            if time.monotonic() > deadline:
                raise RuntimeError("the replica did not catch up within 30 s")
            time.sleep(0.02)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def primary_and_standby() -> Iterator[tuple[str, Standby]]:
    """A primary's SQLAlchemy URL and a streaming replica of it."""
    bindir = find_pg_bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL server binaries")
    with throwaway_postgres() as primary_url:
        primary_port = urlsplit(primary_url).port
        who = _server_identity()
        workdir = _make_workdir(who)
        datadir = workdir / "data"
        sockdir = workdir / "sock"
        try:
            sockdir.mkdir(mode=0o700)
            if who.uid is not None and who.gid is not None:
                os.chown(sockdir, who.uid, who.gid)
            proc = _run(
                [
                    str(bindir / "pg_basebackup"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(primary_port),
                    "-U",
                    "postgres",
                    "-D",
                    str(datadir),
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                ],
                who=who,
                cwd=workdir,
            )
            if proc.returncode != 0:
                raise RuntimeError(f"pg_basebackup failed: {_output(proc)}")
            port = _free_port()
            path = urlsplit(primary_url).path
            standby = Standby(
                bindir=bindir,
                datadir=datadir,
                logfile=workdir / "server.log",
                sockdir=sockdir,
                port=port,
                who=who,
                workdir=workdir,
                url=f"postgresql://postgres@127.0.0.1:{port}{path}",
            )
            standby.start()
            try:
                yield primary_url, standby
            finally:
                standby.stop()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
