import os

import pytest

BACKENDS = os.environ.get("MASTHEAD_TEST_BACKENDS", "sqlite,postgresql").split(",")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="PostgreSQL is not among MASTHEAD_TEST_BACKENDS")
    for item in items:
        if "postgres" in item.keywords and "postgresql" not in BACKENDS:
            item.add_marker(skip)
