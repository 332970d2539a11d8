"""Every image carries renditions at the configured widths, addressed through the
configured resizer (signed as imgproxy or Thumbor check), or the original alone;
in the JSON, ninjs, JSON-LD and Media RSS alike. Renderings made with other
image settings are found by their ETag and rendered again."""

from collections.abc import Iterator
from typing import Any

import feedparser
import pytest
from factories import article, bundle, service, video
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from app import cli
from app.config import Settings, get_settings
from app.db import make_sessionmaker
from app.imports.bundle import load_bundle
from app.kit.images import Resizer
from app.readmodel.articles import stale_ids
from formats.conftest import IMGPROXY_KEY, IMGPROXY_SALT, Resized

LEAD = "https://media.example/lead.jpg"
INLINE = "https://media.example/inline.jpg"


def test_imgproxy_signatures_match_imgproxys_own_example() -> None:
    # docs.imgproxy.net, "Signing a URL": key "secret", salt "hello".
    path = "/rs:fill:300:400:0/g:sm/aHR0cDovL2V4YW1w/bGUuY29tL2ltYWdl/cy9jdXJpb3NpdHku/anBn.png"
    template = (
        "http://imgproxy.example.com/{signature}/rs:fill:{width}:{height}:0/g:sm/{url_b64}.png"
    )
    resizer = Resizer(template, (300,), key=IMGPROXY_KEY, salt=IMGPROXY_SALT)
    assert resizer.sign(path) == "oKfUtW34Dvo2BGQehJFR4Nr0_rIjOtdtzJ3QFsUcXH8"
    address = resizer.address("http://example.com/images/curiosity.jpg", 300, 400)
    signed = "/rs:fill:300:400:0/g:sm/aHR0cDovL2V4YW1wbGUuY29tL2ltYWdlcy9jdXJpb3NpdHkuanBn.png"
    assert address == f"http://imgproxy.example.com/{resizer.sign(signed)}{signed}"


def test_unsigned_and_thumbor_addresses() -> None:
    unsigned = Resizer("https://img.example/{signature}/rs:fit:{width}:0/plain/{url}", (320,))
    assert unsigned.address("https://a.example/b c.jpg", 320, None) == (
        "https://img.example/insecure/rs:fit:320:0/plain/https://a.example/b%20c.jpg"
    )
    thumbor = Resizer(
        "https://thumbor.example/{signature}/{width}x{height}/{url}",
        (320,),
        key="secret-key",
        signature="thumbor",
    )
    address = thumbor.address("media.example/a.jpg", 320, 180)
    signature = address.split("/")[3]
    assert len(signature) == 28 and signature.endswith("=")
    assert address.endswith("/320x180/media.example/a.jpg")
    other = Resizer(thumbor.template, (320,), key="another-key", signature="thumbor")
    assert other.address("media.example/a.jpg", 320, 180) != address


def test_widths_never_enlarge_and_heights_keep_the_ratio() -> None:
    resizer = Resizer("https://img.example/{width}/{url_b64}", (320, 640, 1280))
    assert resizer.renditions(LEAD, 1000, 500) == [
        {
            "url": "https://img.example/320/aHR0cHM6Ly9tZWRpYS5leGFtcGxlL2xlYWQuanBn",
            "width": 320,
            "height": 160,
        },
        {
            "url": "https://img.example/640/aHR0cHM6Ly9tZWRpYS5leGFtcGxlL2xlYWQuanBn",
            "width": 640,
            "height": 320,
        },
    ]
    # Narrower than every width: the original alone. Of unknown size: every width.
    assert resizer.renditions(LEAD, 200, 100) == [{"url": LEAD, "width": 200, "height": 100}]
    assert [r["width"] for r in resizer.renditions(LEAD, None, None)] == [320, 640, 1280]
    assert Resizer().renditions(LEAD, 1000, 500) == [{"url": LEAD, "width": 1000, "height": 500}]


def test_the_settings_read_widths_and_refuse_bad_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTHEAD_IMAGE_WIDTHS", "960, 320,640")
    monkeypatch.setenv("MASTHEAD_IMAGE_RESIZER_URL", "https://img.example/{width}/{url}")
    settings = Settings()
    assert settings.image_widths == (320, 640, 960)
    assert settings.resizer().template == "https://img.example/{width}/{url}"
    for bad in ("https://img.example/{width}/{src}", "https://img.example/{url}", "{url"):
        with pytest.raises(ValidationError):
            Settings(image_resizer_url=bad)
    with pytest.raises(ValidationError):
        Settings(image_resizer_url="https://img.example/{width}/{url}", image_resizer_key="k")
    with pytest.raises(ValidationError):
        Settings(image_widths="0,320")


def _content() -> dict[str, Any]:
    return bundle(
        services=[service("en")],
        videos=[video("en", "Harbour", uri="urn:v")],
        articles=[
            article(
                "en",
                "Pictures of the storm",
                uri="urn:pictures",
                lead_image={"url": LEAD, "width": 1200, "height": 800, "caption": "Waves"},
                related_videos=["urn:v"],
            )
            | {
                "body": [
                    {"type": "paragraph", "text": "The storm came at night."},
                    {"type": "image", "url": INLINE, "width": 800, "height": 600},
                ]
            }
        ],
    )


