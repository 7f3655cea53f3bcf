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
