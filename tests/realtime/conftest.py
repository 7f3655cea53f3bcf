"""Real-time fixtures: a small generated static feed (with a frequency-based line), a feed server on
127.0.0.1, and real-time state kept in this test run's Redis db."""
import contextlib
import csv
import io
import zipfile

import pytest

from planner.realtime import static_index, store
from tests.realtime.rtfeeds import FeedServer

DAY = "20240306"  # a Wednesday inside the generated calendar

STOPS = [("A", "Alku", 60.1800, 24.9500), ("B", "Bulevardi", 60.1810, 24.9550),
         ("C", "Centrum", 60.1820, 24.9600), ("D", "Dalen", 60.1830, 24.9650)]


def hms(s):
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def feed_tables(stops, routes, days):
    """The tables every test feed has: agency AG, `stops`, `routes`, service "WD" running on `days`
    (Monday..Sunday flags) in 2024, and trips / stop_times with their headers only."""
    return {
        "agency.txt": [("agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"),
                       ("AG", "Test", "https://example.org", "Europe/Helsinki", "fi")],
        "stops.txt": [("stop_id", "stop_name", "stop_lat", "stop_lon")] + stops,
        "routes.txt": [("route_id", "agency_id", "route_short_name", "route_long_name", "route_type")] + routes,
        "calendar.txt": [("service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                          "sunday", "start_date", "end_date"), ("WD", *days, "20240101", "20241231")],
        "trips.txt": [("route_id", "service_id", "trip_id", "direction_id", "trip_headsign")],
        "stop_times.txt": [("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence")],
    }


def write_static_feed(path):
    """Route R1 (bus, A->B->C->D, direction 0) at 08:00, 08:10, 08:20; route F (tram, frequency-based
    template F-T every 15 min 09:00-10:00 over A->C)."""
    tables = feed_tables(STOPS, [("R1", "AG", "1", "Alku-Dalen", "3"), ("F", "AG", "F", "Frekvens", "0")],
                         days=(1, 1, 1, 1, 1, 0, 0))
    tables["trips.txt"] += [("R1", "WD", "R1-0800", 0, "Dalen"), ("R1", "WD", "R1-0810", 0, "Dalen"),
                            ("R1", "WD", "R1-0820", 0, "Dalen"), ("F", "WD", "F-T", 0, "Centrum")]
    tables["frequencies.txt"] = [("trip_id", "start_time", "end_time", "headway_secs", "exact_times"),
                                 ("F-T", "09:00:00", "10:00:00", 900, 1)]
    for trip, start in (("R1-0800", 8 * 3600), ("R1-0810", 8 * 3600 + 600), ("R1-0820", 8 * 3600 + 1200)):
        for k, stop in enumerate("ABCD"):
            t = start + k * 180
            tables["stop_times.txt"].append((trip, hms(t), hms(t + 30 if 0 < k < 3 else t), stop, (k + 1) * 10))
    for k, stop in enumerate("AC"):
        tables["stop_times.txt"].append(("F-T", hms(9 * 3600 + k * 300), hms(9 * 3600 + k * 300), stop, k + 1))
    return write_zip(path, tables)


def write_zip(path, tables):
    with zipfile.ZipFile(path, "w") as zf:
        for name, rows in tables.items():
            buf = io.StringIO()
            csv.writer(buf).writerows(rows)
            zf.writestr(name, buf.getvalue())
    return path


TRANSFER_STOPS = [("A", "Arabia", 60.2000, 24.9700), ("B", "Brahenkenttä", 60.1900, 24.9600),
                  ("C", "Citykäytävä", 60.1700, 24.9400)]


def write_transfer_feed(path):
    """Line X (tram) A->B, 08:00 and 08:20 (10 min); line Y (bus) B->C at 08:15, 08:35, 08:55 (10 min).
    The default minimum change time is 2 min: X 08:00 -> Y 08:15 leaves 5 min."""
    tables = feed_tables(TRANSFER_STOPS, [("X", "AG", "10", "Arabia-Brahe", "0"), ("Y", "AG", "55", "Brahe-City", "3")],
                         days=(1, 1, 1, 1, 1, 1, 1))
    for route, (a, b), starts in (("X", "AB", (8 * 60, 8 * 60 + 20)), ("Y", "BC", (8 * 60 + 15, 8 * 60 + 35,
                                                                                      8 * 60 + 55))):
        for m in starts:
            trip = f"{route}-{m // 60:02d}{m % 60:02d}"
            tables["trips.txt"].append((route, "WD", trip, 0, b))
            tables["stop_times.txt"] += [(trip, hms(m * 60), hms(m * 60), a, 1),
                                         (trip, hms(m * 60 + 600), hms(m * 60 + 600), b, 2)]
    return write_zip(path, tables)


@contextlib.contextmanager
def active_network(zip_path, tmp_path, settings):
    """The feed `zip_path` imported and active as "hsl", its network built where the engine looks; the engine
    and the real-time indexes start afresh and are dropped after."""
    from planner.engines.embedded import EmbeddedEngine
    from planner.engines.embedded.artifacts import artifact_paths
    from planner.engines.embedded.build import build_artifacts
    from planner.gtfs.loader import import_feed

    settings.NETWORK_DIR = tmp_path / "networks"
    settings.GTFS_FEED_DIR = tmp_path / "feeds"
    static_index._indexes.clear()
    EmbeddedEngine._instance = None
    feed = import_feed(str(zip_path), name="hsl", activate=True).feed
    network_path, meta_path = artifact_paths(feed)
    network_path.parent.mkdir(parents=True, exist_ok=True)
    build_artifacts({"hsl": zip_path}, network_path, meta_path)
    try:
        yield feed
    finally:
        EmbeddedEngine._instance = None
        static_index._indexes.clear()


@pytest.fixture
def small_feed(db, tmp_path, settings):
    from planner.gtfs.loader import import_feed

    settings.GTFS_FEED_DIR = tmp_path / "feeds"
    static_index._indexes.clear()
    feed = import_feed(str(write_static_feed(tmp_path / "small.zip")), name="small", activate=True).feed
    yield feed
    static_index._indexes.clear()


@pytest.fixture
def rt_store(settings):
    """Real-time state in Redis (the test broker's db); emptied before and after."""
    store._cache.clear()
    for feed in ("small", "hsl"):
        store.clear(feed)
    yield store
    for feed in ("small", "hsl"):
        store.clear(feed)
    store._cache.clear()


@pytest.fixture
def feed_server(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # the test server is on loopback
    server = FeedServer()
    yield server
    server.close()
