"""The change feed's shapes."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

ChangeKind = Literal[
    "published", "updated", "unpublished", "archived", "deleted", "availability", "withheld"
]


class ChangeOut(BaseModel):
    """One change of the public store; a tombstone (``deleted: true``) when the item
    left public view (for this reader: ``withheld`` in the reader's country)."""

    seq: int = Field(description="The change's place in commit order (also the SSE event id).")
    type: Literal["article", "video"]
    id: int
    service: str
    change: ChangeKind
    at: datetime = Field(description="When the change took effect for readers.")
    deleted: bool
    url: str | None = Field(
        default=None, description="Where the item's full, current representation is read."
    )
    etag: str | None = Field(
        default=None,
        description="The stored representation's version: the public ETag starts with it.",
    )
    updated_at: datetime | None = None
    unavailable_reason: str | None = Field(
        default=None,
        description="Videos: why it cannot be played now whatever the reader's country "
        "(`not_yet_available`, `expired`, `no_sources`), or null.",
    )
    item: dict[str, Any] | None = Field(
        default=None,
        description="The item as it was at this change: an article's teaser (with "
        "`breaking`) or a video's document (availability rules unresolved).",
    )


class ChangePage(BaseModel):
    items: list[ChangeOut]
    next_cursor: str = Field(
        description="Never null: store it and ask again with it; an empty page means up to date."
    )
