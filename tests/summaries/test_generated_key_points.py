"""Generated key points of articles written through the editorial API."""

import pytest
from articles.editorial_kit import Newsroom, room

__all__ = ["room"]

SENTENCE = "Ferries stay in port until the storm has passed."


def key_points(room: Newsroom, article_id: int) -> dict[str, object]:
    response = room.get(article_id, "en_editor", tail="/summary")
    assert response.status_code == 200, response.text
    summary: dict[str, object] = response.json()
    return summary


def test_a_one_sentence_story_has_exactly_one_bullet(room: Newsroom) -> None:
    draft = room.draft(
        headline="Storm closes the harbour",
        body=[
            {"type": "paragraph", "text": "Ferries <b>stay</b> in port until the storm has passed."}
        ],
    )
    assert draft["summary"]["source"] == "generated"
    assert draft["summary"]["bullets"] == [SENTENCE]
    assert key_points(room, draft["id"])["bullets"] == [SENTENCE]


@pytest.mark.parametrize(
    "credit",
    [
        "Photo: Jane Doe / Reuters",
        'Source: <a href="https://example.org/storm">Harbour authority</a>.',
        "Original: https://example.org/storm",
        "More at www.example.org/storm today.",
    ],
)
def test_a_credit_or_a_url_is_never_a_bullet(room: Newsroom, credit: str) -> None:
    draft = room.draft(
        headline="Storm closes the harbour",
        body=[
            {"type": "paragraph", "text": SENTENCE},
            {"type": "quote", "text": credit},
            {"type": "paragraph", "text": credit},
        ],
    )
    assert draft["summary"]["bullets"] == [SENTENCE]
    assert key_points(room, draft["id"])["bullets"] == [SENTENCE]
