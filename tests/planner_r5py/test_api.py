"""POST /api/v1/plans and /api/v1/accessibility with ROUTING_ENGINE=r5py: 503 with the reason, never a traceback."""
from datetime import date

import pytest

from planner.models import Calendar, CalendarDate, FeedVersion, OsmNetwork, Stop

PLAN = {"from": {"lat": 60.18761, "lon": 24.97721}, "to": {"lat": 60.16910, "lon": 24.93159},
        "departure": "2022-02-23T08:30:00+02:00", "modes": ["walk", "transit"]}


@pytest.fixture
def r5py_settings(settings):
    settings.ROUTING_ENGINE = "r5py"
    settings.R5_OSM_PBF, settings.R5_GTFS = "", []
    return settings


@pytest.fixture
def active_feed(tmp_path):
    """A tiny active feed: two metro stops, Wednesday service in spring 2022 minus one holiday."""
    gtfs, pbf = tmp_path / "feed.zip", tmp_path / "streets.osm.pbf"
    gtfs.write_bytes(b"zip")
    pbf.write_bytes(b"pbf")
    feed = FeedVersion.objects.create(name="hsl", version=1, is_active=True, gtfs_path=str(gtfs))
    Stop.objects.create(feed=feed, stop_id="1100601", name="Kalasatama (M)", lat=60.18761, lon=24.97721)
    Stop.objects.create(feed=feed, stop_id="1040601", name="Kamppi (M)", lat=60.16910, lon=24.93159)
    Calendar.objects.create(feed=feed, service_id="31M1_Ke", monday=False, tuesday=False, wednesday=True,
                            thursday=False, friday=False, saturday=False, sunday=False,
                            start_date=date(2022, 2, 22), end_date=date(2022, 4, 7))
    CalendarDate.objects.create(feed=feed, service_id="31M1_Ke", date=date(2022, 3, 2), exception_type=2)
    OsmNetwork.objects.create(name="kalasatama", is_active=True, pbf_path=str(pbf), content_hash="x")
    return feed


def test_plan_without_a_jar_is_503_naming_the_setting(r5py_settings, resident_client):
    r5py_settings.R5_JAR = ""
    response = resident_client.post("/api/v1/plans", PLAN, format="json")
    assert response.status_code == 503
    assert response.json() == {"error": {
        "code": "routing_engine_misconfigured",
        "message": "The r5py engine needs an R5 jar: set R5_JAR to the jar's path and R5_JAR_SHA256 to its sha256.",
        "details": {"engine": "r5py"}}}


def test_plan_with_a_tampered_jar_is_503_naming_the_checksum(r5py_settings, resident_client, fake_jar):
    jar, actual = fake_jar
    r5py_settings.R5_JAR, r5py_settings.R5_JAR_SHA256 = str(jar), "e" * 64
    response = resident_client.post("/api/v1/plans", PLAN, format="json")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "routing_engine_misconfigured"
    assert error["message"] == f"R5_JAR checksum mismatch: {jar} has sha256 {actual}, R5_JAR_SHA256 expects {'e' * 64}"


def test_accessibility_without_a_jar_is_503(r5py_settings, resident_client):
    r5py_settings.R5_JAR = ""
    response = resident_client.post("/api/v1/accessibility",
                                     {"origin": {"lat": 60.18761, "lon": 24.97721}, "minutes": 15}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "routing_engine_misconfigured"
    assert "set R5_JAR" in response.json()["error"]["message"]


def test_plan_through_the_worker_is_503_with_its_error(r5py_settings, resident_client, fake_jar, active_feed):
    r5py_settings.R5_JAR, r5py_settings.R5_JAR_SHA256 = str(fake_jar[0]), fake_jar[1]
    response = resident_client.post("/api/v1/plans", PLAN, format="json")
    assert response.status_code == 503
    assert response.json()["error"] == {"code": "r5py_error", "details": {"engine": None},
                                        "message": "r5py load failed: ImportError: Failed to import 'com.conveyal'"}


def test_coverage_of_the_active_feed_checks_area_and_dates(r5py_settings, resident_client, fake_jar, active_feed):
    r5py_settings.R5_JAR, r5py_settings.R5_JAR_SHA256 = str(fake_jar[0]), fake_jar[1]
    from planner.engines import get_engine

    coverage = get_engine().coverage()
    assert coverage["bbox"] == (60.16910, 24.93159, 60.18761, 24.97721)
    assert (coverage["service_start"], coverage["service_end"]) == (date(2022, 2, 22), date(2022, 4, 7))
    has_service = coverage["has_service"]
    assert has_service(date(2022, 2, 23)) and not has_service(date(2022, 2, 24))  # Wednesday / Thursday
    assert not has_service(date(2022, 3, 2))  # the Wednesday removed in calendar_dates
    outside = resident_client.post("/api/v1/plans", {**PLAN, "departure": "2022-05-04T08:30:00+03:00"}, format="json")
    assert outside.status_code == 400 and outside.json()["error"]["code"] == "outside_service_dates"
    holiday = resident_client.post("/api/v1/plans", {**PLAN, "departure": "2022-03-02T08:30:00+02:00"}, format="json")
    assert holiday.status_code == 400 and holiday.json()["error"]["code"] == "no_service_on_date"
