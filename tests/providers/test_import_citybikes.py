"""import_citybike_stations: the Digitransit HSL city-bike list around Kalasatama."""
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from providers import selectors
from providers.models import Provider, Station

FIXTURE = str(Path(__file__).resolve().parents[2] / "fixtures/providers/hsl_citybike_stations_kalasatama.json")


def run(*args):
    out = StringIO()
    call_command("import_citybike_stations", *args, stdout=out)
    return out.getvalue()


def test_import_kalasatama_fixture(db):
    assert "33 stations imported" in run()
    provider = Provider.objects.get(name="HSL city bikes")
    assert provider.kind == "bike_share" and provider.push_only
    metro = Station.objects.get(snapshot_id=provider.current_snapshot_id, station_id="126")
    assert (metro.name, metro.bikes_available, metro.docks_available, metro.capacity) == \
        ("Kalasataman metroasema", 34, 8, 42)
    near = selectors.stations_near(60.18755649, 24.9770684, 400, min_bikes=1)
    assert near[0]["station_id"] == "126" and near[0]["distance_m"] == 0
    assert selectors.station_has_bike(provider.pk, "126")


def test_radius_filter_and_fixture_roundtrip(db, tmp_path):
    out = tmp_path / "near.json"
    run(FIXTURE, "--radius", "1000", "--write-fixture", str(out), "--no-db")
    doc = json.loads(out.read_text())
    assert len(doc["data"]["bikeRentalStations"]) == 9
    assert doc["_provenance"]["licence"].startswith("CC BY 4.0")
    assert not Provider.objects.exists()
    assert "9 stations imported" in run(str(out), "--as-of", "2019-06-01T12:00:00+03:00")
    assert "already holds" in run(str(out), "--as-of", "2019-06-01T12:00:00+03:00")


def test_bad_row_names_file_row_field_and_imports_nothing(db, tmp_path):
    run(FIXTURE, "--as-of", "2019-06-01T12:00:00+03:00")
    provider = Provider.objects.get(name="HSL city bikes")
    before = provider.current_snapshot_id
    doc = json.loads(open(FIXTURE).read())
    doc["data"]["bikeRentalStations"][2]["stationId"] = None
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match=r"bad.json: bikeRentalStations\[2\]\.stationId: missing"):
        run(str(bad), "--as-of", "2019-06-02T12:00:00+03:00")
    doc["data"]["bikeRentalStations"][2]["stationId"] = "x"
    doc["data"]["bikeRentalStations"][5]["bikesAvailable"] = -1
    bad.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match=r"bikeRentalStations\[5\]\.bikesAvailable"):
        run(str(bad), "--as-of", "2019-06-02T12:00:00+03:00")
    provider.refresh_from_db()
    assert provider.current_snapshot_id == before
    assert Station.objects.filter(snapshot__provider=provider).count() == 33


def test_static_seed_never_stale_unless_asked(db):
    run(FIXTURE, "--as-of", "2019-06-01T12:00:00+03:00")
    provider = Provider.objects.get(name="HSL city bikes")
    assert provider.stale_after_s == 0 and provider.stale is False
    assert selectors.stations_near(60.18755649, 24.9770684, 50)[0]["fresh"] is True
    run(FIXTURE, "--as-of", "2019-06-02T12:00:00+03:00", "--stale-after", "300")
    provider.refresh_from_db()
    assert provider.stale_after_s == 300 and provider.stale is True
    assert selectors.stations_near(60.18755649, 24.9770684, 50)[0]["fresh"] is False
