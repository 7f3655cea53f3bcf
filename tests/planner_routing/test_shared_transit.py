"""Shared vehicles and taxis combined with transit on the Kalasatama fixture: scooter -> metro, metro -> city bike,
taxi -> metro (planner.plan.shared_transit over the engine's access / egress tables)."""
from datetime import datetime

import pytest
from django.core.management import call_command
from shapely.geometry import LineString, Point, shape

from planner.models import OsmNetwork
from providers.models import Provider, Station, Vehicle
from tests.bookings.conftest import add_card, book, client_for

from .conftest import FIXTURE_OSM
from .test_taxi import payg_price, taxi_provider, tomp  # noqa: F401  (fixtures)

DEPARTURE = "2022-03-02T08:30:00+02:00"
NORTH_KALASATAMA = {"lat": 60.1930, "lon": 24.9775}  # ~650 m north of Kalasatama metro, scooters around
KAMPPI = {"lat": 60.16885, "lon": 24.93118}
TEURASTAMO = {"lat": 60.1905, "lon": 24.9720}  # ~700 m from Kalasatama metro; city-bike station 127 next to it


@pytest.fixture
def shared_transit(routed_feed_osm):
    OsmNetwork.objects.create(name="kalasatama", is_active=True, pbf_path=str(FIXTURE_OSM), content_hash="fixture")
    call_command("import_gbfs_feed", "fixtures/providers/gbfs/kalasatama-scooters", name="Kalasatama Scooters",
                 kind="scooter")
    call_command("import_citybike_stations")
    return Provider.objects.get(name="Kalasatama Scooters")


