"""Shared vehicles on the Kalasatama streets: geofencing respected, dock to dock, booking names what is used."""
import pytest
from django.core.management import call_command
from shapely.geometry import LineString, Point, box, shape

from planner.models import OsmNetwork
from planner.osm.street_graph import StreetGraph
from providers.models import Provider, Station

from .conftest import FIXTURE_OSM

DEPARTURE = "2022-03-02T08:30:00+02:00"
METRO_SQUARE = {"lat": 60.18760, "lon": 24.97700}   # inside the demo feed's no-parking zone
NORTH_OF_PARK = {"lat": 60.18690, "lon": 24.97800}  # Leonkatu
SOUTH_OF_PARK = {"lat": 60.18250, "lon": 24.97750}  # Sompasaari, south of the no-ride-through park


@pytest.fixture
def shared_streets(db, settings, tmp_path, fresh_engine):
    settings.NETWORK_DIR = tmp_path
    OsmNetwork.objects.create(name="kalasatama", is_active=True, pbf_path=str(FIXTURE_OSM), content_hash="fixture")
    call_command("import_gbfs_feed", "fixtures/providers/gbfs/kalasatama-scooters", name="Kalasatama Scooters",
                 kind="scooter")
    call_command("import_citybike_stations")
    return Provider.objects.get(name="Kalasatama Scooters")


def plan(client, origin, destination, modes):
    response = client.post("/api/v1/plans", {"from": origin, "to": destination, "departure": DEPARTURE,
                                             "modes": modes}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["itineraries"]


def zone(provider, name):
    return shape(provider.current_snapshot.geofencing_zones.get(name=name).geometry)


def test_scooter_ends_outside_the_no_parking_zone_then_walks(shared_streets, resident_client):
    (it,) = plan(resident_client, {"lat": 60.1905, "lon": 24.9720}, METRO_SQUARE, ["scooter"])
    assert [leg["mode"] for leg in it["legs"]] == ["walk", "scooter", "walk"]
    ride = it["legs"][1]
    end = Point(ride["to"]["lon"], ride["to"]["lat"])
    assert not zone(shared_streets, "Kalasatama metro station square").covers(end)
    assert ride["booking"]["provider_id"] == shared_streets.pk and ride["booking"]["vehicle_id"].startswith(
        "ks-scooter-")
    assert ride["crow_fly"] is False and len(ride["geometry"]["coordinates"]) > 2
    assert it["legs"][2]["to"]["lat"] == METRO_SQUARE["lat"]


def test_scooter_ride_never_crosses_the_no_ride_through_zone(shared_streets, resident_client):
    park = zone(shared_streets, "Sompasaari waterfront park")
    straight = LineString([(NORTH_OF_PARK["lon"], NORTH_OF_PARK["lat"]), (SOUTH_OF_PARK["lon"], SOUTH_OF_PARK["lat"])])
    assert straight.intersects(park)
    # On the fixture's streets Sompasaari is reached only through the park: no scooter ride is offered.
    response = resident_client.post("/api/v1/plans", {"from": NORTH_OF_PARK, "to": SOUTH_OF_PARK, "modes": ["scooter"],
                                                      "departure": DEPARTURE}, format="json")
    assert response.json()["itineraries"] == []
    assert [(e["mode"], e["code"]) for e in response.json()["routing_errors"]] == [
        ("scooter", "no_route_outside_restricted_zones")]
    walk_only = plan(resident_client, NORTH_OF_PARK, SOUTH_OF_PARK, ["walk"])
    assert LineString(walk_only[0]["legs"][0]["geometry"]["coordinates"]).intersects(park)  # walking may


def test_street_path_detours_around_a_zone_when_the_streets_allow():
    g = StreetGraph.from_pbf(FIXTURE_OSM)
    a, b = (60.1880, 24.9700), (60.1850, 24.9810)
    blocked = box(24.97164, 60.18808, 24.97284, 60.18868)  # on the shortest bike path between a and b
    assert LineString(g.path("bike", a, b).coordinates).intersects(blocked)
    detour = g.path("bike", a, b, avoid=[blocked])
    assert detour is not None and not LineString(detour.coordinates).intersects(blocked)


def test_city_bike_dock_to_dock_with_a_free_dock(shared_streets, resident_client):
    near_126 = {"lat": 60.18770, "lon": 24.97650}   # Kalasataman metroasema: 34 bikes
    near_121 = {"lat": 60.18640, "lon": 24.96800}   # Vilhonvuorenkatu: 8 free docks
    (it,) = plan(resident_client, near_126, near_121, ["city_bike"])
    assert [leg["mode"] for leg in it["legs"]] == ["walk", "city_bike", "walk"]
    booking = it["legs"][1]["booking"]
    assert booking["station_id"] == "126" and booking["end_station_id"] == "121"
    end = Station.objects.get(snapshot__provider_id=booking["provider_id"], station_id="121",
                              snapshot=Provider.objects.get(pk=booking["provider_id"]).current_snapshot)
    assert end.docks_available > 0
    assert it["legs"][1]["crow_fly"] is False and it["legs"][1]["steps"]


@pytest.mark.parametrize("language, message", [
    ("en", "No city-bike station near the destination has a free dock."),
    ("fi", "Määränpään lähellä ei ole kaupunkipyöräasemaa, jossa olisi vapaa telinepaikka."),
    ("sv", "Ingen stadscykelstation nära målet har en ledig plats."),
])
def test_routing_errors_say_why_a_mode_gave_nothing(shared_streets, resident_client, language, message):
    kamppi = {"lat": 60.16885, "lon": 24.93118}  # no city-bike station of the fixture near it
    response = resident_client.post(
        "/api/v1/plans", {"from": {"lat": 60.18770, "lon": 24.97650}, "to": kamppi, "departure": DEPARTURE,
                          "modes": ["city_bike"]}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    body = response.json()
    assert response.status_code == 200 and body["itineraries"] == []
    assert body["routing_errors"] == [{"mode": "city_bike", "code": "no_free_docks_near_destination",
                                       "message": message, "details": {}}]


def test_scooter_with_no_vehicle_near_the_origin(shared_streets, resident_client):
    far = {"lat": 60.1700, "lon": 24.9400}
    body = resident_client.post("/api/v1/plans", {"from": far, "to": METRO_SQUARE, "departure": DEPARTURE,
                                                  "modes": ["scooter"]}, format="json").json()
    assert body["itineraries"] == [] and body["routing_errors"][0]["code"] == "no_vehicles_nearby"


def test_stale_scooter_provider_is_named_not_silently_dropped(shared_streets, resident_client):
    from datetime import timedelta

    from django.utils import timezone

    Provider.objects.filter(pk=shared_streets.pk).update(stale_after_s=60,
                                                         last_updated=timezone.now() - timedelta(hours=1))
    body = resident_client.post("/api/v1/plans", {"from": {"lat": 60.1905, "lon": 24.9720}, "to": METRO_SQUARE,
                                                  "departure": DEPARTURE, "modes": ["scooter"]},
                                format="json", HTTP_ACCEPT_LANGUAGE="fi").json()
    assert body["itineraries"] == []
    assert body["routing_errors"][0]["code"] == "stale_provider_data"
    assert body["routing_errors"][0]["message"] == (
        "Palveluntarjoajan saatavuustiedot ovat vanhentuneet, joten sen ajoneuvoja ei tarjota.")
