"""What an article's revisions left: the content after each change.

Every editorial write records its result as the revision's snapshot: the write
shape, the status, the editors' key points and the curated related videos. A
revision without one (an import's, or one recorded before snapshots were kept)
is reconstructed by walking back from the nearest later point that is known, the
next snapshot or the article as it is now, undoing each later revision with the
previous values it recorded.
"""

from collections.abc import Callable, Iterable
from typing import Any

from app.articles.schemas import ArticleWrite
from app.models import Revision

#: The members of the write shape, in the order revisions list them.
SHAPE_FIELDS = tuple(ArticleWrite.model_fields)
#: The parts of a snapshot besides the write shape, as revisions name them.
_PARTS = ("status", "summary", "related_videos")

Content = dict[str, Any]


def snapshot(
    shape: dict[str, Any], status: str, summary: list[str] | None, related_videos: list[int]
) -> Content:
    return {
        "article": shape,
        "status": status,
        "summary": summary,
        "related_videos": related_videos,
    }


def undo(content: Content, revision: Revision) -> Content:
    """The content before ``revision``, from the content after it.

    Only what the revision recorded is restored; an import records the previous
    values of the columns it changed (by the write shape's names, where they are
    the same), not those of its links.
    """
    article = dict(content["article"])
    before = {**content, "article": article}
    for name, value in (revision.previous or {}).items():
        if name in _PARTS:
            before[name] = value
        elif name in SHAPE_FIELDS and name != "service":
            # The write shape leaves out what is absent.
            if value is None:
                article.pop(name, None)
            else:
                article[name] = value
    return before


def content_after(
    found: Revision, later: Iterable[Revision], now: Callable[[], Content]
) -> Content:
    """The content ``found`` left: its snapshot, or the nearest later one (else the
    article as it is ``now()``) with every revision in between undone. ``later`` are
    the revisions after ``found``, oldest first."""
    if found.snapshot is not None:
        return found.snapshot
    between: list[Revision] = []
    content: Content | None = None
    for revision in later:
        between.append(revision)
        if revision.snapshot is not None:
            content = revision.snapshot
            break
    if content is None:
        content = now()
    for revision in reversed(between):
        content = undo(content, revision)
    return content
