"""Booking legs: every key is known and bounded, NUL characters refused -- 400, never stored, never a 500."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from maas.bookings.models import Booking
from maas.bookings.serializers import LegInputSerializer
from tests.bookings.conftest import book, leg_error, make_leg

pytestmark = pytest.mark.django_db


def test_unknown_keys_are_refused_and_nothing_is_stored(payg_resident, gbfs_provider):
    leg = make_leg(gbfs_provider.pk, vehicle_id="G-1")
    leg["junk"] = "x" * 2_000_000
    assert leg_error(book(payg_resident.api, leg)) == {"junk": ["Unknown field."]}
    leg = make_leg(gbfs_provider.pk, vehicle_id="G-1")
    leg["from"]["extra"] = 1
    leg["booking"]["note"] = "hi"
    assert leg_error(book(payg_resident.api, leg)) == {"from": {"extra": ["Unknown field."]},
                                                     "booking": {"note": ["Unknown field."]}}
    assert not Booking.objects.exists()


@pytest.mark.parametrize("where", ["mode", "route_id", "from.name", "booking.vehicle_id", "zones", "polyline"])
def test_nul_characters_are_400_not_500(payg_resident, gbfs_provider, where):
    leg = make_leg(gbfs_provider.pk, vehicle_id="G-1")
    if where == "zones":
        leg["zones"] = ["A\x00"]
    elif "." in where:
        outer, inner = where.split(".")
        leg[outer][inner] = "G-1\x00"
    else:
        leg[where] = "scooter\x00"
    details = leg_error(book(payg_resident.api, leg))
    assert "null" in str(details).lower() or "nul" in str(details).lower(), details
    assert not Booking.objects.exists()


def test_sizes_are_bounded(payg_resident, gbfs_provider):
    leg = make_leg(gbfs_provider.pk, vehicle_id="G-1")
    leg["geometry"]["coordinates"] = [[24.97, 60.18]] * 5001
    leg["route_short_name"] = "R" * 201
    details = leg_error(book(payg_resident.api, leg))
    assert set(details) == {"geometry", "route_short_name"}


def test_a_street_leg_as_the_planner_makes_it_is_accepted():
    from planner import street

    start = datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    leg = street.leg("scooter", {"name": "A", "stop_id": None, "lat": 60.1876, "lon": 24.9772},
                     {"name": "B", "stop_id": None, "lat": 60.1830, "lon": 24.9844}, start,
                     booking={"provider_id": 1, "vehicle_id": "G-1", "station_id": None, "end_station_id": None})
    checked = LegInputSerializer(data=leg)
    assert checked.is_valid(), checked.errors
