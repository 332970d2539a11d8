"""/docs in headless Chromium: Swagger UI renders the committed spec and runs a request.

The server is the real one (``masthead serve --demo``: uvicorn, a migrated
SQLite database, the demo content) on a free port of 127.0.0.1.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

from app.cli import OPENAPI_PATH

SEED_HEADLINE = "Zelenskyy Challenges Putin To 'Come To Kyiv' As Peace Talks Continue To Stall"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)
# Seconds: for Swagger UI to render or answer, and for the server to migrate and
# load the demo (a few seconds on an idle machine).
WAIT = 20
SERVER_START = 60
SERVE = (sys.executable, "-m", "app.cli", "serve", "--demo")


def browser_binaries() -> tuple[str, str]:
    """Chromium and ChromeDriver, or a skip (a failure on CI) naming what is missing."""
    found = {name: shutil.which(name) for name in ("chromium", "chromedriver")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        reason = (
            f"{' and '.join(missing)} not installed: "
            "apt-get install chromium chromium-driver runs the browser test"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so the browser test must run)")
        pytest.skip(reason)
    return found["chromium"] or "", found["chromedriver"] or ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


class LiveServer:
    """``masthead serve --demo`` on its own SQLite database and a free port."""

    def __init__(self, folder: Path) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = (folder / "server.log").open("w+")
        self.process = subprocess.Popen(
            [*SERVE, "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, "MASTHEAD_DATABASE_URL": f"sqlite:///{folder}/masthead.db"},
            cwd=Path(__file__).resolve().parents[2],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START
        while True:
            try:
                get_json(f"{self.url}/healthz")
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.log.seek(0)
                    pytest.fail(f"masthead serve --demo did not start:\n{self.log.read()}")
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The live server, starting: it migrates and loads the demo while Chromium starts."""
    browser_binaries()
    live = LiveServer(tmp_path_factory.mktemp("docs-server"))
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    chromium, chromedriver = browser_binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def docs(server: LiveServer, browser: WebDriver) -> WebDriver:
    """The browser on ``/docs``, once Swagger UI has rendered the operations."""
    server.wait_until_ready()
    browser.get(f"{server.url}/docs")
    try:
        WebDriverWait(browser, WAIT).until(
            lambda driver: driver.find_elements(By.CSS_SELECTOR, ".opblock")
        )
    except TimeoutException:
        shown = browser.find_element(By.ID, "swagger-ui").text
        pytest.fail(f"Swagger UI rendered no operation; the page shows: {shown!r}")
    return browser


def committed_operations() -> set[tuple[str, str]]:
    spec = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    return {(method.upper(), path) for path, methods in spec["paths"].items() for method in methods}


def seed_article_id(base: str) -> int:
    """The seed story's id, as the live API lists it."""
    query: dict[str, str] = {"service": "en", "limit": "100"}
    for _ in range(10):
        page = get_json(f"{base}/v1/articles?{urllib.parse.urlencode(query)}")
        for teaser in page["items"]:
            if teaser["headline"] == SEED_HEADLINE:
                article_id: int = teaser["id"]
                return article_id
        if page["next_cursor"] is None:
            break
        query["cursor"] = page["next_cursor"]
    raise AssertionError("the demo has no seed story")


def test_docs_show_every_operation_of_the_committed_spec(docs: WebDriver) -> None:
    shown = docs.execute_script(
        "return [...document.querySelectorAll('.opblock')].map(block => ["
        "  block.querySelector('.opblock-summary-method').textContent,"
        "  block.querySelector('.opblock-summary-path').dataset.path]);"
    )
    assert len(shown) == len({tuple(operation) for operation in shown})
    assert {tuple(operation) for operation in shown} == committed_operations()


def test_try_it_out_returns_the_seed_story(docs: WebDriver, server: LiveServer) -> None:
    article_id = seed_article_id(server.url)
    block = docs.find_element(By.ID, "operations-articles-get_article")
    assert (
        block.find_element(By.CSS_SELECTOR, ".opblock-summary-path").get_attribute("data-path")
        == "/v1/articles/{article_id}"
    )
    block.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait_for(block, ".try-out__btn").click()
    field = wait_for(block, "tr[data-param-name='article_id'] input")
    field.clear()
    field.send_keys(str(article_id))
    block.find_element(By.CSS_SELECTOR, ".btn.execute").click()
    status = wait_for(block, ".live-responses-table tbody .response-col_status")
    assert status.text.strip() == "200"
    body = block.find_element(
        By.CSS_SELECTOR, ".live-responses-table tbody .response-col_description pre"
    )
    assert json.loads(body.text)["headline"] == SEED_HEADLINE
    request_url = block.find_element(By.CSS_SELECTOR, ".request-url pre").text
    assert request_url == f"{server.url}/v1/articles/{article_id}"


def test_docs_log_no_error_in_the_browser_console(docs: WebDriver) -> None:
    severe = [entry for entry in docs.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe


def wait_for(block: WebElement, selector: str) -> WebElement:
    def visible(_: Any) -> WebElement | bool:
        try:
            element = block.find_element(By.CSS_SELECTOR, selector)
        except WebDriverException:
            return False
        return element if element.is_displayed() else False

    found: WebElement = WebDriverWait(block.parent, WAIT).until(visible)
    return found
