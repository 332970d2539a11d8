"""Start a throwaway PostgreSQL cluster for the test suite.

The cluster lives in a fresh temporary directory, listens on a free port on
127.0.0.1 (plus a private Unix socket directory), runs with durability turned
off for speed, and is destroyed (``pg_ctl stop -m immediate`` + ``rm -rf``) when
the context manager exits, whatever happens inside it.

PostgreSQL refuses to run as root. When the tests run as root (CI does), every
server binary is executed as an unprivileged OS user instead: ``postgres`` if it
exists (Debian's package creates it), otherwise ``nobody``. The privilege drop
is done by :mod:`subprocess` itself (``user=``/``group=``/``extra_groups=``), so
neither ``runuser`` nor ``sudo`` is needed.

Binaries are looked up in this order: ``$MASTHEAD_PG_BIN``, ``pg_config
--bindir``, the newest ``/usr/lib/postgresql/<major>/bin``, then ``initdb`` on
``PATH``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

__all__ = ["DATABASE_NAME", "find_pg_bindir", "postgres_available", "throwaway_postgres"]

DATABASE_NAME = "masthead_test"
SUPERUSER = "postgres"
_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
_START_ATTEMPTS = 3
_LOG_TAIL_LINES = 40
# Environment variables that would make libpq/pg_ctl talk to some other cluster.
_PG_ENV_VARS = ("PGDATA", "PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE")


def _has_server_binaries(bindir: Path) -> bool:
    return all((bindir / name).is_file() for name in _REQUIRED_BINARIES)


def _pg_config_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    try:
        out = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out) if out else None


def _version_key(path: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); anything unparsable sorts first.
    major = Path(path).parent.name
    return tuple(int(part) for part in re.findall(r"\d+", major)) or (-1,)


def find_pg_bindir() -> Path | None:
    """Return the directory holding initdb/pg_ctl/postgres, or None if not found.

    ``$MASTHEAD_PG_BIN`` is authoritative when set: if it does not contain the
    server binaries, nothing else is tried (so a typo is not silently ignored).
    """
    override = os.environ.get("MASTHEAD_PG_BIN")
    if override:
        bindir = Path(override)
        return bindir if _has_server_binaries(bindir) else None

    candidates: list[Path] = []
    from_pg_config = _pg_config_bindir()
    if from_pg_config is not None:
        # Client-only installs (libpq-dev) report a bindir without initdb.
        candidates.append(from_pg_config)
    debian_dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    candidates.extend(Path(d) for d in debian_dirs)
    on_path = shutil.which("initdb")
    if on_path is not None:
        candidates.append(Path(on_path).resolve().parent)

    for bindir in candidates:
        if _has_server_binaries(bindir):
            return bindir
    return None


def postgres_available() -> bool:
    """True when PostgreSQL server binaries can be found on this machine."""
    return find_pg_bindir() is not None


def ensure_server_binaries() -> None:
    """Install Debian's PostgreSQL server when it is missing and we may (root, apt),
    so that the test command alone works on a fresh machine."""
    if postgres_available() or os.environ.get("MASTHEAD_PG_BIN"):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise RuntimeError(
            "PostgreSQL server binaries are missing: install Debian's 'postgresql' package "
            "(or set MASTHEAD_PG_BIN), or run with MASTHEAD_TEST_BACKENDS=sqlite."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env, timeout=900
    )


@dataclass(frozen=True)
class _RunAs:
    """The OS identity the server binaries run as (None fields = current user)."""

    uid: int | None = None
    gid: int | None = None
    name: str | None = None


def _server_identity() -> _RunAs:
    if os.geteuid() != 0:
        return _RunAs()
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if entry.pw_uid != 0:
            return _RunAs(uid=entry.pw_uid, gid=entry.pw_gid, name=name)
    raise RuntimeError(
        "running as root, and PostgreSQL refuses to run as root, but neither a 'postgres' "
        "nor a 'nobody' OS user exists to run it as "
        "(create one, e.g. `useradd --system --no-create-home postgres`)"
    )


def _server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PG_ENV_VARS}
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def _run(
    args: list[str], *, who: _RunAs, cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a server binary as `who`, never raising on a non-zero exit status."""
    if who.uid is None:
        return subprocess.run(
            args, cwd=cwd, env=_server_env(), capture_output=True, text=True, timeout=timeout
        )
    return subprocess.run(
        args,
        cwd=cwd,
        env=_server_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        user=who.uid,
        group=who.gid,
        extra_groups=[],
    )


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return "\n".join(part.strip() for part in (proc.stdout, proc.stderr) if part.strip())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(logfile: Path) -> str:
    try:
        lines = logfile.read_text(errors="replace").splitlines()
    except OSError as exc:
        return f"(server log unavailable: {exc})"
    return "\n".join(lines[-_LOG_TAIL_LINES:]) or "(server log is empty)"


