"""What exists once the server has started is left out of the collector's full passes
(a pause of 100 ms and more otherwise, with requests waiting), and given back at stop."""

import gc

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def test_startup_objects_are_frozen_while_serving_and_released_at_stop(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, webhook_worker=False))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        # The app, its routes and every module loaded so far: far more than a handful.
        assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0
