"""The spec's examples: real answers recorded from the demo content.

``examples.json`` holds each example once, by name, and the responses that show
it; ``python -m app.docs.build_examples`` records it again.
"""

from importlib import resources
from typing import Any

import orjson

EXAMPLES_FILE = "examples.json"


def recorded_examples() -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads((resources.files("app.docs") / EXAMPLES_FILE).read_bytes())
    return data


def attach_examples(spec: dict[str, Any], recorded: dict[str, Any]) -> None:
    """Put the examples in ``components.examples`` and refer to them from each response."""
    operations = {
        operation["operationId"]: operation
        for methods in spec["paths"].values()
        for operation in methods.values()
    }
    for operation_id, statuses in recorded["responses"].items():
        for status, media_types in statuses.items():
            for media_type, names in media_types.items():
                try:
                    content = operations[operation_id]["responses"][status]["content"][media_type]
                except KeyError:
                    raise LookupError(
                        f"{EXAMPLES_FILE} has examples for {operation_id} {status} {media_type}, "
                        "which the spec does not declare: run `python -m app.docs.build_examples`."
                    ) from None
                content["examples"] = {
                    name: {"$ref": f"#/components/examples/{name}"} for name in names
                }
    spec.setdefault("components", {})["examples"] = recorded["examples"]
