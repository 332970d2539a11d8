"""RFC 7396 JSON merge patches, and the write shapes they apply to."""

from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    """Members given replace, null removes, the rest stays."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strip_none(document: dict[str, Any]) -> dict[str, Any]:
    """A write shape without its absent members, as a merge patch sees it."""
    return {
        key: strip_none(value) if isinstance(value, dict) else value
        for key, value in document.items()
        if value is not None
    }
