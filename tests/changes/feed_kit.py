"""Reading the change feed as a sync client does: page after page, keeping the cursor."""

from typing import Any

from fastapi.testclient import TestClient


def walk(
    client: TestClient, cursor: str | None = None, limit: int = 100, **params: str
) -> tuple[list[dict[str, Any]], str]:
    """Every change after ``cursor``, and the cursor to keep."""
    items: list[dict[str, Any]] = []
    while True:
        query: dict[str, Any] = {"limit": limit, **params}
        if cursor is not None:
            query["cursor"] = cursor
        response = client.get("/v1/changes", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert isinstance(page["next_cursor"], str) and page["next_cursor"]
        cursor = page["next_cursor"]
        items.extend(page["items"])
        if not page["items"]:
            return items, cursor


def summary(items: list[dict[str, Any]]) -> list[tuple[str, int, str, bool]]:
    return [(item["type"], item["id"], item["change"], item["deleted"]) for item in items]
