"""An import renders and indexes its articles in batches; what it stores is what
the editorial write path stores when it renders the same articles one by one."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from factories import article, bundle, service, term, video
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Article, ArticleRelatedVideo, ArticleRender, SearchDocument
from app.readmodel.articles import render_articles

TEXTS = {
    "en": [
        "Lawmakers met on Monday to debate the spending plan for schools and hospitals.",
        "The finance minister said the deficit would narrow; critics called it wishful.",
        "Zelenskyy's office said talks with Kyiv's partners would resume on Friday.",
    ],
    "ru": [
        "Депутаты в понедельник обсуждали бюджет на следующий год. Заседание затянулось.",
        "Министр финансов заявил, что дефицит сократится. Критики с ним не согласились.",
        "Офис Зеленского сообщил, что переговоры возобновятся в пятницу.",
    ],
    "uk": [
        "Депутати в понеділок обговорювали бюджет на наступний рік. Засідання затяглося.",
        "Міністр фінансів заявив, що дефіцит скоротиться. Критики з ним не погодились.",
        "Офіс Зеленського повідомив, що переговори відновляться в п'ятницю.",
    ],
}
TAGS = ["budget", "parliament", "war", "economy"]


def _content() -> dict[str, Any]:
    start = datetime(2025, 9, 1, tzinfo=UTC)
    services = [service(code) for code in TEXTS]
    sections = [term(code, "politics") for code in TEXTS]
    tags = [term(code, slug) for code in TEXTS for slug in TAGS]
    videos = [
        video(
            code,
            f"{TEXTS[code][n % 3].split('.')[0]} ({n})",
            uri=f"urn:test:video:{code}:{n}",
            published_at=(start + timedelta(hours=7 * n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            section="politics" if n % 2 else None,
            tags=[TAGS[n % 4], TAGS[(n + 1) % 4]][: 1 + n % 2],
        )
        for code in TEXTS
        for n in range(9)
    ]
    articles = []
    for n in range(12):
        for code, paragraphs in TEXTS.items():
            extra: dict[str, Any] = {}
            if n % 3 == 0:
                extra["summary"] = [paragraphs[1]]
            if n % 4 == 1:
                extra["related_videos"] = [f"urn:test:video:{code}:{(n + 2) % 9}"]
            articles.append(
                article(
                    code,
                    f"{paragraphs[n % 3].split('.')[0]} ({n})",
                    uri=f"urn:test:article:{code}:{n}",
                    published=start + timedelta(hours=5 * n),
                    paragraphs=paragraphs[n % 3 :] + paragraphs[: n % 3],
                    section="politics" if n % 2 == 0 else None,
                    tags=[TAGS[n % 4], TAGS[(n + 2) % 4]][: 1 + n % 2],
                    # Every story in the three languages: each rendering lists the others.
                    translation_of=f"story-{n}" if n % 5 else None,
                    **extra,
                )
            )
    return bundle(services=services, sections=sections, tags=tags, videos=videos, articles=articles)


def _stored(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            "renders": [
                tuple(row)
                for row in connection.execute(
                    select(ArticleRender.__table__).order_by(ArticleRender.article_id)
                )
            ],
            "related": [
                tuple(row)
                for row in connection.execute(
                    select(ArticleRelatedVideo.__table__).order_by(
                        ArticleRelatedVideo.article_id, ArticleRelatedVideo.position
                    )
                )
            ],
            "search": [
                tuple(row)
                for row in connection.execute(
                    select(SearchDocument.__table__).order_by(SearchDocument.doc_id)
                )
            ],
        }


def test_a_batch_import_stores_what_rendering_each_article_alone_stores(
    store: Callable[[dict[str, Any]], dict[str, int]],
    sessions: sessionmaker[Session],
    engine: Engine,
) -> None:
    counts = store(_content())
    assert counts["created"] > 36
    imported = _stored(engine)
    assert len(imported["renders"]) == 36
    assert len(imported["search"]) == 36 + 27
    assert imported["related"]
    with sessions() as session:
        translations = list(session.scalars(select(ArticleRender.translations)))
    assert sum(1 for listed in translations if listed != "[]") > 12

    with sessions.begin() as session:
        ids = list(session.scalars(select(Article.id).order_by(Article.id)))
        for article_id in reversed(ids):
            # As an editorial save renders: one article, its translations cascading.
            render_articles(session, [article_id])
    assert _stored(engine) == imported
