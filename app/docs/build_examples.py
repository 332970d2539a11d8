"""Record the spec's examples from the demo: ``uv run python -m app.docs.build_examples``.

It loads the demo content into a throwaway SQLite database, asks the app for
each example over HTTP (in process, through FastAPI's TestClient, so it needs
the dev dependencies) and writes ``app/docs/examples.json``. A test records
them again and compares, so the examples stay what the demo serves.
"""

import copy
import json
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import migrate
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.demo.loader import demo_bundles, load_demo
from app.docs.examples import EXAMPLES_FILE
from app.imports.bundle import load_bundle
from app.main import create_app

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

# An id and a slug that no demo content has.
MISSING_ID = 999999
MISSING_SLUG = "no-such-story"
# Nothing in the demo is withheld anywhere: the withheld examples are recorded
# after the seed story is imported again, withheld in this country.
WITHHELD_IN = "RU"


@dataclass(frozen=True, slots=True)
class Example:
    """One recorded answer: ``path`` names the demo's ids as {article}, {video}..."""

    name: str
    operation: str
    status: int
    summary: str
    path: str
    country: str | None = None
    token: str | None = None


EXAMPLES = (
    Example("SeedArticle", "get_article", 200, "The demo's seed story", "/v1/articles/{article}"),
    Example(
        "SeedArticleFromRussia",
        "get_article",
        200,
        "The seed story read from Russia: the legal notice for Russia comes with it",
        "/v1/articles/{article}",
        country="RU",
    ),
    Example(
        "UnknownToken",
        "get_article",
        401,
        "A token that is unknown or revoked",
        "/v1/articles/{article}",
        token="not-a-token",
    ),
    Example(
        "UnknownField",
        "get_article",
        400,
        "A field that articles do not have",
        "/v1/articles/{article}?fields=headline,nope",
    ),
    Example(
        "ArticleNotFound", "get_article", 404, "No published article", f"/v1/articles/{MISSING_ID}"
    ),
    Example("ArticleIdOutOfRange", "get_article", 422, "An id below 1", "/v1/articles/0"),
    Example(
        "SeedArticle",
        "get_article_by_slug",
        200,
        "The demo's seed story",
        "/v1/services/{service}/articles/{slug}",
    ),
    Example(
        "ArticleSlugNotFound",
        "get_article_by_slug",
        404,
        "No article has this slug in the service",
        f"/v1/services/{{service}}/articles/{MISSING_SLUG}",
    ),
    Example(
        "SeedServiceTeasers",
        "list_articles",
        200,
        "The seed story's service, two teasers a page",
        "/v1/articles?service={service}&limit=2",
    ),
    Example(
        "InvalidCursor",
        "list_articles",
        400,
        "A cursor this list did not make",
        "/v1/articles?cursor=0",
    ),
    Example(
        "UnknownService",
        "list_articles",
        404,
        "A service that does not exist",
        "/v1/articles?service=xx",
    ),
    Example("LimitOutOfRange", "list_articles", 422, "A page size below 1", "/v1/articles?limit=0"),
    Example(
        "SeedSummary",
        "get_article_summary",
        200,
        "The seed story's key points, written by its editors",
        "/v1/articles/{article}/summary",
    ),
    Example(
        "SeedRelatedVideos",
        "list_related_videos",
        200,
        "The seed story's curated video",
        "/v1/articles/{article}/related-videos",
    ),
    Example(
        "SeedRelatedVideosFromRussia",
        "list_related_videos",
        200,
        "The same video read from Russia, where it is geo-blocked",
        "/v1/articles/{article}/related-videos",
        country="RU",
    ),
    Example("SeedVideo", "get_video", 200, "The seed story's video", "/v1/videos/{video}"),
    Example("VideoNotFound", "get_video", 404, "No video has this id", f"/v1/videos/{MISSING_ID}"),
    Example(
        "SeedServiceVideos",
        "list_videos",
        200,
        "The videos of the seed story's service",
        "/v1/videos?service={service}",
    ),
    Example(
        "SeedService", "get_service", 200, "The seed story's service", "/v1/services/{service}"
    ),
    Example(
        "ServiceNotFound", "get_service", 404, "A service that does not exist", "/v1/services/xx"
    ),
    Example("Services", "list_services", 200, "The demo's language services", "/v1/services"),
    Example(
        "SeedSection",
        "get_section",
        200,
        "The seed story's section",
        "/v1/sections/{section}?service={service}",
    ),
    Example(
        "SeedTag", "get_tag", 200, "The seed story's first tag", "/v1/tags/{tag}?service={service}"
    ),
    Example("SeedAuthor", "get_author", 200, "The seed story's byline", "/v1/authors/{author}"),
)

