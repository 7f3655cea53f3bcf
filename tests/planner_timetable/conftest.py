"""Timetable API fixtures: feeds imported through the importer, per-test feed directories."""
from pathlib import Path

import pytest
from django.conf import settings

from planner.gtfs.guarded import import_feed
from tests.planner_data.conftest import write_feed

KALASATAMA = Path(settings.BASE_DIR) / "fixtures" / "gtfs" / "kalasatama.zip"


@pytest.fixture(autouse=True)
def feed_dirs(settings, tmp_path):
    settings.GTFS_FEED_DIR = tmp_path / "feeds"
    settings.NETWORK_DIR = tmp_path / "networks"
    return tmp_path


@pytest.fixture
def server(settings):
    """A GTFS download server on loopback (feed_server.FeedServer)."""
    from .feed_server import FeedServer

    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # the test server is on loopback
    srv = FeedServer()
    yield srv
    srv.close()


@pytest.fixture
def kalasatama_feed(db):
    return import_feed(str(KALASATAMA), name="hsl", activate=True, progress=False).feed


@pytest.fixture
def small_feed(db, tmp_path):
    """Factory: import members {file: text} as feed `name` (activated)."""
    def make(name, members):
        path = write_feed(tmp_path / f"{name}.zip", members)
        return import_feed(str(path), name=name, activate=True, progress=False).feed
    return make
