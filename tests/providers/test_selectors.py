"""Selectors over a current snapshot: the contract planner and bookings code against."""
from datetime import timedelta

import pytest
from django.utils import timezone

from providers import selectors, services
from providers.models import Provider
from providers.snapshots import Section, swap_snapshot

KALASATAMA = (60.18755649, 24.9770684)


def _stations(now):
    return [
        {"station_id": "126", "name": "Kalasataman metroasema", "lat": 60.18755649, "lon": 24.9770684,
         "bikes_available": 34, "docks_available": 8, "capacity": 42},
        {"station_id": "empty", "name": "Empty", "lat": 60.1880, "lon": 24.9780, "bikes_available": 0,
         "docks_available": 10},
        {"station_id": "far", "name": "Kaivopuisto", "lat": 60.155444, "lon": 24.950292, "bikes_available": 2,
         "docks_available": 29},
    ]


@pytest.fixture
def bikes(db):
    p = services.register_provider(name="HSL city bikes", kind="bike_share")
    now = timezone.now()
    swap_snapshot(p, source="push", sections={"stations": Section(_stations(now), now)})
    return Provider.objects.get(pk=p.pk)


@pytest.fixture
def scooters(db):
    p = services.register_provider(name="Scoot", kind="scooter")
    now = timezone.now()
    vehicles = [
        {"vehicle_id": "s1", "lat": 60.1880, "lon": 24.9775, "vehicle_type_id": "es", "range_m": 9000},
        {"vehicle_id": "s2", "lat": 60.1890, "lon": 24.9790, "vehicle_type_id": "es", "is_reserved": True},
        {"vehicle_id": "s3", "lat": 60.1870, "lon": 24.9760, "vehicle_type_id": "es", "is_disabled": True},
        {"vehicle_id": "s4", "lat": 60.1885, "lon": 24.9770, "vehicle_type_id": "es"},
    ]
    types = [{"vehicle_type_id": "es", "form_factor": "scooter_standing", "max_range_m": 12000}]
    zone = {"position": 0, "name": "Metro square", "geometry": {"type": "Polygon", "coordinates": [[
        [24.976, 60.187], [24.978, 60.187], [24.978, 60.188], [24.976, 60.188], [24.976, 60.187]]]},
        "rules": [{"ride_end_allowed": False, "ride_start_allowed": True}],
        "min_lat": 60.187, "max_lat": 60.188, "min_lon": 24.976, "max_lon": 24.978}
    swap_snapshot(p, source="push", sections={"vehicles": Section(vehicles, now), "vehicle_types": Section(types, now),
                                              "geofencing_zones": Section([zone], now)})
    return Provider.objects.get(pk=p.pk)


def test_stations_near_filters_and_orders(bikes):
    found = selectors.stations_near(*KALASATAMA, 500)
    assert [s["station_id"] for s in found] == ["126", "empty"]
    assert found[0] == {"provider_id": bikes.pk, "station_id": "126", "name": "Kalasataman metroasema",
                        "lat": 60.18755649, "lon": 24.9770684, "bikes_available": 34, "docks_available": 8,
                        "distance_m": 0, "fresh": True}
    assert [s["station_id"] for s in selectors.stations_near(*KALASATAMA, 500, min_bikes=1)] == ["126"]
    assert selectors.stations_near(*KALASATAMA, 500, kind="scooter") == []
    assert selectors.station_has_bike(bikes.pk, "126") and not selectors.station_has_bike(bikes.pk, "empty")
    assert not selectors.station_has_bike(bikes.pk, "nope")


def test_vehicles_near_only_available(scooters):
    found = selectors.vehicles_near(*KALASATAMA, 300)
    assert [v["vehicle_id"] for v in found] == ["s1", "s4"]
    assert found[0]["range_m"] == 9000 and found[1]["range_m"] == 12000  # falls back to the type's range
    assert found[0]["vehicle_type"] == "es" and found[0]["fresh"] is True


def test_reservation_hold_survives_resync(scooters):
    services.mark_vehicle_reserved(scooters.pk, "s1", True)
    assert not selectors.vehicle_available(scooters.pk, "s1")
    assert [v["vehicle_id"] for v in selectors.vehicles_near(*KALASATAMA, 300)] == ["s4"]
    later = timezone.now() + timedelta(seconds=1)
    swap_snapshot(scooters, source="push", sections={"vehicles": Section(
        [{"vehicle_id": "s1", "lat": 60.1880, "lon": 24.9775}], later)})
    assert not selectors.vehicle_available(scooters.pk, "s1")
    services.mark_vehicle_reserved(scooters.pk, "s1", False)
    assert selectors.vehicle_available(scooters.pk, "s1")


def test_stale_provider_vehicles_hidden(scooters):
    Provider.objects.filter(pk=scooters.pk).update(last_updated=timezone.now() - timedelta(hours=1))
    assert selectors.vehicles_near(*KALASATAMA, 300) == []
    assert not selectors.vehicle_available(scooters.pk, "s4")


def test_parking_allowed_at_zone(scooters):
    assert selectors.parking_allowed_at(scooters.pk, 60.1875, 24.977) is False
    assert selectors.parking_allowed_at(scooters.pk, 60.1895, 24.977) is True


def test_views_read_through_selectors_only():
    """providers/views.py runs no ORM query of its own; the unused station_has_dock is gone."""
    from pathlib import Path

    views = (Path(__file__).resolve().parents[2] / "providers" / "views.py").read_text()
    assert ".objects." not in views
    assert not hasattr(selectors, "station_has_dock")
