"""The import rules of docs/architecture.md, checked by import-linter against the
contracts in pyproject.toml: lower layers never import upper ones, kit/, http/
and readmodel/ import no domain, and only main.py and cli.py import routers."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
CONTRACTS = (
    "Lower layers never import upper ones",
    "In a domain: routers, then write rules, then read rules, then repositories",
    "kit/ imports nothing else from app",
    "http/ imports only kit, errors, config, readstore and storeversion",
    "readmodel/ imports only kit and models",
    "Only main.py and cli.py import routers",
)


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "pyproject.toml"],
        cwd=project,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in CONTRACTS:
        assert f"{name} KEPT" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "broken"),
    [
        ("kit/fields.py", "import app.models", "kit/ imports nothing else from app"),
        ("http/caching.py", "import app.articles.service", "http/ imports only kit"),
        ("readmodel/documents.py", "import app.http.caching", "readmodel/ imports only kit"),
        ("videos/repository.py", "import app.videos.editorial", "In a domain"),
        ("models/base.py", "import app.auth.service", "Lower layers never import upper ones"),
        ("articles/service.py", "import app.videos.router", "Only main.py and cli.py"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, bad_import: str, broken: str
) -> None:
    """The same check fails on a copy of the code with one import the rules forbid."""
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "app" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{bad_import}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout.split("Broken contracts")[-1], result.stdout