def _initdb(bindir: Path, datadir: Path, *, who: _RunAs, cwd: Path) -> None:
    base = [
        str(bindir / "initdb"),
        "-D",
        str(datadir),
        "-U",
        SUPERUSER,
        "--auth=trust",
        "-E",
        "UTF8",
    ]
    first = _run([*base, "--locale=C.UTF-8"], who=who, cwd=cwd)
    if first.returncode == 0:
        return
    # The C.UTF-8 locale may be missing (older glibc, minimal images): retry without one.
    shutil.rmtree(datadir, ignore_errors=True)
    second = _run([*base, "--no-locale"], who=who, cwd=cwd)
    if second.returncode != 0:
        raise RuntimeError(
            f"initdb failed (exit {second.returncode}).\n"
            f"--- with --locale=C.UTF-8 ---\n{_output(first)}\n"
            f"--- with --no-locale ---\n{_output(second)}"
        )


def _start(
    bindir: Path, datadir: Path, sockdir: Path, logfile: Path, *, who: _RunAs, cwd: Path
) -> int:
    """Start the server on a free port and return the port."""
    failures: list[str] = []
    for _ in range(_START_ATTEMPTS):
        port = _free_port()
        server_opts = (
            f"-F -c listen_addresses=127.0.0.1 -p {port} -k {sockdir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        proc = _run(
            [
                str(bindir / "pg_ctl"),
                "-w",
                "-t",
                "60",
                "-D",
                str(datadir),
                "-o",
                server_opts,
                "-l",
                str(logfile),
                "start",
            ],
            who=who,
            cwd=cwd,
            timeout=90,
        )
        if proc.returncode == 0:
            return port
        tail = _log_tail(logfile)
        failures.append(
            f"port {port}: pg_ctl exit {proc.returncode}\n{_output(proc)}\n"
            f"--- server log (tail) ---\n{tail}"
        )
        # Another process may have grabbed the port between probe and bind: retry.
        if "already in use" not in tail and "could not bind" not in tail:
            break
    raise RuntimeError("could not start PostgreSQL:\n" + "\n\n".join(failures))


def _stop(bindir: Path, datadir: Path, *, who: _RunAs, cwd: Path) -> None:
    if not (datadir / "postmaster.pid").exists():
        return
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        _run(
            [
                str(bindir / "pg_ctl"),
                "-w",
                "-t",
                "60",
                "-D",
                str(datadir),
                "-m",
                "immediate",
                "stop",
            ],
            who=who,
            cwd=cwd,
            timeout=90,
        )


def _create_database(port: int) -> None:
    with psycopg.connect(
        host="127.0.0.1", port=port, user=SUPERUSER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def _make_workdir(who: _RunAs) -> Path:
    # Under /tmp (mode 1777, traversable by everybody) rather than $TMPDIR, which may
    # point somewhere the unprivileged server user cannot reach (e.g. under /root).
    parent = "/tmp" if who.uid is not None and os.path.isdir("/tmp") else None
    workdir = Path(tempfile.mkdtemp(prefix="masthead-pg-", dir=parent))
    if who.uid is not None and who.gid is not None:
        os.chown(workdir, who.uid, who.gid)
    os.chmod(workdir, 0o700)
    return workdir


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Run a private PostgreSQL cluster; yield a SQLAlchemy URL to an empty database.

    The URL has the form ``postgresql+psycopg://postgres@127.0.0.1:PORT/masthead_test``.
    The server is stopped and its directory deleted on exit, even on error.
    """
    bindir = find_pg_bindir()
    if bindir is None:
        where = (
            f"$MASTHEAD_PG_BIN={os.environ['MASTHEAD_PG_BIN']!r} does not contain "
            + "/".join(_REQUIRED_BINARIES)
            if os.environ.get("MASTHEAD_PG_BIN")
            else "no PostgreSQL server binaries found via $MASTHEAD_PG_BIN, `pg_config "
            "--bindir`, /usr/lib/postgresql/*/bin or PATH"
        )
        raise RuntimeError(
            f"{where}. Install them (Debian: `apt-get install -y postgresql`) "
            "or point $MASTHEAD_PG_BIN at the directory holding initdb, pg_ctl and postgres."
        )

    who = _server_identity()
    workdir = _make_workdir(who)
    datadir = workdir / "data"
    sockdir = workdir / "sock"
    logfile = workdir / "server.log"
    try:
        sockdir.mkdir(mode=0o700)
        if who.uid is not None and who.gid is not None:
            os.chown(sockdir, who.uid, who.gid)
        _initdb(bindir, datadir, who=who, cwd=workdir)
        try:
            port = _start(bindir, datadir, sockdir, logfile, who=who, cwd=workdir)
            try:
                _create_database(port)
            except psycopg.Error as exc:
                raise RuntimeError(
                    f"could not create database {DATABASE_NAME!r}: {exc}\n"
                    f"--- server log (tail) ---\n{_log_tail(logfile)}"
                ) from exc
            yield f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/{DATABASE_NAME}"
        finally:
            _stop(bindir, datadir, who=who, cwd=workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
