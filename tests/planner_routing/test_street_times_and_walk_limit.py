"""Street-leg times across DST changes (UTC arithmetic) and max_walk_m bounding every walk leg."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from planner import street

A = {"lat": 60.18, "lon": 24.97}
B = {"lat": 60.19, "lon": 24.96}  # 1614 m of walking (crow-fly x 1.3), 1345 s at 1.2 m/s
WALK_M, WALK_S = 1614, 1345


@pytest.fixture
def street_only(db, settings, tmp_path, fresh_engine):
    settings.NETWORK_DIR = tmp_path  # no feed, no network: street-only plans still answer


def plan(client, **body):
    return client.post("/api/v1/plans", {"from": A, "to": B, "modes": ["walk"], **body}, format="json")


def only_walk(response):
    assert response.status_code == 200, response.content
    (it,) = response.json()["itineraries"]
    (leg,) = it["legs"]
    assert leg["mode"] == "walk" and leg["distance_m"] == WALK_M and it["duration_s"] == WALK_S
    assert (leg["start_time"], leg["end_time"]) == (it["start_time"], it["end_time"])
    return it["start_time"], it["end_time"]


@pytest.mark.parametrize("when, start, end", [
    # 02:59 EET + 22 min 25 s crosses 03:00 EET -> 04:00 EEST (was "03:21:25+02:00", a time that never was).
    ({"departure": "2022-03-27T02:59:00"}, "2022-03-27T02:59:00+02:00", "2022-03-27T04:21:25+03:00"),
    ({"departure": "2022-03-27T02:59:00+02:00"}, "2022-03-27T02:59:00+02:00", "2022-03-27T04:21:25+03:00"),
    # A naive wall time inside the gap moves forward by the gap: 03:30 is read as 04:30 EEST.
    ({"departure": "2022-03-27T03:30:00"}, "2022-03-27T04:30:00+03:00", "2022-03-27T04:52:25+03:00"),
    # Arrive-by across the gap: 04:10 EEST minus 22 min 25 s is 02:47:35 EET.
    ({"arrival": "2022-03-27T04:10:00"}, "2022-03-27T02:47:35+02:00", "2022-03-27T04:10:00+03:00"),
    # Autumn: an ambiguous naive wall time is its first occurrence (EEST); the walk ends in the repeated hour.
    ({"departure": "2022-10-30T03:50:00"}, "2022-10-30T03:50:00+03:00", "2022-10-30T03:12:25+02:00"),
    ({"departure": "2022-03-01T08:00:00+02:00"}, "2022-03-01T08:00:00+02:00", "2022-03-01T08:22:25+02:00"),
])
def test_walk_times_across_dst_changes(street_only, resident_client, when, start, end):
    assert only_walk(plan(resident_client, **when)) == (start, end)


@pytest.mark.django_db  # legs look up the active street network (none here: straight lines)
def test_chained_street_legs_keep_the_zone_across_the_change():
    helsinki = ZoneInfo("Europe/Helsinki")
    o, m, d = street.point("o", 60.18, 24.97), street.point("m", 60.19, 24.96), street.point("d", 60.20, 24.95)
    legs = street.chain([("walk", o, m, None, 0), ("bike", m, d, None, 0)],
                        datetime(2022, 3, 27, 2, 50, tzinfo=helsinki))
    assert [x["start_time"] for x in legs] == ["2022-03-27T02:50:00+02:00", "2022-03-27T04:12:25+03:00"]
    assert legs[1]["end_time"] == "2022-03-27T04:18:18+03:00" and legs[1]["duration_s"] == 353
    street.shift_to_arrive(legs, datetime(2022, 3, 27, 4, 5, tzinfo=helsinki))
    assert [x["start_time"] for x in legs] == ["2022-03-27T02:36:42+02:00", "2022-03-27T02:59:07+02:00"]
    assert legs[0]["end_time"] == "2022-03-27T02:59:07+02:00" and legs[1]["end_time"] == "2022-03-27T04:05:00+03:00"


DEPARTURE = "2022-03-01T08:00:00+02:00"


def test_max_walk_m_zero_rules_out_a_walk_only_trip(street_only, resident_client):
    response = plan(resident_client, departure=DEPARTURE, max_walk_m=0)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "no_itinerary_within_limits"
    assert error["details"] == {"max_walk_m": 0, "required_max_walk_m": WALK_M}
    assert plan(resident_client, departure=DEPARTURE, max_walk_m=WALK_M - 1).status_code == 400


def test_max_walk_m_at_or_above_the_walk_and_omitted_keep_it(street_only, resident_client):
    only_walk(plan(resident_client, departure=DEPARTURE, max_walk_m=WALK_M))
    only_walk(plan(resident_client, departure=DEPARTURE))  # omitted: walk-only trips are not limited


def test_max_walk_m_drops_only_the_itineraries_that_walk_too_far(street_only, resident_client):
    response = plan(resident_client, departure=DEPARTURE, modes=["walk", "bike"], max_walk_m=1000)
    assert response.status_code == 200, response.content
    assert [[leg["mode"] for leg in it["legs"]] for it in response.json()["itineraries"]] == [["bike"]]
    response = plan(resident_client, departure=DEPARTURE, modes=["walk", "bike"])
    assert sorted(it["legs"][0]["mode"] for it in response.json()["itineraries"]) == ["bike", "walk"]


def test_max_walk_m_bounds_transit_walk_legs(routed_feed, resident_client):
    body = {"from": {"lat": 60.18761, "lon": 24.97721}, "to": {"lat": 60.16885, "lon": 24.93118},
            "departure": "2022-03-02T08:30:00+02:00", "modes": ["walk", "transit"]}
    loose = resident_client.post("/api/v1/plans", {**body, "max_walk_m": 1500}, format="json").json()["itineraries"]
    assert loose and any(leg["transit"] for leg in loose[0]["legs"])
    longest = max(leg["distance_m"] for it in loose for leg in it["legs"] if leg["mode"] == "walk")
    assert longest > 0  # the 7 m walk to the M1 platform
    response = resident_client.post("/api/v1/plans", {**body, "max_walk_m": longest - 1}, format="json")
    assert response.status_code == 200, response.content
    kept = response.json()["itineraries"]
    assert kept and all(any(leg["transit"] for leg in it["legs"]) for it in kept)
    # The 7 m walk to the westbound platform is ruled out: every kept itinerary boards elsewhere (the
    # eastbound platform, riding away and back, kept as it is the quickest left).
    board = next(leg for leg in loose[0]["legs"] if leg["transit"])["from"]["stop_id"]
    assert all(next(leg for leg in it["legs"] if leg["transit"])["from"]["stop_id"] != board for it in kept)
    assert all(leg["distance_m"] < longest for it in kept for leg in it["legs"] if leg["mode"] == "walk")
