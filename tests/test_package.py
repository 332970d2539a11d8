"""Masthead as a user installs it: the wheel built from this checkout, installed with
its locked dependencies into a fresh virtual environment outside the checkout, and
run from an empty folder, where nothing of the checkout can be imported or read.

Runs once (it uses no database fixture, so it is not repeated per backend), on the
default SQLite database in the working folder, as a first-time user would.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_HEADLINE = "Zelenskyy Challenges Putin To 'Come To Kyiv' As Peace Talks Continue To Stall"

pytestmark = pytest.mark.package


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    workdir: Path
    env: dict[str, str]

    @property
    def bin(self) -> Path:
        return self.venv / "bin"


def run(
    args: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}\n"
        f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
    )
    return result


def clean_environment() -> dict[str, str]:
    """The environment without this checkout's virtual environment or settings in it."""
    dropped = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT", "UV_LOCKED"}
    return {
        key: value
        for key, value in os.environ.items()
        if key not in dropped and not key.startswith("MASTHEAD_")
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    uv = shutil.which("uv")
    assert uv, "uv is needed to build and install the wheel"
    base = tmp_path_factory.mktemp("package")
    assert not base.is_relative_to(ROOT)
    env = clean_environment()

    # The sdist first, then the wheel from it, as `uv build` does: both must be complete.
    dist = base / "dist"
    run([uv, "build", "--out-dir", dist], cwd=ROOT, env=env, timeout=300)
    (wheel,) = dist.glob("masthead-*.whl")

    constraints = base / "constraints.txt"
    run(
        [
            uv,
            "export",
            "--frozen",
            "--no-dev",
            "--no-hashes",
            "--no-emit-project",
            "-o",
            constraints,
        ],
        cwd=ROOT,
        env=env,
    )
    venv = base / "venv"
    run([uv, "venv", "--python", sys.executable, venv], cwd=base, env=env)
    # Compiled at install, as pip does by default: each command below is a new interpreter.
    run(
        [
            uv,
            "pip",
            "install",
            "--compile-bytecode",
            "--python",
            venv / "bin" / "python",
            "-c",
            constraints,
            wheel,
        ],
        cwd=base,
        env=env,
        timeout=300,
    )

    workdir = base / "empty"
    workdir.mkdir()
    user_env = {**env, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}:{env['PATH']}"}
    return Installed(wheel=wheel, venv=venv, workdir=workdir, env=user_env)


def git_files(*folders: str) -> set[str]:
    """Files of these folders that a build sees: tracked, or new and not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *folders],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return {name for name in listed if (ROOT / name).is_file()}


def test_the_wheel_holds_every_package_file_and_the_migrations(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    package = git_files("app")
    assert {name for name in package if not name.endswith(".py")}, "package data is listed"
    assert package - names == set()
    migrations = {f"app/{name}" for name in git_files("migrations")}
    assert "app/migrations/env.py" in migrations
    assert migrations - names == set()
    # Nothing else at the top level: no stray "migrations" package in site-packages.
    top = {name.split("/")[0] for name in names}
    assert {entry for entry in top if not entry.endswith(".dist-info")} == {"app"}
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


def test_the_installed_package_is_the_one_imported(installed: Installed) -> None:
    result = run(
        [installed.bin / "python", "-c", "import app; print(app.__file__)"],
        cwd=installed.workdir,
        env=installed.env,
    )
    location = Path(result.stdout.strip())
    assert location.is_relative_to(installed.venv), location
    assert "site-packages" in location.parts
    assert not location.is_relative_to(ROOT)
    site_packages = location.parent.parent
    assert (site_packages / "app" / "migrations" / "env.py").is_file()
    assert not (site_packages / "migrations").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(installed: Installed) -> Iterator[httpx.Client]:
    """`masthead db upgrade`, `masthead demo` twice, then `masthead serve`."""
    masthead = installed.bin / "masthead"
    cwd, env = installed.workdir, installed.env
    assert list(cwd.iterdir()) == []

    help_text = run([masthead, "--help"], cwd=cwd, env=env).stdout
    for command in ("serve", "db", "demo", "import", "token", "openapi"):
        assert command in help_text

    run([masthead, "db", "upgrade"], cwd=cwd, env=env)
    # The default database is a file in the working folder.
    assert (cwd / "masthead.db").is_file()

    first = run([masthead, "demo"], cwd=cwd, env=env).stdout
    assert re.search(r"^seed\.json: [1-9]\d* created", first, re.MULTILINE), first
    again = run([masthead, "demo"], cwd=cwd, env=env).stdout
    counts = re.findall(r"^\S+: (\d+) created, (\d+) updated, (\d+) unchanged$", again, re.M)
    assert len(counts) == 2, again
    assert all(
        created == updated == "0" and int(unchanged) > 0 for created, updated, unchanged in counts
    )

    port = free_port()
    log = (installed.workdir.parent / "serve.log").open("w")
    process = subprocess.Popen(
        [str(masthead), "serve", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, (installed.workdir.parent / "serve.log").read_text()
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the server did not get ready in 60 s"
                time.sleep(0.25)
            yield client
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


def test_the_installed_server_answers(server: httpx.Client) -> None:
    health = server.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert server.get("/readyz").json() == {"status": "ready"}

    teasers = server.get("/v1/articles", params={"service": "en", "limit": 100})
    assert teasers.status_code == 200
    seeds = [item for item in teasers.json()["items"] if item["headline"] == SEED_HEADLINE]
    assert len(seeds) == 1
    story = server.get(f"/v1/articles/{seeds[0]['id']}")
    assert story.status_code == 200
    assert story.json()["headline"] == SEED_HEADLINE
    assert story.json()["body"]


def test_the_installed_server_serves_the_committed_spec_and_the_docs(
    server: httpx.Client,
) -> None:
    spec = server.get("/openapi.json")
    assert spec.status_code == 200
    committed = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    assert spec.json() == committed

    docs = server.get("/docs")
    assert docs.status_code == 200
    assert "text/html" in docs.headers["content-type"]
    # The page's scripts, styles and icons are package data: each must be served.
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', docs.text)
    assert any(asset.split("?")[0].endswith(".js") for asset in assets), docs.text
    for asset in assets:
        assert server.get(asset).status_code == 200, asset


def test_the_installed_openapi_command_checks_a_given_file(installed: Installed) -> None:
    masthead = installed.bin / "masthead"
    committed = ROOT / "openapi" / "openapi.json"
    result = run(
        [masthead, "openapi", "--check", "--path", committed],
        cwd=installed.workdir,
        env=installed.env,
    )
    assert "is up to date" in result.stdout
    # With no checkout around it, it prints the spec rather than writing into site-packages.
    printed = run([masthead, "openapi"], cwd=installed.workdir, env=installed.env).stdout
    assert json.loads(printed) == json.loads(committed.read_text(encoding="utf-8"))
    unchecked = subprocess.run(
        [str(masthead), "openapi", "--check"],
        cwd=installed.workdir,
        env=installed.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert unchecked.returncode == 2
    assert "--path" in unchecked.stderr