WITHHELD_EXAMPLES = (
    Example(
        "SeedArticleWithheld",
        "get_article",
        451,
        "Read from Russia, once the story is withheld there",
        "/v1/articles/{article}",
        country=WITHHELD_IN,
    ),
    Example(
        "SeedArticleBySlugWithheld",
        "get_article_by_slug",
        451,
        "Read from Russia, once the story is withheld there",
        "/v1/services/{service}/articles/{slug}",
        country=WITHHELD_IN,
    ),
    Example(
        "SeedSummaryWithheld",
        "get_article_summary",
        451,
        "Read from Russia, once the story is withheld there",
        "/v1/articles/{article}/summary",
        country=WITHHELD_IN,
    ),
    Example(
        "SeedRelatedVideosWithheld",
        "list_related_videos",
        451,
        "Read from Russia, once the story is withheld there",
        "/v1/articles/{article}/related-videos",
        country=WITHHELD_IN,
    ),
)


class Recorder:
    """Asks the app for examples and files them by name and by response."""

    def __init__(self, client: "TestClient", country_header: str, ids: dict[str, Any]) -> None:
        self.client = client
        self.country_header = country_header
        self.ids = ids
        self.examples: dict[str, dict[str, Any]] = {}
        self.responses: dict[str, dict[str, dict[str, list[str]]]] = {}

    def record(self, example: Example) -> None:
        path = example.path.format(**self.ids)
        headers = {}
        description = f"`GET {path}`"
        if example.country is not None:
            headers[self.country_header] = example.country
            description += f" with `{self.country_header}: {example.country}`"
        if example.token is not None:
            headers["Authorization"] = f"Bearer {example.token}"
            description += " with `Authorization: Bearer …`"
        response = self.client.get(path, headers=headers)
        if response.status_code != example.status:
            raise RuntimeError(
                f"{example.name}: {path} answered {response.status_code}, not {example.status}"
            )
        entry = {"summary": example.summary, "description": description, "value": response.json()}
        known = self.examples.setdefault(example.name, entry)
        if known["value"] != entry["value"]:
            raise RuntimeError(f"{example.name} names two different answers")
        media_type = response.headers["content-type"].split(";")[0].strip()
        statuses = self.responses.setdefault(example.operation, {})
        statuses.setdefault(str(example.status), {}).setdefault(media_type, []).append(example.name)


def build_examples() -> dict[str, Any]:
    """Every example, recorded from a fresh demo database."""
    from fastapi.testclient import TestClient

    bundles = dict(demo_bundles())
    seed = bundles["seed.json"]["articles"][0]
    with tempfile.TemporaryDirectory(prefix="masthead-examples-") as folder:
        url = f"sqlite:///{folder}/masthead.db"
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            sessions = make_sessionmaker(engine)
            with sessions.begin() as session:
                load_demo(session)
            settings = Settings(database_url=url)
            with TestClient(create_app(settings)) as client:
                article = client.get(f"/v1/services/{seed['service']}/articles/{seed['slug']}")
                related = client.get(f"/v1/articles/{article.json()['id']}/related-videos")
                ids = {
                    "article": article.json()["id"],
                    "service": seed["service"],
                    "slug": seed["slug"],
                    "video": related.json()["items"][0]["id"],
                    "section": seed["section"],
                    "tag": seed["tags"][0],
                    "author": seed["authors"][0],
                }
                recorder = Recorder(client, settings.country_header, ids)
                for example in EXAMPLES:
                    recorder.record(example)
                withheld = copy.deepcopy(bundles["seed.json"])
                withheld["articles"][0]["withheld_in"] = [WITHHELD_IN]
                with sessions.begin() as session:
                    load_bundle(session, withheld)
                for example in WITHHELD_EXAMPLES:
                    recorder.record(example)
        finally:
            engine.dispose()
    return {"examples": recorder.examples, "responses": recorder.responses}


def main() -> None:
    target = Path(str(resources.files("app.docs") / EXAMPLES_FILE))
    examples = build_examples()
    target.write_text(json.dumps(examples, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(examples['examples'])} examples to {target}")


if __name__ == "__main__":
    main()
