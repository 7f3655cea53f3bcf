"""Liipi import: the real HSL facilities, idempotence, and atomic failure naming file, row and field."""
import json

import pytest
from django.core.management import CommandError, call_command

from maas.parking.models import Facility, FacilityCapacity

pytestmark = pytest.mark.django_db


def test_imports_real_liipi_facilities_with_capacity_per_type():
    call_command("import_parking_facilities")
    call_command("import_parking_facilities")  # idempotent
    assert Facility.objects.count() == 4
    redi = Facility.objects.get(liipi_id=1037)
    assert redi.name == "Kalasatama (Kauppakeskus REDI)" and redi.name_sv == "Fiskhamnen (Köpcenter REDI)"
    assert {c.capacity_type: c.capacity for c in redi.capacities.all()} == {
        "CAR": 300, "ELECTRIC_CAR": 200, "DISABLED": 30}
    assert redi.polygon["type"] == "Polygon"
    assert 60.186 < redi.lat < 60.188 and 24.978 < redi.lon < 24.981
    assert Facility.objects.get(liipi_id=708).status == "TEMPORARILY_CLOSED"
    tapiola = FacilityCapacity.objects.get(facility__liipi_id=990, capacity_type="CAR")
    assert (tapiola.capacity, tapiola.spaces_available) == (1365, 600)


def test_bad_row_names_file_row_and_field_and_writes_nothing(tmp_path, settings):
    data = json.loads((settings.BASE_DIR / "fixtures/parking/facilities.json").read_text())
    data["results"][2]["builtCapacity"]["CAR"] = -5
    bad = tmp_path / "facilities.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(CommandError) as err:
        call_command("import_parking_facilities", facilities=str(bad), utilizations="")
    assert str(bad) in str(err.value) and "row 3" in str(err.value) and "builtCapacity.CAR" in str(err.value)
    assert Facility.objects.count() == 0

    data["results"][2]["builtCapacity"]["CAR"] = 5
    del data["results"][1]["id"]
    bad.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"row 2: field 'id'"):
        call_command("import_parking_facilities", facilities=str(bad), utilizations="")
    assert Facility.objects.count() == 0


def _facilities(settings, keep_ids, drop_usages=False):
    data = json.loads((settings.BASE_DIR / "fixtures/parking/facilities.json").read_text())
    data["results"] = [f for f in data["results"] if f["id"] in keep_ids]
    if drop_usages:
        for f in data["results"]:
            del f["usages"]
    return data


def test_directory_argument_imports_its_facilities_and_utilizations(tmp_path, settings):
    (tmp_path / "facilities.json").write_text(json.dumps(_facilities(settings, {990, 1037})))
    readings = json.loads((settings.BASE_DIR / "fixtures/parking/utilizations.json").read_text())
    (tmp_path / "utilizations.json").write_text(json.dumps([r for r in readings if r["facilityId"] == 990]))
    call_command("import_parking_facilities", str(tmp_path))
    assert sorted(Facility.objects.values_list("liipi_id", flat=True)) == [990, 1037]
    assert FacilityCapacity.objects.get(facility__liipi_id=990, capacity_type="CAR").spaces_available == 600


def test_directory_without_facilities_json_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no facilities.json"):
        call_command("import_parking_facilities", str(tmp_path))


def test_facilities_file_alone_does_not_get_the_fixture_utilizations(tmp_path, settings):
    only_redi = tmp_path / "redi.json"
    only_redi.write_text(json.dumps(_facilities(settings, {1037})))
    call_command("import_parking_facilities", facilities=str(only_redi))
    car = FacilityCapacity.objects.get(facility__liipi_id=1037, capacity_type="CAR")
    assert (car.capacity, car.spaces_available, car.reported_at) == (300, None, None)


def test_older_schema_without_usages_is_park_and_ride_where_it_has_car_capacity(tmp_path, settings):
    old = tmp_path / "old.json"
    old.write_text(json.dumps(_facilities(settings, {1037, 894}, drop_usages=True)))
    call_command("import_parking_facilities", facilities=str(old))
    assert Facility.objects.get(liipi_id=1037).is_park_and_ride
    assert not Facility.objects.get(liipi_id=894).is_park_and_ride  # bicycle-only facility
