"""Alternative itineraries: next departures, no dominated options, no rides away and back."""
from datetime import datetime, timedelta

from planner.engines.embedded.alternatives import dominated, revisits


def _stations(*names):
    return [frozenset({("name", n)}) for n in names]


def test_dominated_drops_later_arrival_with_earlier_or_equal_start():
    items = [(100, 500, 0),   # 0: the best
             (90, 800, 1),    # 1: leaves earlier but arrives later than 0 with more changes: dominated
             (100, 800, 1),   # 2: same start as 0, later, more changes: dominated by 0
             (200, 600, 0),   # 3: next departure
             (150, 700, 0),   # 4: leaves before 3, arrives after it: dominated by 3
             (100, 500, 0)]   # 5: an exact tie with 0 (other trips): the first listed stays
    assert dominated(items) == {1, 2, 4, 5}
    assert dominated([(0, 10, 0), (0, 10, 1)]) == {1}
    assert dominated([(0, 10, 1), (5, 12, 0)]) == set()  # fewer changes keep the later one


def test_revisits_spots_a_ride_away_and_back():
    # M2 Kalasatama -> Kulosaari, change (other platform), M2 back west through Kalasatama to Kamppi.
    away = _stations("kalasatama", "kulosaari")
    back = _stations("kulosaari", "kalasatama", "sornainen", "kamppi")
    assert revisits([away, back])
    # A change at one station (alight and board there) is a single visit, not a revisit.
    assert not revisits([_stations("a", "b", "c"), _stations("c", "d")])
    # A change by footpath between two stops of one station (different ids, same name).
    assert not revisits([[frozenset({("id", "1"), ("name", "x")})],
                         [frozenset({("id", "2"), ("name", "x")}), frozenset({("id", "3"), ("name", "y")})]])
    assert revisits([_stations("a", "b"), _stations("b", "c"), _stations("c", "a")])
    assert not revisits([_stations("a", "b", "c")])


def _at(iso):
    return datetime.fromisoformat(iso)


def test_kalasatama_to_kamppi_alternatives_are_next_direct_metros(routed_feed, resident_client):
    response = resident_client.post("/api/v1/plans", {
        "from": {"lat": 60.18761, "lon": 24.97721}, "to": {"lat": 60.16896, "lon": 24.93135},
        "departure": "2022-03-01T08:30:00+02:00", "modes": ["walk", "transit"], "num_itineraries": 3},
        format="json")
    assert response.status_code == 200, response.json()
    its = [it for it in response.json()["itineraries"] if any(leg["transit"] for leg in it["legs"])]
    assert len(its) >= 2, its
    boardings = []
    for it in its:
        rides = [leg for leg in it["legs"] if leg["transit"]]
        assert len(rides) == 1 and it["transfers"] == 0, [(r["from"]["name"], r["to"]["name"]) for r in rides]
        ride = rides[0]
        assert ride["mode"] == "metro" and ride["route_short_name"] in ("M1", "M2")
        assert (ride["from"]["name"], ride["to"]["name"]) == ("Kalasatama", "Kamppi")
        boardings.append(_at(ride["start_time"]))
    assert boardings == sorted(set(boardings)), boardings  # strictly increasing departures
    assert boardings[0] >= _at("2022-03-01T08:30:00+02:00")
    assert boardings[1] - boardings[0] <= timedelta(minutes=10)
    triples = [(_at(it["start_time"]), _at(it["end_time"]), it["transfers"]) for it in its]
    assert dominated(triples) == set()