def plan(client, origin, destination, modes, **when):
    response = client.post("/api/v1/plans", {"from": origin, "to": destination, "modes": modes,
                                             **(when or {"departure": DEPARTURE})}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def modes_of(it):
    return [leg["mode"] for leg in it["legs"]]


def ends(it):
    return datetime.fromisoformat(it["end_time"])


def plain_transit(its):
    return [it for it in its if any(leg["transit"] for leg in it["legs"])
            and all(leg["transit"] or leg["mode"] == "walk" for leg in it["legs"])]


def test_scooter_to_the_metro_when_quicker_than_walking_to_it(shared_transit, resident_client):
    body = plan(resident_client, NORTH_KALASATAMA, KAMPPI, ["walk", "transit", "scooter"])
    (combo,) = [it for it in body["itineraries"] if "scooter" in modes_of(it) and "metro" in modes_of(it)]
    assert modes_of(combo) == ["walk", "scooter", "walk", "metro", "walk"]
    ride, metro = combo["legs"][1], combo["legs"][3]
    assert metro["from"]["name"] == "Kalasatama" and metro["to"]["name"] == "Kamppi"
    vehicle = Vehicle.objects.get(snapshot=shared_transit.current_snapshot, vehicle_id=ride["booking"]["vehicle_id"])
    assert ride["booking"] == {"provider_id": shared_transit.pk, "vehicle_id": vehicle.vehicle_id, "station_id": None,
                               "end_station_id": None}
    assert (ride["from"]["lat"], ride["from"]["lon"]) == (vehicle.lat, vehicle.lon)
    # The metro square is a no-parking zone: the scooter is left outside it, then a walk to the platform.
    zones = shared_transit.current_snapshot.geofencing_zones
    square = shape(zones.get(name="Kalasatama metro station square").geometry)
    assert not square.covers(Point(ride["to"]["lon"], ride["to"]["lat"]))
    park = shape(zones.get(name="Sompasaari waterfront park").geometry)
    assert ride["crow_fly"] is False and not LineString(ride["geometry"]["coordinates"]).intersects(park)
    # Legs follow one another; the ride reaches the metro in time.
    for a, b in zip(combo["legs"], combo["legs"][1:]):
        assert a["end_time"] <= b["start_time"]
    walking = plain_transit(body["itineraries"])
    assert walking and walking[0]["legs"][0]["to"]["name"] == "Kalasatama"  # plain transit walks to the same metro
    assert ends(combo) < min(map(ends, walking))


def test_metro_then_city_bike_from_a_station_with_a_bike_to_one_with_a_free_dock(shared_transit, resident_client):
    body = plan(resident_client, KAMPPI, TEURASTAMO, ["walk", "transit", "city_bike"])
    (combo,) = [it for it in body["itineraries"] if "city_bike" in modes_of(it)]
    assert modes_of(combo) == ["walk", "metro", "walk", "city_bike", "walk"]
    bike = combo["legs"][3]
    assert combo["legs"][1]["to"]["name"] == "Kalasatama"
    assert bike["booking"]["station_id"] == "126" and bike["booking"]["end_station_id"] == "127"
    snapshot = Provider.objects.get(pk=bike["booking"]["provider_id"]).current_snapshot
    assert Station.objects.get(snapshot=snapshot, station_id="126").bikes_available > 0
    assert Station.objects.get(snapshot=snapshot, station_id="127").docks_available > 0
    assert bike["crow_fly"] is False and bike["steps"]
    assert ends(combo) < min(map(ends, plain_transit(body["itineraries"])))


def test_no_shared_leg_where_plain_transit_is_as_quick(shared_transit, resident_client):
    metro_door = {"lat": 60.18755, "lon": 24.9770}
    body = plan(resident_client, metro_door, KAMPPI, ["walk", "transit", "scooter", "city_bike"])
    assert all(set(modes_of(it)) <= {"walk", "metro", "bus", "tram"} or not any(
        leg["transit"] for leg in it["legs"]) for it in body["itineraries"])


def test_arrive_by_scooter_to_the_metro_keeps_the_deadline(shared_transit, resident_client):
    body = plan(resident_client, NORTH_KALASATAMA, KAMPPI, ["walk", "transit", "scooter"],
                arrival="2022-03-02T09:00:00+02:00")
    (combo,) = [it for it in body["itineraries"] if "scooter" in modes_of(it) and "metro" in modes_of(it)]
    assert ends(combo) <= datetime.fromisoformat("2022-03-02T09:00:00+02:00")
    assert combo["start_time"] > max(it["start_time"] for it in plain_transit(body["itineraries"]))


def test_taxi_to_the_metro_priced_from_the_tariff_and_bookable(shared_transit, taxi_provider, tomp,  # noqa: F811
                                                               make_resident, localstripe, billing_plans):  # noqa: F811
    resident = make_resident()
    add_card(resident.user)
    api = client_for(resident.user)
    body = plan(api, NORTH_KALASATAMA, KAMPPI, ["walk", "transit", "taxi"])
    (combo,) = [it for it in body["itineraries"] if modes_of(it)[:2] == ["taxi", "metro"]]
    taxi = combo["legs"][0]
    assert taxi["booking"] == {"provider_id": taxi_provider.pk, "vehicle_id": None, "station_id": None,
                               "end_station_id": None}
    assert taxi["crow_fly"] is False and taxi["to"]["stop_id"] == combo["legs"][1]["from"]["stop_id"]
    assert taxi["end_time"] <= combo["legs"][1]["start_time"]
    assert combo["price"]["legs"][0]["price_cents"] == payg_price(taxi["distance_m"])
    assert ends(combo) < min(map(ends, plain_transit(body["itineraries"])))
    response = book(api, taxi)
    assert response.status_code == 201, response.content
    assert response.json()["mode"] == "taxi" and response.json()["price"]["quoted_cents"] == payg_price(
        taxi["distance_m"])


def test_taxi_leg_to_transit_gets_the_plans_taxi_discount(shared_transit, taxi_provider, resident,  # noqa: F811
                                                          billing_plans):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    from billing.models import Subscription

    now = timezone.now()
    Subscription.objects.create(user=resident.user, plan=billing_plans["unlimited"], stripe_subscription_id="sub_t",
                                status="active", current_period_start=now - timedelta(days=3),
                                current_period_end=now + timedelta(days=27))
    body = plan(client_for(resident.user), NORTH_KALASATAMA, KAMPPI, ["walk", "transit", "taxi"])
    (combo,) = [it for it in body["itineraries"] if modes_of(it)[:2] == ["taxi", "metro"]]
    full = payg_price(combo["legs"][0]["distance_m"])
    taxi_price = combo["price"]["legs"][0]
    assert (taxi_price["price_cents"], taxi_price["reason"]) == (full, "plan_discount")
    assert taxi_price["charge_cents"] == full - (full * 20 * 2 + 100) // 200  # Unlimited: 20 % off taxis


def test_a_max_speed_zone_slows_a_scooter_ride_to_the_metro_as_it_slows_a_direct_ride(shared_transit,
                                                                                      resident_client):
    """The ride to the metro crosses the 10 km/h Työpajankatu zone: timed by the provider's zones, as the same
    ride planned door to door, not at the scooter's 15 km/h."""
    from providers.selectors import ride_check

    body = plan(resident_client, NORTH_KALASATAMA, KAMPPI, ["walk", "transit", "scooter"])
    (combo,) = [it for it in body["itineraries"] if "scooter" in modes_of(it) and "metro" in modes_of(it)]
    ride = combo["legs"][1]
    check = ride_check(shared_transit.pk, ride["geometry"]["coordinates"], "escooter")
    (slow_m, kph), = check.slow_m
    assert kph == 10 and slow_m > 50  # metres of the ride inside the zone
    unslowed = round(ride["distance_m"] / 4.2)
    assert ride["duration_s"] == check.duration_s(ride["distance_m"], 4.2) >= unslowed + round(slow_m * 0.1)
    direct = plan(resident_client, NORTH_KALASATAMA, {"lat": ride["to"]["lat"], "lon": ride["to"]["lon"]}, ["scooter"])
    (door_to_door,) = [leg for it in direct["itineraries"] for leg in it["legs"] if leg["mode"] == "scooter"]
    assert door_to_door["booking"] == ride["booking"]
    assert door_to_door["distance_m"] == ride["distance_m"]
    assert door_to_door["duration_s"] == ride["duration_s"]
