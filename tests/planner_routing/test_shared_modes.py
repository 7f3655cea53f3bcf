"""City-bike and scooter options come from the providers app's selectors (real snapshots in the DB)."""
import pytest
from django.utils import timezone

from providers import services as providers
from providers.snapshots import Section, swap_snapshot

KALASATAMA = {"lat": 60.18761, "lon": 24.97721}
KAMPPI = {"lat": 60.16885, "lon": 24.93118}
HAKANIEMI = {"lat": 60.17880, "lon": 24.95090}
DEPARTURE = "2022-03-02T08:30:00+02:00"


@pytest.fixture
def city_bikes(db):
    provider = providers.register_provider(name="HSL city bikes", kind="bike_share")
    now = timezone.now()
    stations = [
        {"station_id": "126", "name": "Kalasataman metroasema", "lat": 60.18755649, "lon": 24.9770684,
         "bikes_available": 34, "docks_available": 8},
        {"station_id": "kamppi-full", "name": "Kamppi (full)", "lat": 60.16890, "lon": 24.93120,
         "bikes_available": 20, "docks_available": 0},
        {"station_id": "kamppi", "name": "Kampin metroasema", "lat": 60.16930, "lon": 24.93300,
         "bikes_available": 3, "docks_available": 12},
    ]
    swap_snapshot(provider, source="push", sections={"stations": Section(stations, now)})
    return provider


@pytest.fixture
def scooters(db):
    provider = providers.register_provider(name="Scoot", kind="scooter")
    now = timezone.now()
    vehicles = [{"vehicle_id": "s1", "lat": 60.1880, "lon": 24.9775, "vehicle_type_id": "es", "range_m": 9000}]
    types = [{"vehicle_type_id": "es", "form_factor": "scooter_standing", "max_range_m": 12000}]
    no_parking_at_kamppi = {
        "position": 0, "name": "Kamppi no-parking", "rules": [{"ride_end_allowed": False}],
        "geometry": {"type": "Polygon", "coordinates": [[[24.928, 60.167], [24.935, 60.167], [24.935, 60.171],
                                                          [24.928, 60.171], [24.928, 60.167]]]},
        "min_lat": 60.167, "max_lat": 60.171, "min_lon": 24.928, "max_lon": 24.935}
    swap_snapshot(provider, source="push", sections={"vehicles": Section(vehicles, now),
                                                     "vehicle_types": Section(types, now),
                                                     "geofencing_zones": Section([no_parking_at_kamppi], now)})
    return provider


def itineraries(client, to, modes):
    response = client.post("/api/v1/plans", {"from": KALASATAMA, "to": to, "departure": DEPARTURE, "modes": modes},
                           format="json")
    assert response.status_code == 200, response.json()
    return response.json()["itineraries"]


def test_city_bike_itinerary_picks_a_station_with_bikes_and_one_with_docks(routed_feed, city_bikes,
                                                                           resident_client):
    (it,) = itineraries(resident_client, KAMPPI, ["city_bike"])
    assert [leg["mode"] for leg in it["legs"]] == ["walk", "city_bike", "walk"]
    ride = it["legs"][1]
    assert ride["booking"] == {"provider_id": city_bikes.pk, "vehicle_id": None, "station_id": "126",
                               "end_station_id": "kamppi"}
    assert ride["crow_fly"] is True and 3500 < ride["distance_m"] < 4500  # 3.2 km crow-fly x 1.25
    assert it["legs"][0]["end_time"] == ride["start_time"] and ride["end_time"] == it["legs"][2]["start_time"]


def test_scooter_only_where_the_geofence_allows_parking(routed_feed, scooters, resident_client):
    assert itineraries(resident_client, KAMPPI, ["scooter"]) == []
    (it,) = itineraries(resident_client, HAKANIEMI, ["scooter"])
    assert [leg["mode"] for leg in it["legs"]] == ["walk", "scooter"]
    assert it["legs"][1]["booking"]["vehicle_id"] == "s1"
    assert it["legs"][1]["co2_g"] > 0


def test_park_and_ride_drives_to_a_facility_with_free_spaces_then_rides(routed_feed, resident_client):
    from django.core.management import call_command

    call_command("load_parking_demo")  # real HSL Liipi facilities, incl. 1037 Kalasatama (REDI)
    kulosaari = {"lat": 60.1900, "lon": 25.0000}
    response = resident_client.post("/api/v1/plans", {"from": kulosaari, "to": KAMPPI, "departure": DEPARTURE,
                                                      "modes": ["car", "transit"]}, format="json")
    assert response.status_code == 200, response.json()
    its = response.json()["itineraries"]
    pr = [it for it in its if it.get("park_and_ride")]
    assert pr, [tuple(leg["mode"] for leg in it["legs"]) for it in its]
    legs = pr[0]["legs"]
    assert legs[0]["mode"] == "car" and any(leg["mode"] == "metro" for leg in legs)
    assert pr[0]["park_and_ride"]["free_spaces"] > 0
