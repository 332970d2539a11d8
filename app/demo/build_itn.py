"""Build the demo bundle ``app/demo/data/itn.json`` from the ITN corpus, and check bundles.

Rebuild::

    uv run python -m app.demo.build_itn ../shared/data/itn-corpus/itn-corpus.jsonl

Check the shipped bundles (also done after every build)::

    uv run python -m app.demo.build_itn --check app/demo/data/seed.json app/demo/data/itn.json

The corpus is Wikipedia "In the news" blurbs (CC BY-SA 3.0; see ``data/ATTRIBUTION.md``).
Each chosen record becomes one article, its blurb kept verbatim as the body. The output is
deterministic: the same corpus file always gives the same bytes.

How records are chosen:

- Only the languages of the demo services (``SERVICES``) are used.
- A record's ``event_id`` is the Wikidata item of the blurb's bold link, not of the story:
  one story can sit under several items (Jacinda Ardern and Chris Hipkins), and one item
  can hold several stories (Xi Jinping's third term as party leader in October 2022, and
  as state president in March 2023). Items whose blurbs are mostly word for word the same
  are merged (``merge_events``); a blurb that rounds up several stories stands alone; and
  an item's records are split into stories wherever more than ``STORY_GAP`` passes
  between two sightings.
- A ``published`` value shared by many records is a crawler placeholder, not a time (all
  Persian records carry 2021-04-20T23:34:35Z). Such records cannot be placed in time; they
  join their story when the item has only one, and otherwise stay on their own. The value
  is still written out as the article's time: it is the record's, and nothing better is
  known.
- One record per story and service: preferably one whose blurb has no "(pictured)" note
  (the demo ships no main-page picture), then the newest wording. A service never gets
  the same, or nearly the same, blurb twice.
- Every story told in two or more services is taken, with ``translation_of`` set to
  ``itn:<item>`` (``itn:<item>:<date>`` when the item holds several stories), shared by
  those services. Stories told in only one service then fill up to ``MAX_ITEMS``, always
  for the service with the fewest items so far, newest first.

What each article carries:

- The blurb as its first paragraph, and as its last a credit line ("Source: Wikipedia,
  “In the news” (CC BY-SA 3.0), via the ITN corpus by shizhao.") linking to the
  Wikipedia article the blurb highlights and to the licence. Readers see it; the key
  points never take it, as they never take a credit line.
- One tag: the Wikidata item of the record, named by the title of its Wikipedia article
  in that language, with a slug made from that name as the app makes slugs of names
  (``made_slug``: transliterated to Latin), ``-2``, ``-3``... when another tag of the
  service has it. Tags have no member for an outside identifier, so the item's id stays
  where the bundle keeps outside identifiers: in the article's ``uri``
  (``urn:masthead:demo:itn:itn-<item>-<language>-<time>``, the corpus record's id).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from app.taxonomy.editorial import made_slug

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_OUT = DATA_DIR / "itn.json"

STORY_GAP = timedelta(days=21)
PLACEHOLDER_MIN_RECORDS = 20
MAX_ITEMS = 440
HEADLINE_MAX = 100
HEADLINE_CUT = 90
CLAUSE_MIN = 40
SAME_BLURB = 0.85  # similarity (difflib ratio) from which two blurbs count as one

# The publisher's own words, as on its pages (with their no-break spaces).
RFERL_DESCRIPTION = (
    "RFE/RL journalists report the news in 27\u00a0languages in 23\u00a0countries where a free "
    "press is banned by the government or not fully established. We provide what many people "
    "cannot get locally: uncensored news, responsible discussion, and open debate."
)


def _service(code: str, name: str, direction: str, timezone: str, site_url: str) -> dict[str, str]:
    return {
        "code": code,
        "name": name,
        "description": RFERL_DESCRIPTION,
        "language": code,
        "direction": direction,
        "timezone": timezone,
        "site_url": site_url,
    }


# The same definitions are in seed.json; ``--check`` fails if the two bundles disagree.
SERVICES: list[dict[str, str]] = [
    _service(
        "en", "Radio Free Europe/Radio Liberty", "ltr", "Europe/Prague", "https://www.rferl.org"
    ),
    _service("ru", "Радио Свобода", "ltr", "Europe/Moscow", "https://www.svoboda.org"),
    _service("uk", "Радіо Свобода", "ltr", "Europe/Kyiv", "https://www.radiosvoboda.org"),
    _service("fa", "رادیو فردا", "rtl", "Asia/Tehran", "https://www.radiofarda.com"),
    _service("ar", "إذاعة العراق الحر", "rtl", "Asia/Baghdad", "https://www.iraqhurr.org"),
]
SERVICE_CODES = [s["code"] for s in SERVICES]

WORLD_SECTION = {"en": "World", "ru": "Мир", "uk": "Світ", "fa": "جهان", "ar": "العالم"}

AUTHOR = {
    "slug": "wikipedia-itn",
    "name": "Wikipedia “In the news” contributors",
    "bio": "Editors of the “In the news” section of the Wikipedia main page in each language.",
}

# A credit line, as the last paragraph: links rather than a written-out URL.
ATTRIBUTION = (
    'Source: <a href="{url}">Wikipedia</a>, “In the news” '
    '(<a href="https://creativecommons.org/licenses/by-sa/3.0/">CC BY-SA 3.0</a>), '
    "via the ITN corpus by shizhao."
)
SEED = DATA_DIR / "seed.json"

# Notes that point at the picture on the Wikipedia main page; they mean nothing without it.
_PICTURE_NOTES: dict[str, list[re.Pattern[str]]] = {
    "en": [re.compile(r"\s*\([^()]*\b(?:pictured|shown)\)")],
    "ru": [re.compile(r";\s*на илл\.[^()]*(?=\))"), re.compile(r"\s*\(на илл\.[^()]*\)")],
    "uk": [
        re.compile(r"\s*\((?:[^()]*[,;]\s*)?(?:на фото|на світлині|на мапі|див\.|діаграма)[^()]*\)")
    ],
    "fa": [re.compile(r"\s*\([^()]*تصویر[^()]*\)")],
    "ar": [re.compile(r"\s*\(في الصورة\)")],
}
# Ukrainian blurbs end with the date (and picture note) in brackets: "(4 квітня)".
_UK_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
# Arabic blurbs start with the date: "20 نوفمبر ...".
_AR_LEADING_DATE = re.compile(
    r"^\d{1,2}\s*(?:يناير|فبراير|مارس|أبريل|إبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|اكتوبر"
    r"|نوفمبر|ديسمبر)\s+"
)
# Russian Wikipedia marks links to other editions: "Берлинском марафоне[en]".
_INTERWIKI_MARK = re.compile(r"\[[a-z]{2,3}(?:-[a-z]+)?\]")
# Where a headline may stop without an ellipsis; a comma usually cuts off the main clause.
_CLAUSE_END = re.compile(r"(?<=[^\W\d_]{3})\.(?=\s)|[;:؛](?=\s)|\s[—–](?=\s)")


@dataclass(frozen=True)
class Record:
    id: str
    language: str
    title: str
    body: str
    published: str
    url: str
    event_id: str

    @property
    def time(self) -> datetime:
        return parse_time(self.published)


@dataclass
class Story:
    key: str
    event_id: str
    records: list[Record]


def parse_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def load_records(path: Path) -> list[Record]:
    records = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            raw = json.loads(line)
            if raw["language"] not in SERVICE_CODES:
                continue
            records.append(
                Record(
                    id=raw["id"],
                    language=raw["language"],
                    title=raw["title"],
                    body=raw["body"],
                    published=raw["published"],
                    url=raw["url"],
                    event_id=raw["event_id"],
                )
            )
    return records


def placeholder_times(path: Path) -> set[str]:
    """``published`` values shared by so many records that they cannot be real sightings."""
    counts: Counter[str] = Counter()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                counts[json.loads(line)["published"]] += 1
    return {t for t, n in counts.items() if n >= PLACEHOLDER_MIN_RECORDS}


def _qid(event_id: str) -> int:
    return int(event_id.lstrip("Q"))


def merge_events(records: Sequence[Record]) -> dict[str, str]:
    """Map each event id to the event id that stands for its story.

    A blurb is filed under the Wikidata item of its bold link, so one story can sit under
    several items (Jacinda Ardern and Chris Hipkins; each Nobel laureate). Two items are one
    story when most of the languages that have both tell them with the very same blurb; a
    blurb listing every Nobel prize, found in one or two languages, does not join the prizes.
    """
    languages: dict[str, set[str]] = defaultdict(set)
    events_of_text: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in records:
        languages[record.event_id].add(record.language)
        events_of_text[(record.language, text_key(record))].add(record.event_id)
    same_text: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (language, _), events in events_of_text.items():
        ordered = sorted(events, key=_qid)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                same_text[(a, b)].add(language)

    parent = {event: event for event in languages}

    def root(event: str) -> str:
        while parent[event] != event:
            event = parent[event]
        return event

    for (a, b), shared in sorted(same_text.items(), key=lambda p: (_qid(p[0][0]), _qid(p[0][1]))):
        if 2 * len(shared) > len(languages[a] & languages[b]):
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb, key=_qid)] = min(ra, rb, key=_qid)
    members: dict[str, list[str]] = defaultdict(list)
    for event in languages:
        members[root(event)].append(event)
    size = Counter(r.event_id for r in records)
    representative = {}
    for group in members.values():
        chosen = min(group, key=lambda e: (-size[e], _qid(e)))
        representative.update({event: chosen for event in group})
    return representative


def split_stories(records: Sequence[Record], placeholders: set[str]) -> list[Story]:
    representative = merge_events(records)
    groups_of_text: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in records:
        groups_of_text[(record.language, text_key(record))].add(representative[record.event_id])
    by_event: dict[str, list[Record]] = defaultdict(list)
    stories: list[Story] = []
    for record in records:
        if len(groups_of_text[(record.language, text_key(record))]) > 1:
            # A round-up of several stories ("the Nobel prizes of 2022") is no one story's
            # translation: it stands alone.
            stories.append(Story(f"itn:{record.id}", record.event_id, [record]))
        else:
            by_event[representative[record.event_id]].append(record)
    for event_id in sorted(by_event, key=_qid):
        event = by_event[event_id]
        dated = sorted(
            (r for r in event if r.published not in placeholders), key=lambda r: (r.time, r.id)
        )
        undated = sorted((r for r in event if r.published in placeholders), key=lambda r: r.id)
        clusters: list[list[Record]] = []
        for record in dated:
            if clusters and record.time - clusters[-1][-1].time <= STORY_GAP:
                clusters[-1].append(record)
            else:
                clusters.append([record])
        if len(clusters) <= 1:
            stories.append(
                Story(f"itn:{event_id}", event_id, (clusters[0] if clusters else []) + undated)
            )
            continue
        for cluster in clusters:
            stories.append(Story(f"itn:{event_id}:{cluster[0].published[:10]}", event_id, cluster))
        if undated:
            stories.append(Story(f"itn:{event_id}:undated", event_id, undated))
    return stories


def has_picture_note(record: Record) -> bool:
    return any(p.search(record.body) for p in _PICTURE_NOTES[record.language])


def pick(records: Sequence[Record]) -> Record:
    """The record without a picture note if there is one, then the newest wording."""
    return max(records, key=lambda r: (not has_picture_note(r), r.published, r.id))


def headline(record: Record) -> str:
    """The blurb's own words, short enough for a headline."""
    text = record.body
    for pattern in _PICTURE_NOTES[record.language]:
        text = pattern.sub("", text)
    if record.language == "uk":
        text = _UK_TRAILING_NOTE.sub("", text)
    if record.language == "ar":
        text = _AR_LEADING_DATE.sub("", text)
    text = _INTERWIKI_MARK.sub("", text)
    text = " ".join(text.split()).rstrip(" .")
    if len(text) <= HEADLINE_MAX:
        return text
    ends = [
        m.start() for m in _CLAUSE_END.finditer(text) if CLAUSE_MIN <= m.start() <= HEADLINE_MAX
    ]
    if ends:
        return text[: ends[-1]].rstrip()
    cut = text[: HEADLINE_CUT + 1].rsplit(" ", 1)[0].rstrip(" ,;:،؛—–")
    return cut + "…"


