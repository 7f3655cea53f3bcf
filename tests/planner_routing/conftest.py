"""Routing fixtures: the Kalasatama network built once per session, and an active feed in the DB."""
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from planner.engines.embedded import EmbeddedEngine, EmbeddedNetwork
from planner.engines.embedded.artifacts import artifact_paths
from planner.engines.embedded.build import build_artifacts

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_GTFS = ROOT / "fixtures" / "gtfs" / "kalasatama.zip"
HELSINKI = ZoneInfo("Europe/Helsinki")
# A Wednesday inside the fixture's service (2022-02-22..2022-04-07): tram 1's real trips run on Wednesdays.
SERVICE_DAY = datetime(2022, 3, 2, tzinfo=HELSINKI)


def at(hour, minute=0, second=0):
    return SERVICE_DAY.replace(hour=hour, minute=minute, second=second)


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory):
    """cafein network + side-car of the fixture feed as feed "hsl" (ids `hsl:ID`; no OSM: crow-fly access)."""
    directory = tmp_path_factory.mktemp("networks")
    build_artifacts({"hsl": FIXTURE_GTFS}, directory / "kalasatama.cafein", directory / "kalasatama.meta.pickle")
    return directory


@pytest.fixture(scope="session")
def kalasatama(built_dir):
    return EmbeddedNetwork.load(built_dir / "kalasatama.cafein", built_dir / "kalasatama.meta.pickle")


@pytest.fixture
def fresh_engine():
    """Forget networks loaded by earlier tests (each test has its own DB feed rows)."""
    EmbeddedEngine._instance = None
    yield
    EmbeddedEngine._instance = None


@pytest.fixture
def active_feed(db, settings, tmp_path, fresh_engine):
    """The fixture GTFS imported and activated through the planner's importer (no network built)."""
    from planner.gtfs.loader import import_feed

    settings.NETWORK_DIR = tmp_path / "networks"
    return import_feed(str(FIXTURE_GTFS), name="hsl", activate=True).feed


@pytest.fixture
def routed_feed(active_feed, built_dir):
    """active_feed with its network in place (copied from the session build, as build_network would)."""
    network_path, meta_path = artifact_paths(active_feed)
    network_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(built_dir / "kalasatama.cafein", network_path)
    shutil.copy(built_dir / "kalasatama.meta.pickle", meta_path)
    return active_feed


FIXTURE_OSM = ROOT / "fixtures" / "osm" / "kalasatama.osm.pbf"


@pytest.fixture(scope="session")
def built_dir_osm(tmp_path_factory):
    """The fixture feed built with the fixture OSM extract (street access/egress, POIs)."""
    directory = tmp_path_factory.mktemp("networks_osm")
    build_artifacts({"hsl": FIXTURE_GTFS}, directory / "kalasatama.cafein", directory / "kalasatama.meta.pickle",
                    osm_path=FIXTURE_OSM)
    return directory


@pytest.fixture(scope="session")
def kalasatama_streets(built_dir_osm):
    return EmbeddedNetwork.load(built_dir_osm / "kalasatama.cafein", built_dir_osm / "kalasatama.meta.pickle")


@pytest.fixture
def routed_feed_osm(active_feed, built_dir_osm):
    """active_feed with its OSM-built network (and POIs) in place."""
    network_path, meta_path = artifact_paths(active_feed)
    network_path.parent.mkdir(parents=True, exist_ok=True)
    stem = str(network_path).removesuffix(".cafein")
    for suffix in (".cafein", ".split.cafein", ".meta.pickle", ".pois.json"):
        shutil.copy(built_dir_osm / f"kalasatama{suffix}", f"{stem}{suffix}")
    return active_feed
