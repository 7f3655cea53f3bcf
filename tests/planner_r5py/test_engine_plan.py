"""R5pyEngine.plan / travel_time_matrix up to the worker, and its feed lookups, on PostgreSQL."""
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas
import pytest

from planner.engines import EngineUnavailable, PlanRequest, get_engine
from planner.engines.r5py import frames
from planner.engines.r5py.engine import R5pyEngine
from planner.models import FeedVersion, OsmNetwork, Route, Stop

DATA = Path(__file__).parent / "data"
HELSINKI = ZoneInfo("Europe/Helsinki")
KALASATAMA, KAMPPI = (60.18761, 24.97721), (60.16902, 24.93159)


@pytest.fixture
def engine(settings, fake_jar):
    settings.R5_JAR, settings.R5_JAR_SHA256 = str(fake_jar[0]), fake_jar[1]
    settings.R5_OSM_PBF, settings.R5_GTFS = "", []
    return get_engine("r5py")


def _request(**kwargs):
    return PlanRequest(origin=KALASATAMA, destination=KAMPPI,
                       departure=datetime(2022, 2, 22, 8, 30, tzinfo=HELSINKI), **kwargs)


@pytest.mark.django_db
def test_plan_without_a_street_network_names_it(engine):
    with pytest.raises(EngineUnavailable) as caught:
        engine.plan(_request())
    assert (caught.value.code, str(caught.value)) == (
        "no_street_network", "No active OSM street network: import one (or set R5_OSM_PBF).")
    assert engine.worker.process is None  # nothing spawned for a request that cannot be answered


@pytest.mark.django_db
def test_plan_without_an_active_feed_names_it(engine, tmp_path):
    OsmNetwork.objects.create(name="kalasatama", is_active=True, pbf_path=str(tmp_path / "k.osm.pbf"),
                              content_hash="x")
    with pytest.raises(EngineUnavailable) as caught:
        engine.travel_time_matrix([{"id": "a", "lat": 60.18, "lon": 24.97}], [], departure=_request().departure,
                                  modes=frozenset({"transit"}), max_time_s=900)
    assert (caught.value.code, str(caught.value)) == (
        "no_active_feed", "No active GTFS feed: import and activate one (or set R5_GTFS).")


@pytest.mark.django_db
def test_plan_reaches_the_worker_with_the_active_network(engine, tmp_path):
    pbf = tmp_path / "k.osm.pbf"
    pbf.write_bytes(b"osm")
    gtfs = tmp_path / "feed.zip"
    gtfs.write_bytes(b"gtfs")
    OsmNetwork.objects.create(name="kalasatama", is_active=True, pbf_path=str(pbf), content_hash="x")
    FeedVersion.objects.create(name="hsl", version=1, is_active=True, gtfs_path=str(gtfs))
    with pytest.raises(EngineUnavailable) as caught:
        engine.plan(_request())
    # The fake jar passes the checksum; the worker's r5py then finds no R5 classes in it.
    assert str(caught.value) == "r5py load failed: ImportError: Failed to import 'com.conveyal'"
    assert engine.worker.hello["argv"][1] == engine.config.jar


def test_unsupported_requests_are_refused_before_the_worker(engine):
    with pytest.raises(EngineUnavailable, match="does not support wheelchair routing") as caught:
        engine.plan(_request(wheelchair=True))
    assert caught.value.code == "wheelchair_not_supported"
    with pytest.raises(EngineUnavailable, match=r"cannot route with modes \['city_bike', 'scooter'\]"):
        R5pyEngine._r5_modes(frozenset({"city_bike", "scooter"}))
    assert R5pyEngine._r5_modes(frozenset({"walk", "transit", "scooter"})) == ["TRANSIT", "WALK"]
    assert engine.worker.process is None


@pytest.mark.django_db
def test_feed_lookups_fill_names_colours_and_stop_positions():
    feed = FeedVersion.objects.create(name="hsl", version=1, is_active=True)
    Stop.objects.create(feed=feed, stop_id="1201403", name="Hietalahdenkatu", lat=60.16205, lon=24.92913,
                        names={"sv": "Sandviksgatan"})
    Stop.objects.create(feed=feed, stop_id="1040480", name="Kamppi", lat=60.16930, lon=24.93170)
    Route.objects.create(feed=feed, route_id="1008", short_name="8", route_type=0, color="00985F")
    records = frames.detailed_records(
        geopandas.read_file(DATA / "test_detailed_itineraries_transit.gpkg.zip", engine="pyogrio"))
    stops, routes = R5pyEngine._lookups([feed], records, "sv")  # the active feeds
    assert stops == {"1201403": {"id": "hsl:1201403", "name": "Sandviksgatan", "lat": 60.16205, "lon": 24.92913},
                     "1040480": {"id": "hsl:1040480", "name": "Kamppi", "lat": 60.16930, "lon": 24.93170}}
    assert routes == {"1008": {"id": "hsl:1008", "short_name": "8", "color": "00985F"}}
    best = frames.itineraries_from_records(records, stops=stops, routes=routes)[("0", "20")][0]
    walk, tram, egress = best["legs"]
    assert (tram["route_short_name"], tram["route_color"]) == ("8", "#00985F")
    assert (tram["from"]["name"], tram["to"]["name"]) == ("Sandviksgatan", "Kamppi")
    assert (tram["route_id"], tram["from"]["stop_id"], tram["to"]["stop_id"]) == ("hsl:1008", "hsl:1201403",
                                                                                  "hsl:1040480")
    assert walk["to"] == tram["from"] and egress["from"] == tram["to"]