def text_key(record: Record) -> str:
    """The blurb without picture notes, spacing or case, to spot the same blurb twice."""
    text = record.body
    for pattern in _PICTURE_NOTES[record.language]:
        text = pattern.sub("", text)
    return " ".join(_INTERWIKI_MARK.sub("", text).split()).rstrip(" .").casefold()


def choose(stories: list[Story]) -> list[tuple[Story, Record]]:
    # One blurb can sit under several events (a blurb naming every Nobel laureate is stored
    # under each laureate's item, and a reworded copy under another), so a service never
    # gets the same or nearly the same blurb twice: stories told in more services choose first.
    ordered = sorted(
        stories,
        key=lambda s: (-len({r.language for r in s.records}), _qid(s.event_id), s.key),
    )
    taken: dict[str, list[str]] = defaultdict(list)  # service -> text keys already used
    headlines: set[tuple[str, str]] = set()

    def is_new(record: Record) -> bool:
        key = text_key(record)
        return (record.language, headline(record)) not in headlines and not any(
            SequenceMatcher(None, key, other).ratio() >= SAME_BLURB
            for other in taken[record.language]
        )

    picked: list[list[tuple[Story, Record]]] = []
    for story in ordered:
        by_service: dict[str, list[Record]] = defaultdict(list)
        for record in story.records:
            if is_new(record):
                by_service[record.language].append(record)
        picks = [(story, pick(by_service[code])) for code in SERVICE_CODES if code in by_service]
        for _, record in picks:
            taken[record.language].append(text_key(record))
            headlines.add((record.language, headline(record)))
        if picks:
            picked.append(picks)

    chosen = [sr for picks in picked if len(picks) > 1 for sr in picks]
    singles: dict[str, list[tuple[Story, Record]]] = defaultdict(list)
    for picks in picked:
        if len(picks) == 1:
            singles[picks[0][1].language].append(picks[0])
    count = Counter(r.language for _, r in chosen)
    for code in singles:
        singles[code].sort(key=lambda sr: (sr[1].published, sr[1].id), reverse=True)
    while len(chosen) < MAX_ITEMS:
        waiting = [c for c in SERVICE_CODES if singles[c]]
        if not waiting:
            break
        code = min(waiting, key=lambda c: (count[c], SERVICE_CODES.index(c)))
        chosen.append(singles[code].pop(0))
        count[code] += 1
    return chosen