def _load(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        load_bundle(session, _content())


def _widths(image: dict[str, Any]) -> list[int]:
    return [rendition["width"] for rendition in image["renditions"]]


def test_every_image_of_a_representation_has_its_renditions(resized: Resized) -> None:
    _load(resized.sessions)
    client = resized.client
    (teaser,) = client.get("/v1/articles").json()["items"]
    assert _widths(teaser["lead_image"]) == [320, 640, 960]
    detail = client.get(f"/v1/articles/{teaser['id']}").json()
    lead = detail["lead_image"]
    assert lead["renditions"] == teaser["lead_image"]["renditions"]
    assert lead["renditions"][0]["height"] == 213
    resizer = resized.settings.resizer()
    assert lead["renditions"][1]["url"] == resizer.address(LEAD, 640, 427)
    assert lead["renditions"][1]["url"].startswith("https://img.example/")
    assert "/insecure/" not in lead["renditions"][1]["url"]
    inline = next(block for block in detail["body"] if block["type"] == "image")
    assert _widths(inline) == [320, 640]
    (related,) = detail["related_videos"]
    assert _widths(related["thumbnail"]) == [320, 640]
    video_page = client.get(f"/v1/videos/{related['id']}").json()
    assert video_page["thumbnail"]["renditions"] == related["thumbnail"]["renditions"]

    ninjs = client.get(f"/v1/articles/{teaser['id']}", params={"format": "ninjs"}).json()
    feature = next(a for a in ninjs["associations"] if a["name"] == "featureimage")
    assert [(r["name"], r["href"]) for r in feature["renditions"]] == [
        (f"w{r['width']}", r["url"]) for r in lead["renditions"]
    ]
    jsonld = client.get(f"/v1/articles/{teaser['id']}", params={"format": "jsonld"}).json()
    assert [(i["url"], i["width"]) for i in jsonld["image"]] == [
        (r["url"], r["width"]) for r in reversed(lead["renditions"])
    ]
    assert [i["width"] for i in jsonld["associatedMedia"]] == [640]

    rss = client.get("/v1/feeds/en/rss.xml")
    assert rss.text.count('medium="image"') == 3
    parsed = feedparser.parse(rss.content)
    assert parsed.bozo == 0
    (entry,) = parsed.entries
    contents = [c for c in entry.media_content if c.get("medium") == "image"]
    assert [(c["url"], int(c["width"])) for c in contents] == [
        (r["url"], r["width"]) for r in reversed(lead["renditions"])
    ]
    assert entry.media_thumbnail[0]["url"] == lead["renditions"][0]["url"]


def test_without_a_resizer_the_original_is_the_only_rendition(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    _load(sessions)
    (teaser,) = client.get("/v1/articles").json()["items"]
    assert teaser["lead_image"]["renditions"] == [{"url": LEAD, "width": 1200, "height": 800}]
    rss = client.get("/v1/feeds/en/rss.xml").text
    assert rss.count('medium="image"') == 1 and f'<media:content url="{LEAD}"' in rss


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    monkeypatch.setenv("MASTHEAD_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_change_of_image_settings_renders_again_and_changes_etags(
    client: TestClient,
    sessions: sessionmaker[Session],
    resized: Resized,
    environment: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _load(sessions)
    (teaser,) = client.get("/v1/articles").json()["items"]
    path = f"/v1/articles/{teaser['id']}"
    before = client.get(path)
    with resized.sessions() as session:
        stale_videos, stale_articles = stale_ids(session)
    assert stale_articles == [teaser["id"]] and len(stale_videos) == 1
    with sessions() as session:
        assert stale_ids(session) == ([], [])

    for name, value in {
        "MASTHEAD_IMAGE_RESIZER_URL": resized.settings.image_resizer_url,
        "MASTHEAD_IMAGE_WIDTHS": "320,640,960",
        "MASTHEAD_IMAGE_RESIZER_KEY": IMGPROXY_KEY,
        "MASTHEAD_IMAGE_RESIZER_SALT": IMGPROXY_SALT,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    assert cli._render(stale_only=True) == (1, 1)
    assert cli._render(stale_only=True) == (0, 0)

    after = resized.client.get(path)
    assert after.headers["etag"] != before.headers["etag"]
    assert _widths(after.json()["lead_image"]) == [320, 640, 960]
    stale = client.get(path, headers={"If-None-Match": before.headers["etag"]})
    assert stale.status_code == 200
    with make_sessionmaker(sessions.kw["bind"], resized.settings.resizer())() as session:
        assert stale_ids(session) == ([], [])


def test_without_a_template_the_other_settings_change_no_rendering() -> None:
    assert Resizer().fingerprint() == Settings().resizer().fingerprint()
    assert Resizer(widths=(1, 2), key="k").fingerprint() == Resizer().fingerprint()
    with_template = Resizer("https://img.example/{width}/{url}", (320,))
    assert with_template.fingerprint() != Resizer().fingerprint()
    assert with_template.fingerprint() != Resizer(with_template.template, (640,)).fingerprint()
