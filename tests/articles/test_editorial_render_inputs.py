"""An edit re-makes an article's search document and suggested videos only from
what changed, and leaves them as a fresh rendering would."""

from collections.abc import Callable
from typing import Any

import pytest
from factories import bundle, video
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from app.models import ArticleRelatedVideo, ArticleRender, SearchDocument
from app.readmodel import search_index, suggestions
from app.readmodel.articles import render_articles
from articles.editorial_kit import Newsroom, make_newsroom

EDITS: list[dict[str, Any]] = [
    {"dek": "Ministers met through the night."},
    {"headline": "Minister interview after the vote"},
    {"kicker": "Analysis"},
    {"body": [{"type": "paragraph", "text": "The minister spoke of the interview."}]},
    {"tags": ["economy"]},
    {"section": "world"},
    {"key points": ["The budget passed.", "The minister gave an interview."]},
    {"dek": None, "tags": ["politics", "economy"]},
]


@pytest.fixture
def newsroom(
    client: TestClient,
    sessions: sessionmaker[Session],
    store: Callable[[dict[str, Any]], Any],
) -> Newsroom:
    room = make_newsroom(client, sessions, store)
    store(
        bundle(
            services=[],
            videos=[
                video("en", "Minister interview in full", tags=["economy"]),
                video("en", "Budget night in parliament", tags=["politics"], section="world"),
                video("en", "Harbour storm footage"),
            ],
        )
    )
    return room


def _stored(engine: Engine, article_id: int) -> dict[str, Any]:
    with engine.connect() as connection:
        return {
            "document": connection.execute(
                select(SearchDocument.__table__).where(SearchDocument.article_id == article_id)
            ).one(),
            "related": connection.execute(
                select(ArticleRelatedVideo.video_id, ArticleRelatedVideo.curated)
                .where(ArticleRelatedVideo.article_id == article_id)
                .order_by(ArticleRelatedVideo.position)
            ).all(),
            "render": connection.execute(
                select(ArticleRender.etag, ArticleRender.related, ArticleRender.detail).where(
                    ArticleRender.article_id == article_id
                )
            ).one(),
        }


def test_after_each_edit_the_index_and_suggestions_are_a_fresh_renderings(
    newsroom: Newsroom, sessions: sessionmaker[Session], engine: Engine
) -> None:
    article_id = newsroom.draft(tags=["politics"])["id"]
    assert newsroom.publish(article_id).status_code == 200
    seen = set()
    for edit in EDITS:
        if "key points" in edit:
            answer = newsroom.client.put(
                f"/v1/articles/{article_id}/summary",
                json={"bullets": edit["key points"]},
                headers=newsroom.headers("en_editor", If_Match=newsroom.etag(article_id)),
            )
        else:
            answer = newsroom.patch(article_id, edit)
        assert answer.status_code == 200, (edit, answer.text)
        edited = _stored(engine, article_id)
        with sessions.begin() as session:
            # Every input made afresh: no document to take the body's terms from.
            session.execute(delete(SearchDocument).where(SearchDocument.article_id == article_id))
            render_articles(session, [article_id])
        assert _stored(engine, article_id) == edited, edit
        seen.add(tuple(edited["related"]))
    # The edits moved the suggestions, so keeping them was a choice each time.
    assert len(seen) > 1


def test_a_dek_edit_analyses_no_body_and_ranks_no_videos_when_its_terms_stay(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    article_id = newsroom.draft(dek="Updated at 10:15.")["id"]
    assert newsroom.publish(article_id).status_code == 200
    calls: list[str] = []
    analyse, rank = search_index.analyze_paragraphs, suggestions.Suggester.suggest

    def counted_analyse(*args: Any, **kwargs: Any) -> Any:
        calls.append("body")
        return analyse(*args, **kwargs)

    def counted_rank(*args: Any, **kwargs: Any) -> Any:
        calls.append("suggest")
        return rank(*args, **kwargs)

    monkeypatch.setattr(search_index, "analyze_paragraphs", counted_analyse)
    monkeypatch.setattr(suggestions.Suggester, "suggest", counted_rank)
    # Numbers are no terms a suggestion ranks by: its inputs stay the same.
    assert newsroom.patch(article_id, {"dek": "Updated at 10:16."}).status_code == 200
    assert calls == []
    assert newsroom.patch(article_id, {"headline": "Harbour storm"}).status_code == 200
    assert calls == ["suggest"]
    found = newsroom.client.get("/v1/search", params={"q": "harbour", "type": "article"})
    found = found.json()["items"]
    assert [hit["id"] for hit in found] == [article_id]
    body = [{"type": "paragraph", "text": "Ferries sail again."}]
    assert newsroom.patch(article_id, {"body": body}).status_code == 200
    assert calls.count("body") == 1
    found = newsroom.client.get("/v1/search", params={"q": "ferries", "type": "article"})
    found = found.json()["items"]
    assert [hit["id"] for hit in found] == [article_id]