def tag_slugs(
    names: dict[tuple[str, str], str], taken: dict[tuple[str, str], str]
) -> dict[tuple[str, str], str]:
    """A slug per (service, Wikidata item) made from the tag's name, unique in the service.

    ``taken`` holds the (service, slug) of the tags defined elsewhere (``seed.json``) with
    their names: a tag of the same name is that tag, any other gets the next free slug.
    """
    shared: dict[tuple[str, str], str | None] = dict(taken)
    slugs = {}
    for key in sorted(names, key=lambda key: (SERVICE_CODES.index(key[0]), _qid(key[1]))):
        service, name = key[0], names[key]
        base = made_slug(name)
        slug, n = base, 1
        while (service, slug) in shared and shared[(service, slug)] != name:
            n += 1
            slug = f"{base}-{n}"
        shared[(service, slug)] = None  # no other item may have it
        slugs[key] = slug
    return slugs


def seed_tags() -> dict[tuple[str, str], str]:
    bundle = json.loads(SEED.read_text(encoding="utf-8"))
    return {(tag["service"], tag["slug"]): tag["name"] for tag in bundle.get("tags", [])}


def build(corpus: Path) -> dict[str, Any]:
    records = load_records(corpus)
    chosen = choose(split_stories(records, placeholder_times(corpus)))
    services_of_story: dict[str, set[str]] = defaultdict(set)
    for story, record in chosen:
        services_of_story[story.key].add(record.language)

    # (service, Wikidata item) -> (published, name): the newest title names the tag.
    tags: dict[tuple[str, str], tuple[str, str]] = {}
    articles = []
    tagged: list[tuple[dict[str, Any], tuple[str, str]]] = []
    for story, record in sorted(chosen, key=lambda sr: (sr[1].published, sr[1].id)):
        tag = (record.language, record.event_id)
        if tag not in tags or tags[tag][0] <= record.published:
            tags[tag] = (record.published, record.title)
        article: dict[str, Any] = {
            "uri": f"urn:masthead:demo:itn:{record.id}",
            "service": record.language,
            "headline": headline(record),
            "body": [
                {"type": "paragraph", "text": record.body},
                {"type": "paragraph", "text": ATTRIBUTION.format(url=html.escape(record.url))},
            ],
            "section": "world",
            "tags": [],
            "authors": [AUTHOR["slug"]],
            "first_published_at": record.published,
            "published_at": record.published,
            "updated_at": record.published,
        }
        if len(services_of_story[story.key]) > 1:
            article["translation_of"] = story.key
        articles.append(article)
        tagged.append((article, tag))
    slugs = tag_slugs({key: name for key, (_, name) in tags.items()}, seed_tags())
    for article, tag in tagged:
        article["tags"] = [slugs[tag]]

    services = [s for s in SERVICES if any(a["service"] == s["code"] for a in articles)]
    return {
        "services": services,
        "sections": [
            {"service": s["code"], "slug": "world", "name": WORLD_SECTION[s["code"]]}
            for s in services
        ],
        "tags": [
            {"service": service, "slug": slug, "name": tags[(service, item)][1]}
            for (service, item), slug in sorted(
                slugs.items(), key=lambda pair: (SERVICE_CODES.index(pair[0][0]), pair[1])
            )
        ],
        "authors": [AUTHOR],
        "articles": articles,
    }


