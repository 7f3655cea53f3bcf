"""POST /api/v1/plans and /api/v1/accessibility over the imported fixture feed."""
import io

import pytest
from django.core.management import call_command

from planner.engines.embedded.artifacts import artifact_paths, split_path

KALASATAMA = {"lat": 60.18761, "lon": 24.97721}
KAMPPI = {"lat": 60.16885, "lon": 24.93118}
DEPARTURE = "2022-03-02T08:30:00+02:00"


def plan(client, **body):
    return client.post("/api/v1/plans", {"from": KALASATAMA, "to": KAMPPI, "departure": DEPARTURE, **body},
                       format="json")


def test_plan_kalasatama_to_kamppi(routed_feed, resident_client):
    response = plan(resident_client, modes=["walk", "transit"], language="fi")
    assert response.status_code == 200, response.json()
    best = response.json()["itineraries"][0]
    metro = next(leg for leg in best["legs"] if leg["transit"])
    assert (metro["mode"], metro["route_short_name"]) == ("metro", "M1") or metro["route_short_name"] == "M2"
    assert (metro["from"]["name"], metro["to"]["name"]) == ("Kalasatama", "Kamppi")
    assert metro["duration_s"] == 420
    assert best["start_time"].startswith("2022-03-02T08:3") and best["end_time"] <= "2022-03-02T08:41"
    price = best["price"]
    assert "total_cents" in price and (price["total_cents"] is None) == ("reason" in price and "legs" not in price)
    # Stop ids work as endpoints too, and arrive-by returns journeys that arrive in time.
    response = resident_client.post("/api/v1/plans", {"from": {"stop_id": "1100602"}, "to": {"stop_id": "1040602"},
                                                       "arrival": "2022-03-02T09:00:00+02:00"}, format="json")
    assert response.status_code == 200, response.json()
    its = response.json()["itineraries"]
    assert its and all(it["end_time"] <= "2022-03-02T09:00:00+02:00" for it in its)
    assert its[0]["legs"][0]["from"]["stop_id"] == "hsl:1100602"  # an unqualified id in, the qualified one out


def test_plan_adds_walk_bike_car_options(routed_feed, resident_client):
    response = plan(resident_client, modes=["walk", "bike", "car", "transit"])
    assert response.status_code == 200, response.json()
    modes = [tuple(leg["mode"] for leg in it["legs"]) for it in response.json()["itineraries"]]
    assert ("car",) in modes
    car = next(it for it in response.json()["itineraries"] if it["legs"][0]["mode"] == "car")
    assert car["legs"][0]["crow_fly"] is True and car["co2_g"] > 0
    # No street network here: a 3.2 km straight-line bike trip is not offered as if it were a real path.
    assert ("bike",) not in modes
    assert {"mode": "bike", "code": "too_far_without_street_network", "details": {"max_distance_m": 1500}}.items() \
        <= next(e for e in response.json()["routing_errors"] if e["mode"] == "bike").items()


@pytest.mark.parametrize("body, code", [
    ({"to": {"lat": 60.45, "lon": 22.27}}, "outside_network_area"),  # Turku
    ({"departure": "2023-06-01T08:30:00+03:00"}, "outside_service_dates"),
    ({"modes": ["transit", "hoverboard"]}, "unknown_mode"),
    ({"to": KALASATAMA}, "same_origin_destination"),
    ({"arrival": "2022-03-02T09:00:00+02:00"}, "time_required"),  # both departure and arrival
    ({"to": {"stop_id": "no-such-stop"}}, "unknown_stop"),
])
def test_plan_bad_input_is_400_with_a_specific_code(routed_feed, resident_client, body, code):
    response = plan(resident_client, **body)
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == code


def test_plan_is_503_without_feed_or_network(db, resident_client, fresh_engine, settings, tmp_path):
    settings.NETWORK_DIR = tmp_path
    settings.ROUTING_FEED_RECHECK_S = 0  # see feed activation at once (default: re-checked every 2 s)
    response = plan(resident_client)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_active_feed"

    from planner.gtfs.loader import import_feed
    from tests.planner_routing.conftest import FIXTURE_GTFS

    feed = import_feed(str(FIXTURE_GTFS), name="hsl", activate=True).feed
    response = plan(resident_client)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "network_not_built" and "build_network" in error["message"]

    # build_network (here through its Celery task, eager in tests) builds it once per feed version.
    out = io.StringIO()
    call_command("build_network", "--no-osm", "--async", stdout=out)
    assert "queued planner.build_network" in out.getvalue()
    network_path, meta_path = artifact_paths(feed)
    assert network_path.exists() and meta_path.exists() and split_path(network_path).exists()
    assert plan(resident_client).status_code == 200
    out = io.StringIO()
    call_command("build_network", "--no-osm", stdout=out)
    assert "already built" in out.getvalue()


def test_plan_requires_authentication(routed_feed, api_client):
    assert plan(api_client).status_code == 401


def test_accessibility_within_15_minutes(routed_feed, resident_client):
    body = {"origin": KALASATAMA, "minutes": 15, "departure": DEPARTURE, "modes": ["walk", "transit"],
            "destinations": [{"id": "kamppi", "name": "Kamppi", **KAMPPI},
                             {"id": "kapyla", "name": "Pohjolanaukio", "lat": 60.2137, "lon": 24.9451}]}
    response = resident_client.post("/api/v1/accessibility", body, format="json")
    assert response.status_code == 200, response.json()
    result = {d["id"]: d for d in response.json()["destinations"]}
    assert result["kamppi"]["reachable"] and 400 <= result["kamppi"]["travel_time_s"] <= 600
    assert result["kapyla"]["reachable"] is False
    geo = resident_client.post("/api/v1/accessibility", {**body, "format": "geojson"}, format="json").json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 2
    # Category "stops": the feed's stops around the origin.
    stops = resident_client.post("/api/v1/accessibility", {"origin": KALASATAMA, "minutes": 10,
                                                           "departure": DEPARTURE, "category": "stops",
                                                           "radius_m": 2000}, format="json").json()
    assert stops["reachable_count"] > 0 and stops["total"] >= stops["reachable_count"]
    bad = resident_client.post("/api/v1/accessibility", {"origin": KALASATAMA, "minutes": 10, "category": "zoo",
                                                         "departure": DEPARTURE},
                               format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_category"
