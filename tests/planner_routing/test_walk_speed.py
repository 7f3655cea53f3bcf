"""The resident's walking speed (profile walking_speed, request walk_speed) times access/egress and street walks."""
import pytest

from maas.accounts import services as accounts
from planner import street
from planner.engines.base import WALK_SPEEDS_MPS
from planner.engines.embedded.feedmeta import WALK_SPEED_MPS

A = {"lat": 60.18, "lon": 24.97}  # Kalasatama
B = {"lat": 60.19, "lon": 24.96}
WALK_M = street.crow_m((A["lat"], A["lon"]), (B["lat"], B["lon"])) * street.PROFILES["walk"][0]  # no street graph
KALASATAMA = {"lat": 60.18761, "lon": 24.97721}
KAMPPI = {"lat": 60.16885, "lon": 24.93118}
DEPARTURE = "2022-03-02T08:30:00+02:00"


def walk_only(client, **body):
    response = client.post("/api/v1/plans", {"from": A, "to": B, "modes": ["walk"], "departure": DEPARTURE,
                                             **body}, format="json")
    assert response.status_code == 200, response.content
    (it,) = response.json()["itineraries"]
    (leg,) = it["legs"]
    assert leg["mode"] == "walk" and leg["distance_m"] == round(WALK_M) == 1614
    assert leg["duration_s"] == it["duration_s"]
    return it["duration_s"]


def test_normal_is_the_networks_speed():
    assert WALK_SPEEDS_MPS["normal"] == WALK_SPEED_MPS == street.PROFILES["walk"][1]


def test_slow_profile_walks_longer_than_normal(routed_feed, resident_client):
    assert resident_client.resident.walking_speed == "normal"
    normal = walk_only(resident_client)
    accounts.update_profile(resident_client.resident.user, {"walking_speed": "slow"})
    slow = walk_only(resident_client)
    assert (normal, slow) == (round(WALK_M / 1.2), round(WALK_M / 0.9)) == (1345, 1794)
    assert slow / normal == pytest.approx(1.2 / 0.9, abs=1e-3)


def test_the_request_field_wins_over_the_profile(routed_feed, resident_client):
    accounts.update_profile(resident_client.resident.user, {"walking_speed": "slow"})
    assert walk_only(resident_client, walk_speed="fast") == round(WALK_M / 1.6) == 1009
    assert walk_only(resident_client, walk_speed="normal") == 1345


@pytest.mark.parametrize("language, message", [
    ("en", "walk_speed must be one of slow, normal, fast."),
    ("fi", "walk_speed-arvon on oltava slow, normal tai fast."),
    ("sv", "walk_speed måste vara slow, normal eller fast."),
])
def test_invalid_walk_speed_is_a_400_with_a_code(routed_feed, resident_client, language, message):
    response = resident_client.post("/api/v1/plans", {"from": A, "to": B, "walk_speed": "jogging"},
                                    format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["message"], error["details"]["field"]) == ("invalid_walk_speed", message,
                                                                          "walk_speed")


def test_transit_access_walk_follows_the_pace(routed_feed, resident_client):
    trip = {"from": KALASATAMA, "to": KAMPPI, "departure": DEPARTURE, "modes": ["walk", "transit"]}
    normal = resident_client.post("/api/v1/plans", trip, format="json").json()["itineraries"][0]["legs"][0]
    slow = resident_client.post("/api/v1/plans", trip | {"walk_speed": "slow"},
                                format="json").json()["itineraries"][0]["legs"][0]
    assert normal["mode"] == slow["mode"] == "walk" and normal["to"] == slow["to"]
    assert normal["distance_m"] == slow["distance_m"] > 0
    assert slow["duration_s"] == pytest.approx(normal["duration_s"] * 1.2 / 0.9, abs=2)


def test_street_access_at_a_slower_pace_takes_longer(kalasatama_streets):
    normal = kalasatama_streets.access(KALASATAMA["lat"], KALASATAMA["lon"], 1000)
    slow = kalasatama_streets.access(KALASATAMA["lat"], KALASATAMA["lon"], 1000, walk_mps=0.9)
    assert normal and set(slow) == set(normal)
    for stop, (secs, metres, crow_fly) in normal.items():
        assert not crow_fly and not slow[stop][2]
        assert slow[stop][1] == pytest.approx(metres, abs=2)  # the same path, walked slower
        assert slow[stop][0] == pytest.approx(secs * 1.2 / 0.9, abs=2)
