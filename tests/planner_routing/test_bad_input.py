"""Every malformed planner request is a 400 with a specific code (never a 500 or the generic code)."""
import pytest

from planner.serializers import MAX_DESTINATIONS

KALASATAMA = {"lat": 60.18761, "lon": 24.97721}
KAMPPI = {"lat": 60.16885, "lon": 24.93118}
DEPARTURE = "2022-03-02T08:30:00+02:00"


def plan(client, **body):
    return client.post("/api/v1/plans", {"from": KALASATAMA, "to": KAMPPI, "departure": DEPARTURE, **body},
                       format="json")


def access(client, **body):
    return client.post("/api/v1/accessibility", {"origin": KALASATAMA, "minutes": 15, "departure": DEPARTURE,
                                                 **body}, format="json")


@pytest.mark.parametrize("body, code", [
    ({"from": {"lat": "north", "lon": 24.9}}, "invalid_coordinates"),
    ({"from": {"lat": 60.2}}, "invalid_coordinates"),  # lon missing
    ({"to": {"lat": 95, "lon": 24.9}}, "invalid_coordinates"),
    ({"to": {"lat": "NaN", "lon": 24.9}}, "invalid_coordinates"),
    ({"to": {"lat": 60.2, "lon": "Infinity"}}, "invalid_coordinates"),
    ({"to": "Kamppi"}, "invalid_coordinates"),
    ({"max_walk_m": "far"}, "invalid_max_walk_m"),
    ({"max_walk_m": -5}, "invalid_max_walk_m"),
    ({"max_walk_m": 10_000}, "invalid_max_walk_m"),
    ({"language": "de"}, "unsupported_language"),
    ({"departure": "tomorrow morning"}, "invalid_time"),
    ({"departure": "9999-12-31T23:59:00+00:00", "modes": ["walk"]}, "time_out_of_range"),
    ({"departure": "2500-06-01T08:00:00+02:00", "modes": ["walk"]}, "time_out_of_range"),
    ({"modes": "transit"}, "invalid_modes"),
    ({"modes": ["walk"] * 8}, "invalid_modes"),
    ({"num_itineraries": 50}, "invalid_num_itineraries"),
    ({"wheelchair": "perhaps"}, "invalid_wheelchair"),
])
def test_plan_bad_input(routed_feed, resident_client, body, code):
    response = plan(resident_client, **body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]


def test_plan_body_must_be_an_object(routed_feed, resident_client):
    response = resident_client.post("/api/v1/plans", [1, 2], format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_body"
    response = resident_client.post("/api/v1/plans", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"


def test_street_only_far_future_is_400_even_without_a_network(db, resident_client, fresh_engine, settings, tmp_path):
    settings.NETWORK_DIR = tmp_path  # no feed, no network: street-only plans still answer
    settings.PLAN_CROW_FLY_MAX_M = 5000  # (straight-line bike trips up to 5 km without a street network)
    ok = plan(resident_client, modes=["bike"])
    assert ok.status_code == 200 and ok.json()["itineraries"][0]["legs"][0]["mode"] == "bike"
    bad = plan(resident_client, modes=["bike"], departure="9999-12-31T23:59:00+00:00")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "time_out_of_range"
    bad = resident_client.post("/api/v1/plans", {"from": KALASATAMA, "to": KAMPPI, "modes": ["walk"],
                                                 "arrival": "2500-06-01T08:00:00+02:00"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "time_out_of_range"


def test_max_walk_m_zero_is_honoured(routed_feed, resident_client):
    # No walking at all: coordinates 6 m from the platform reach no stop, so no transit itinerary.
    response = plan(resident_client, max_walk_m=0, modes=["walk", "transit"])
    assert response.status_code == 200
    assert not [leg for it in response.json()["itineraries"] for leg in it["legs"] if leg["transit"]]
    response = plan(resident_client, max_walk_m=1500, modes=["walk", "transit"])
    assert any(leg["transit"] for leg in response.json()["itineraries"][0]["legs"])


@pytest.mark.parametrize("body, code", [
    ({"minutes": 0}, "minutes_out_of_range"),
    ({"minutes": 500}, "minutes_out_of_range"),
    ({"minutes": "quarter"}, "invalid_minutes"),
    ({"origin": {"lat": "x", "lon": 1}}, "invalid_coordinates"),
    ({"destinations": [{"id": "a", "lat": 60.17, "lon": 24.93}] * (MAX_DESTINATIONS + 1)}, "too_many_destinations"),
    ({"destinations": [{"id": "a", "lat": "somewhere", "lon": 24.93}]}, "invalid_destinations"),
    ({"destinations": [{"id": "a", "lat": 60.17, "lon": "NaN"}]}, "invalid_destinations"),
    ({"modes": ["walk", "teleport"]}, "unknown_mode"),
    ({"modes": ["car"]}, "unsupported_mode"),
    ({"radius_m": 5}, "invalid_radius_m"),
    ({"format": "kml"}, "invalid_format"),
    ({"departure": "1800-01-01T08:00:00+02:00"}, "time_out_of_range"),
    ({"origin": {"lat": 60.45, "lon": 22.27}}, "outside_network_area"),
    ({"origin": {"stop_id": "no-such-stop"}}, "unknown_stop"),
])
def test_accessibility_bad_input(routed_feed, resident_client, body, code):
    response = access(resident_client, **body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code, response.json()
