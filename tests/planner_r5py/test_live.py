"""Live r5py: a real R5 jar, a real JVM and the project's GTFS fixture. Runs only where R5_JAR is set.

    R5_JAR=/path/r5-v7.5.1-r5py-all.jar R5_JAR_SHA256=<sha256> pytest tests/planner_r5py -m r5py_live

Network inputs: R5_GTFS (default fixtures/gtfs/kalasatama.zip) and R5_OSM_PBF (default the first
fixtures/osm/*.osm.pbf, else ../shared/data/osm/helsinki-transit-relations_2022-01-01_cafein.osm.pbf).
"""
import os
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from planner.engines import PlanRequest, get_engine
from planner.engines.r5py.process import PROJECT_DIR

pytestmark = [
    pytest.mark.r5py_live,
    pytest.mark.skipif(not os.environ.get("R5_JAR"), reason="needs a configured R5 jar (R5_JAR, R5_JAR_SHA256)"),
]

HELSINKI = ZoneInfo("Europe/Helsinki")
KALASATAMA_M, KAMPPI_M = (60.18761, 24.97721), (60.16910, 24.93159)
# fixtures/gtfs/kalasatama_metro.md: Kalasatama -> Kamppi is 110+120+100+70+70 s of running and dwell.
METRO_RUN_S = 470


def _osm_pbf():
    if os.environ.get("R5_OSM_PBF"):
        return os.environ["R5_OSM_PBF"]
    own = sorted((PROJECT_DIR / "fixtures" / "osm").glob("*.osm.pbf"))
    if own:
        return str(own[0])
    return str(PROJECT_DIR.parent / "shared" / "data" / "osm" / "helsinki-transit-relations_2022-01-01_cafein.osm.pbf")


@pytest.fixture(scope="module")
def live_engine():
    from django.conf import settings

    saved = {k: getattr(settings, k, None) for k in ("R5_OSM_PBF", "R5_GTFS", "R5_REQUEST_TIMEOUT_S")}
    settings.R5_OSM_PBF = _osm_pbf()
    settings.R5_GTFS = [os.environ.get("R5_GTFS") or str(PROJECT_DIR / "fixtures" / "gtfs" / "kalasatama.zip")]
    settings.R5_REQUEST_TIMEOUT_S = 1800
    engine = get_engine("r5py")
    yield engine
    engine.worker.stop()
    for key, value in saved.items():
        setattr(settings, key, value)


@pytest.mark.django_db
def test_live_metro_from_kalasatama_to_kamppi(live_engine):
    departure = datetime(2022, 2, 23, 8, 30, tzinfo=HELSINKI)  # a Wednesday of the fixture's service
    itineraries = live_engine.plan(PlanRequest(origin=KALASATAMA_M, destination=KAMPPI_M, departure=departure,
                                               modes=frozenset({"walk", "transit"})))
    assert itineraries, "r5py found no itinerary"
    metro = [leg for it in itineraries for leg in it["legs"] if leg["mode"] == "metro"]
    assert metro and {leg["route_id"] for leg in metro} <= {"31M1", "31M2"}
    assert all(METRO_RUN_S - 60 <= leg["duration_s"] <= METRO_RUN_S + 60 for leg in metro)
    first = itineraries[0]
    assert datetime.fromisoformat(first["start_time"]) >= departure
    assert first["legs"][0]["geometry"]["type"] == "LineString"
    assert "r5py" not in sys.modules  # only the worker process imported it


@pytest.mark.django_db
def test_live_travel_time_matrix(live_engine):
    rows = live_engine.travel_time_matrix(
        [{"id": "kalasatama", "lat": KALASATAMA_M[0], "lon": KALASATAMA_M[1]}],
        [{"id": "kamppi", "lat": KAMPPI_M[0], "lon": KAMPPI_M[1]}],
        departure=datetime(2022, 2, 23, 8, 30, tzinfo=HELSINKI), modes=frozenset({"walk", "transit"}),
        max_time_s=45 * 60,
    )
    assert len(rows) == 1 and rows[0]["from_id"] == "kalasatama" and rows[0]["to_id"] == "kamppi"
    assert METRO_RUN_S <= rows[0]["travel_time_s"] <= 45 * 60