def dumps(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, ensure_ascii=False, indent=1) + "\n"


# --------------------------------------------------------------------------- checks

_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$")
_TIME_FIELDS = {
    "first_published_at",
    "published_at",
    "updated_at",
    "breaking_until",
    "available_from",
    "available_until",
    "active_from",
    "active_until",
    "at",
}
_BLOCK_FIELDS = {
    "paragraph": ({"text"}, set()),
    "heading": ({"text", "level"}, set()),
    "quote": ({"text"}, {"attribution"}),
    "list": ({"style", "items"}, set()),
    "image": ({"url"}, {"caption", "credit", "alt", "width", "height"}),
    "video": ({"video_uri"}, set()),
    "embed": ({"url"}, {"provider"}),
}


def _times(node: Any, path: str) -> Iterable[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _TIME_FIELDS:
                yield f"{path}.{key}", value
            yield from _times(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _times(value, f"{path}[{i}]")


def check_bundle(bundle: dict[str, Any]) -> list[str]:
    """Problems in one bundle: times, references, duplicates, block shapes."""
    errors: list[str] = []
    for where, value in _times(bundle, "$"):
        if value is not None and not (isinstance(value, str) and _TIME.match(value)):
            errors.append(f"{where}: not an RFC 3339 UTC time with Z: {value!r}")

    def unique(kind: str, keys: Iterable[Any]) -> set[Any]:
        seen: set[Any] = set()
        for key in keys:
            if key in seen:
                errors.append(f"duplicate {kind}: {key}")
            seen.add(key)
        return seen

    services = unique("service", (s["code"] for s in bundle.get("services", [])))
    for s in bundle.get("services", []):
        if s.get("direction") not in ("ltr", "rtl"):
            errors.append(f"service {s['code']}: direction {s.get('direction')!r}")
    sections = unique("section", ((s["service"], s["slug"]) for s in bundle.get("sections", [])))
    tags = unique("tag", ((t["service"], t["slug"]) for t in bundle.get("tags", [])))
    authors = unique("author", (a["slug"] for a in bundle.get("authors", [])))
    videos = unique("video uri", (v["uri"] for v in bundle.get("videos", [])))
    unique("article uri", (a["uri"] for a in bundle.get("articles", [])))
    unique("notice", (n["key"] for n in bundle.get("notices", [])))
    for section in bundle.get("sections", []):
        if section["service"] not in services:
            errors.append(f"section {section['slug']}: unknown service {section['service']}")
    for tag in bundle.get("tags", []):
        if tag["service"] not in services:
            errors.append(f"tag {tag['slug']}: unknown service {tag['service']}")

    def refs(kind: str, uri: str, item: dict[str, Any]) -> None:
        service = item["service"]
        if service not in services:
            errors.append(f"{kind} {uri}: unknown service {service}")
        if item.get("section") is not None and (service, item["section"]) not in sections:
            errors.append(f"{kind} {uri}: unknown section {item['section']}")
        for slug in item.get("tags", []):
            if (service, slug) not in tags:
                errors.append(f"{kind} {uri}: unknown tag {slug}")

    for video in bundle.get("videos", []):
        refs("video", video["uri"], video)
        if not isinstance(video.get("duration"), int):
            errors.append(f"video {video['uri']}: duration is not whole seconds")
    slugs: set[tuple[str, str]] = set()
    for article in bundle.get("articles", []):
        uri = article["uri"]
        refs("article", uri, article)
        for slug in article.get("authors", []):
            if slug not in authors:
                errors.append(f"article {uri}: unknown author {slug}")
        for video_uri in article.get("related_videos", []):
            if video_uri not in videos:
                errors.append(f"article {uri}: unknown related video {video_uri}")
        if "slug" in article:
            if (article["service"], article["slug"]) in slugs:
                errors.append(f"article {uri}: duplicate slug {article['slug']}")
            slugs.add((article["service"], article["slug"]))
        urgency = article.get("urgency")
        if urgency is not None and not (isinstance(urgency, int) and 1 <= urgency <= 9):
            errors.append(f"article {uri}: urgency {urgency!r}")
        summary = article.get("summary")
        if summary is not None and not (1 <= len(summary) <= 7):
            errors.append(f"article {uri}: summary must have 1-7 bullets")
        if not article.get("headline"):
            errors.append(f"article {uri}: no headline")
        for i, block in enumerate(article.get("body", [])):
            shape = _BLOCK_FIELDS.get(block.get("type"))
            if shape is None:
                errors.append(f"article {uri}: block {i} has unknown type {block.get('type')!r}")
                continue
            required, optional = shape
            fields = set(block) - {"type"}
            if not required <= fields or fields - required - optional:
                errors.append(f"article {uri}: block {i} ({block['type']}) has fields {fields}")
            if block["type"] == "video" and block["video_uri"] not in videos:
                errors.append(f"article {uri}: block {i} refers to unknown video")
    group_services: dict[str, list[str]] = defaultdict(list)
    for article in bundle.get("articles", []):
        if article.get("translation_of") is not None:
            group_services[article["translation_of"]].append(article["service"])
    for group, codes in group_services.items():
        if len(codes) != len(set(codes)):
            errors.append(f"translation group {group}: two articles in one service {codes}")
    for notice in bundle.get("notices", []):
        for code in notice.get("services", []):
            if code not in services:
                errors.append(f"notice {notice['key']}: unknown service {code}")
    return errors


def check_files(paths: Sequence[Path]) -> list[str]:
    errors: list[str] = []
    service_defs: dict[str, tuple[Path, dict[str, Any]]] = {}
    uris: dict[str, Path] = {}
    for path in paths:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
            bundle = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            errors.append(f"{path}: {exc}")
            continue
        if text != dumps(bundle):
            errors.append(f"{path}: not written with ensure_ascii=False, indent=1")
        errors.extend(f"{path}: {e}" for e in check_bundle(bundle))
        for service in bundle.get("services", []):
            seen = service_defs.setdefault(service["code"], (path, service))
            if seen[1] != service:
                errors.append(f"{path}: service {service['code']} differs from {seen[0]}")
        for kind in ("articles", "videos"):
            for item in bundle.get(kind, []):
                if uris.setdefault(item["uri"], path) != path:
                    errors.append(f"{path}: uri {item['uri']} also in {uris[item['uri']]}")
    return errors


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpus", nargs="?", type=Path, help="itn-corpus.jsonl")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--check", nargs="+", type=Path, metavar="BUNDLE", help="only check these bundle files"
    )
    args = parser.parse_args(argv)
    if args.check:
        errors = check_files(args.check)
    elif args.corpus:
        bundle = build(args.corpus)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(dumps(bundle), encoding="utf-8")
        per_service = Counter(a["service"] for a in bundle["articles"])
        groups = {a["translation_of"] for a in bundle["articles"] if "translation_of" in a}
        print(
            f"wrote {args.out}: {len(bundle['articles'])} articles {dict(per_service)}, "
            f"{len(groups)} translation groups"
        )
        errors = check_files([args.out])
    else:
        parser.error("give the corpus file, or --check BUNDLE...")
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
