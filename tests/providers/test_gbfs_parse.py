"""Parsing the real GBFS documents: HSL v1 (damaged), Entur validator sets v2.3 and v3.0."""
import json
from datetime import datetime, timezone

import pytest

from providers import gbfs

from .conftest import DATA


def load(directory, name):
    return json.loads((DATA / directory / f"{name}.json").read_text())


def test_hsl_v1_null_and_empty_ids_skipped_and_reported():
    d = "otp_helsinki_v1"
    feeds, version, ttl, last_updated = gbfs.discover(load(d, "gbfs"))
    assert version == "1.0" and ttl == 60
    assert last_updated == datetime(2021, 9, 13, 7, 16, 22, tzinfo=timezone.utc)
    assert set(feeds) == {"system_information", "station_information", "station_status"}

    rows, lu, report = gbfs.parse_stations(load(d, "station_information"), load(d, "station_status"))
    assert [r["station_id"] for r in rows] == ["001", "002", "003", "004", "005", "008", "009"]
    assert lu == gbfs.parse_time(1631517710)
    skipped = [(r["file"], r["index"], r["id"], r["reason"]) for r in report if not r.get("kept")]
    assert ("station_information", 5, None, "station_id is null") in skipped
    assert ("station_information", 6, "", "invalid station_id ''") in skipped
    assert ("station_information", 9, "010", "lat/lon missing") in skipped
    assert {r["id"] for r in report if r["reason"] == "status for a station not in station_information"} == \
        {"006", "007", "010"}
    assert {r["id"] for r in report if r["reason"] == "name missing"} == {"008", "009"}
    viiskulma = next(r for r in rows if r["station_id"] == "004")
    assert (viiskulma["bikes_available"], viiskulma["docks_available"]) == (11, 4)
    assert viiskulma["is_renting"] is False and viiskulma["capacity"] == 14


def test_entur_v23_set():
    d = "entur_validator_fixtures_v2.3"
    feeds, version, ttl, _ = gbfs.discover(load(d, "gbfs"))
    assert version == "2.3" and ttl == 0 and "station_information" in feeds
    rows, _, report = gbfs.parse_stations(load(d, "station_information"), load(d, "station_status"))
    assert {r["station_id"]: r["bikes_available"] for r in rows} == {"station1": 1, "station2": 6}
    assert report == []
    vehicles, lu, report = gbfs.parse_vehicles(load(d, "free_bike_status"), file="free_bike_status")
    assert lu == gbfs.parse_time(1640887163) and report == []
    assert [(v["vehicle_id"][:8], v["lat"], v["station_id"], v["range_m"]) for v in vehicles] == [
        ("973a5c94", 12.34, "", None), ("987fd100", None, "86", 6543)]
    types, _, _ = gbfs.parse_vehicle_types(load(d, "vehicle_types"))
    assert {t["vehicle_type_id"]: t["max_range_m"] for t in types} == \
        {"abc123": None, "cargo123": None, "def456": 12345, "car1": 523992}
    plans, _, _ = gbfs.parse_pricing_plans(load(d, "system_pricing_plans"))
    assert [(p["plan_id"], p["currency"], p["price_cents"]) for p in plans] == [("bike_plan_1", "USD", 200)]
    zones, _, _, global_rules = gbfs.parse_geofencing(load(d, "geofencing_zones"))
    assert len(zones) == 1 and zones[0]["name"] == "NE 24th/NE Knott" and global_rules == []
    assert zones[0]["rules"][0]["ride_allowed"] is False
    assert zones[0]["min_lon"] == pytest.approx(-122.661838) and zones[0]["max_lat"] == pytest.approx(45.562982)


def test_entur_v30_set_and_manifest():
    d = "entur_validator_fixtures_v3.0"
    assert gbfs.is_manifest(load(d, "manifest"))
    assert gbfs.manifest_gbfs_url(load(d, "manifest")) == "https://berlin.example.com/gbfs/3/gbfs"
    assert gbfs.manifest_gbfs_url(load(d, "manifest"), "example_paris") == "https://paris.example.com/gbfs/3/gbfs"
    feeds, version, ttl, lu = gbfs.discover(load(d, "gbfs"))
    assert version == "3.0" and lu == datetime(2024, 3, 21, 9, 25, 53, 343000, tzinfo=timezone.utc)
    rows, _, _ = gbfs.parse_stations(load(d, "station_information"), load(d, "station_status"))
    assert [(r["station_id"], r["name"], r["bikes_available"], r["docks_available"]) for r in rows] == [
        ("station1", "Parking garage A", 1, 3), ("station2", "SE Belmont & SE 10th", 6, 8)]
    vehicles, _, report = gbfs.parse_vehicles(load(d, "vehicle_status"))
    assert len(vehicles) == 4 and report == []
    assert sum(1 for v in vehicles if v["station_id"] == "86") == 2
    zones, _, _, global_rules = gbfs.parse_geofencing(load(d, "geofencing_zones"))
    assert zones[0]["name"] == "NE 24th/NE Knott"
    assert zones[0]["start"] == zones[0]["end"] == lu
    assert global_rules == [{"ride_start_allowed": False, "ride_end_allowed": False, "ride_through_allowed": True}]
    plans, _, _ = gbfs.parse_pricing_plans(load(d, "system_pricing_plans"))
    assert (plans[0]["plan_id"], plans[0]["name"], plans[0]["price_cents"]) == ("bike_plan_1", "One-Way", 200)


def test_garbage_documents_raise():
    with pytest.raises(gbfs.GbfsError, match="no 'data'"):
        gbfs.discover({"last_updated": 1})
    with pytest.raises(gbfs.GbfsError, match="invalid timestamp"):
        gbfs.parse_time("yesterday")


def test_hostile_rows_are_reported_not_fatal():
    doc = {"last_updated": 1700000000, "data": {"bikes": [
        "not-an-object", {"bike_id": "x" * 101, "lat": 60.1, "lon": 24.9},
        {"bike_id": "ok", "lat": 60.1, "lon": 24.9, "current_range_meters": 1e30, "last_reported": 10**20},
        {"bike_id": "nowhere", "lat": "60.1", "lon": 24.9}]}}
    rows, _, report = gbfs.parse_vehicles(doc, file="free_bike_status")
    assert [(r["vehicle_id"], r["range_m"], r["last_reported"]) for r in rows] == [("ok", None, None)]
    assert [(r["index"], r["reason"]) for r in report] == [
        (0, "vehicle_id missing"), (1, "vehicle_id missing"), (3, "neither lat/lon nor station_id")]
    zones = {"last_updated": 1, "data": {"geofencing_zones": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [24.9, 60.1]}, "properties": {}},
        {"type": "Feature", "properties": "junk", "geometry": {"type": "Polygon", "coordinates": [[
            [24.9, 60.1], [25.0, 60.1], [25.0, 60.2], [24.9, 60.1]]]}}]}, "global_rules": ["junk"]}}
    rows, _, report, global_rules = gbfs.parse_geofencing(zones)
    assert len(rows) == 1 and rows[0]["rules"] == [] and global_rules == []
    assert report[0]["index"] == 0 and report[0]["reason"].startswith("invalid geometry")
