"""Late vehicles the schedule says have left, in the middle of a journey and from the previous service day."""
import pytest

from tests.realtime.conftest import active_network, feed_tables, hms, write_zip
from tests.realtime.rtfeeds import trip_update
from tests.realtime.test_plans import plan, realtime, rides, transit

DAY = "20240306"
CHAIN_STOPS = [("A", "Arabia", 60.2000, 24.9700), ("B", "Brahenkenttä", 60.1900, 24.9600),
               ("C", "Citykäytävä", 60.1700, 24.9400), ("D", "Dalsvik", 60.1600, 24.9300)]


def write_chain_feed(path):
    """X (tram) A->B 08:00, 08:20; Y (bus) B->C 08:15, 08:35, 08:55; Z (bus) C->D 08:36, 08:56, 09:16 (every ride
    10 min, default change time 2 min); N (night bus) A->D at 24:50 (arrives 25:10), every day."""
    tables = feed_tables(CHAIN_STOPS, [("X", "AG", "10", "Arabia-Brahe", "0"), ("Y", "AG", "55", "Brahe-City", "3"),
                                       ("Z", "AG", "66", "City-Dalsvik", "3"), ("N", "AG", "N9", "Yöbussi", "3")],
                         days=(1, 1, 1, 1, 1, 1, 1))
    lines = (("X", "AB", (480, 500)), ("Y", "BC", (495, 515, 535)), ("Z", "CD", (516, 536, 556)), ("N", "AD", (1490,)))
    for route, (a, b), starts in lines:
        for m in starts:
            trip = f"{route}-{m // 60:02d}{m % 60:02d}"
            ride_s = 1200 if route == "N" else 600
            tables["trips.txt"].append((route, "WD", trip, 0, b))
            tables["stop_times.txt"] += [(trip, hms(m * 60), hms(m * 60), a, 1),
                                         (trip, hms(m * 60 + ride_s), hms(m * 60 + ride_s), b, 2)]
    return write_zip(path, tables)


@pytest.fixture
def chain_net(db, tmp_path, settings, rt_store):
    """The chain feed active as "hsl", its network built where the engine looks."""
    with active_network(write_chain_feed(tmp_path / "chain.zip"), tmp_path, settings) as feed:
        yield feed


def test_late_vehicle_in_the_middle_of_a_journey(chain_net, resident_client):
    """X-0800 is 10 min late (B 08:20), Y-0815 8 min late (leaves B 08:23, scheduled 08:15: before the rider is
    there), reaching C at 08:33: the change there to Z-0836 arrives at D 08:46 (on the schedule: Y-0835, Z-0856,
    09:06)."""
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, stops=[(1, None, 600, 600, None)]),
             trip_update(2, trip_id="Y-0815", start_date=DAY, stops=[(1, None, 480, 480, None)]))
    best = transit(plan(resident_client, "A", "D", departure="2024-03-06T08:05:00+02:00"))[0]
    assert [leg["trip_id"] for leg in rides(best)] == ["hsl:X-0800", "hsl:Y-0815", "hsl:Z-0836"]
    y = rides(best)[1]
    assert y["start"] == {"scheduled_time": "2024-03-06T08:15:00+02:00",
                          "estimated": {"time": "2024-03-06T08:23:00+02:00", "delay_s": 480}}
    assert rides(best)[2]["start_time"] == "2024-03-06T08:36:00+02:00"
    assert best["end_time"] == "2024-03-06T08:46:00+02:00"


def test_added_vehicle_in_the_middle_of_a_journey(chain_net, resident_client):
    """Y-0815's own vehicle is cancelled and an extra one (ADDED, HSL style) runs it 8 min late: the change at B
    onto it, then at C to Z-0836, arrives at D 08:46."""
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, stops=[(1, None, 600, 600, None)]),
             trip_update(2, trip_id="Y-0815", start_date=DAY, relationship="CANCELED"),
             trip_update(3, route_id="Y", direction_id=0, start_date=DAY, start_time="08:15:00",
                         relationship="ADDED", stops=[(1, None, 480, 480, None)]))
    best = transit(plan(resident_client, "A", "D", departure="2024-03-06T08:05:00+02:00"))[0]
    assert [leg["trip_id"] for leg in rides(best)] == ["hsl:X-0800", "hsl:Y-0815", "hsl:Z-0836"]
    assert best["end_time"] == "2024-03-06T08:46:00+02:00"


def test_late_vehicle_of_the_previous_service_day_after_midnight(chain_net, resident_client):
    """N-2450 of 6 March (24:50, i.e. 00:50 on the 7th) is 10 min late: planning at 00:55 on the 7th rides it at
    01:00, arriving 01:20, shown with its scheduled 00:50."""
    realtime(trip_update(1, trip_id="N-2450", start_date=DAY, stops=[(1, None, 600, 600, None)]))
    best = transit(plan(resident_client, "A", "D", departure="2024-03-07T00:55:00+02:00"))[0]
    leg = rides(best)[0]
    assert leg["trip_id"] == "hsl:N-2450" and leg["realtime"] is True and leg["delay_s"] == 600
    assert leg["start"] == {"scheduled_time": "2024-03-07T00:50:00+02:00",
                            "estimated": {"time": "2024-03-07T01:00:00+02:00", "delay_s": 600}}
    assert (leg["start_time"], leg["end_time"]) == ("2024-03-07T01:00:00+02:00", "2024-03-07T01:20:00+02:00")


def test_board_after_midnight_shows_the_previous_days_late_vehicle(chain_net, api_client):
    """The board at A at 00:55 on the 7th: N-2450 of the 6th (scheduled 00:50) leaves at 01:00."""
    realtime(trip_update(1, trip_id="N-2450", start_date=DAY, stops=[(1, None, 600, 600, None)]))
    resp = api_client.get("/api/v1/stops/hsl:A/departures", {"time": "2024-03-07T00:55:00", "limit": 1})
    assert resp.status_code == 200, resp.content
    first = resp.json()["departures"][0]
    assert (first["trip_id"], first["scheduled_departure"], first["estimated_departure"], first["delay_s"]) == (
        "hsl:N-2450", "2024-03-07T00:50:00+02:00", "2024-03-07T01:00:00+02:00", 600)
