"""Schemathesis against a live ``masthead serve``: every operation of the committed spec.

The server is the real one (uvicorn, a migrated SQLite file, the demo content) on a
free port of 127.0.0.1; schemathesis sends real HTTP, with a token of each role in
turn, and checks every answer against the committed ``openapi/openapi.json``: no
server error, only declared statuses, content types, headers and schemas, invalid
input refused, the ``Allow`` of a 405, and the stateful links (create, then read,
change and delete what was made). ``MASTHEAD_SCHEMATHESIS_EXAMPLES`` raises the
number of examples per operation for a longer, local run; ``..._SEED`` replays one.
"""

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import LiveServer

from app.cli import OPENAPI_PATH

HERE = Path(__file__).resolve().parent
TOKEN_PROBLEM = "/responses/401/content/application~1problem+json/schema/$ref"
PROBLEM_REF = "#/components/schemas/Problem"
#: Examples per operation and phase: about a minute per role on two cores.
MAX_EXAMPLES = int(os.environ.get("MASTHEAD_SCHEMATHESIS_EXAMPLES", "8"))
SEED = os.environ.get("MASTHEAD_SCHEMATHESIS_SEED", "20261202")
# The coverage phase (every boundary and negative value of every parameter, missing
# required headers) takes several times the rest; MASTHEAD_SCHEMATHESIS_PHASES=
# examples,coverage,fuzzing,stateful runs it.
PHASES = os.environ.get("MASTHEAD_SCHEMATHESIS_PHASES", "examples,fuzzing,stateful")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
)
# Invalid input may also meet a rule the server checks before the content (RFC 9110
# 13.2.1 lets preconditions go first): a stale If-Match is refused with 412. A missing
# If-Match is 428 Precondition Required (RFC 6585), the status made for it. Archiving
# an article (its DELETE) leaves it readable to editors, who may publish it again.
CONFIG = """\
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "415",
                     "422", "428", "429", "431"]

[checks.missing_required_header]
expected-statuses = ["400", "401", "403", "406", "415", "422", "428"]

[[operations]]
include-path-regex = "^/v1/articles/[{]article_id[}]"
checks.use_after_free.enabled = false
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("schemathesis-server"))
    try:
        live.wait_until_ready()
        yield live
    finally:
        live.stop()


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_schemathesis_finds_nothing(server: LiveServer, role: str, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        str(OPENAPI_PATH),
        "--url",
        server.url,
        "--checks",
        ",".join(CHECKS),
        "--phases",
        PHASES,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        SEED,
        "--workers",
        "1",
        "--no-shrink",
        "--request-timeout",
        "20",
        "--header",
        f"Authorization: Bearer {server.tokens[role]}",
    ]
    if role != "admin":
        # The public reads answer every token alike; the other roles run what a token
        # changes (every operation that may answer 401).
        command += ["--include-by", f"{TOKEN_PROBLEM} == {json.dumps(PROBLEM_REF)}"]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    log = tmp_path / "schemathesis.log"
    with log.open("w", encoding="utf-8") as output:
        done = subprocess.run(
            command, stdout=output, stderr=subprocess.STDOUT, timeout=900, cwd=tmp_path, env=env
        )
    report = log.read_text(encoding="utf-8")
    assert done.returncode == 0, f"schemathesis ({role}) found failures:\n{report[-20000:]}"
    operations = sum(
        1
        for methods in committed_spec()["paths"].values()
        for operation in methods.values()
        if role == "admin" or "401" in operation["responses"]
    )
    tested = re.search(r"Tested: (\d+)", report)
    assert tested is not None and int(tested.group(1)) == operations, report[-5000:]


def committed_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    return spec
