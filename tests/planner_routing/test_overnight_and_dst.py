"""Trips past midnight (GTFS times > 24:00:00) and DST days ("noon minus 12 h" service-day times)."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from planner.engines.base import PlanRequest
from tests.planner_routing.conftest import at
from tests.planner_routing.test_correctness import build, write_rows
from tests.planner_routing.test_embedded_engine import KALASATAMA_M, KAMPPI_M, clock, raw_stop_times

HELSINKI = ZoneInfo("Europe/Helsinki")


def night_feed(directory):
    """N1 runs on Tuesdays and Saturdays only, 24:40 -> 25:10; D1 every day at 05:00 and 02:30."""
    directory.mkdir()
    write_rows(directory / "agency.txt", ["agency_id", "agency_name", "agency_url", "agency_timezone"],
               [["A", "A", "http://example.org", "Europe/Helsinki"]])
    write_rows(directory / "stops.txt", ["stop_id", "stop_name", "stop_lat", "stop_lon"],
               [["S1", "Yksi", 60.18, 24.95], ["S2", "Kaksi", 60.25, 24.96]])  # 8 km apart
    write_rows(directory / "routes.txt", ["route_id", "agency_id", "route_short_name", "route_type"],
               [["R1", "A", "N1", 3], ["R2", "A", "1", 3]])
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    write_rows(directory / "calendar.txt", ["service_id", *days, "start_date", "end_date"],
               [["TU_SA", 0, 1, 0, 0, 0, 1, 0, "20240101", "20241231"],
                ["ALL", 1, 1, 1, 1, 1, 1, 1, "20240101", "20241231"]])
    write_rows(directory / "trips.txt", ["route_id", "service_id", "trip_id"],
               [["R1", "TU_SA", "N1"], ["R2", "ALL", "D1"], ["R2", "ALL", "D2"]])
    write_rows(directory / "stop_times.txt", ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"],
               [["N1", "24:40:00", "24:40:00", "S1", 1], ["N1", "25:10:00", "25:10:00", "S2", 2],
                ["D1", "05:00:00", "05:00:00", "S1", 1], ["D1", "05:20:00", "05:20:00", "S2", 2],
                ["D2", "02:30:00", "02:30:00", "S1", 1], ["D2", "02:50:00", "02:50:00", "S2", 2]])
    return directory


def plan(net, **when):
    return net.plan(PlanRequest(origin=(0, 0), destination=(0, 0), origin_stop_id="S1", destination_stop_id="S2",
                                num_itineraries=1, **when))


def test_a_0030_departure_takes_the_previous_service_days_2440_trip(tmp_path):
    net = build(tmp_path, night_feed(tmp_path / "feed"))
    # Wednesday 00:30: Tuesday's N1 (24:40:00) leaves at 00:40 on Wednesday.
    (it,) = plan(net, departure=datetime(2024, 3, 6, 0, 30, tzinfo=HELSINKI))
    (leg,) = it["legs"]
    assert (leg["trip_id"], leg["route_short_name"]) == ("N1", "N1")
    assert (leg["start_time"], leg["end_time"]) == ("2024-03-06T00:40:00+02:00", "2024-03-06T01:10:00+02:00")
    # Thursday 00:30: no N1 on Wednesday, so the first ride is D2 at 02:30.
    (it,) = plan(net, departure=datetime(2024, 3, 7, 0, 30, tzinfo=HELSINKI))
    assert it["legs"][0]["trip_id"] == "D2" and it["start_time"] == "2024-03-07T02:30:00+02:00"
    # Arrive-by 01:30 on Wednesday: the latest departure arriving in time is Tuesday's N1.
    (it,) = plan(net, arrival=datetime(2024, 3, 6, 1, 30, tzinfo=HELSINKI))
    assert it["legs"][0]["trip_id"] == "N1" and it["end_time"] == "2024-03-06T01:10:00+02:00"
    # The travel-time matrix sees it too: 10 min wait + 30 min ride.
    stops = net.meta.stops
    rows = net.travel_time_matrix([{"id": "o", "lat": stops["S1"]["lat"], "lon": stops["S1"]["lon"]}],
                                  [{"id": "d", "lat": stops["S2"]["lat"], "lon": stops["S2"]["lon"]}],
                                  departure=datetime(2024, 3, 6, 0, 30, tzinfo=HELSINKI), modes={"walk", "transit"},
                                  max_time_s=3600, max_walk_m=50)
    assert rows and 40 * 60 <= rows[0]["travel_time_s"] <= 41 * 60


def test_service_day_times_on_the_dst_start_day_count_from_noon_minus_12h(tmp_path):
    net = build(tmp_path, night_feed(tmp_path / "feed"))
    sunday = date(2024, 3, 31)  # clocks go 03:00 EET -> 04:00 EEST
    # Service-day time 0 is 23:00 on Saturday (noon EEST - 12 h), not midnight.
    assert net.iso(sunday, 0) == "2024-03-30T23:00:00+02:00"
    assert net.split(datetime(2024, 3, 31, 0, 30, tzinfo=HELSINKI)) == (sunday, 5400)
    assert net.split(datetime(2024, 3, 31, 8, 30, tzinfo=HELSINKI)) == (sunday, 8 * 3600 + 30 * 60)
    assert net.previous_shift(sunday) == 23 * 3600
    # D2 (02:30:00) runs at 01:30 local that night, by the GTFS definition.
    (it,) = plan(net, departure=datetime(2024, 3, 31, 1, 15, tzinfo=HELSINKI))
    assert it["legs"][0]["trip_id"] == "D2"
    assert (it["start_time"], it["end_time"]) == ("2024-03-31T01:30:00+02:00", "2024-03-31T01:50:00+02:00")
    # Saturday's N1 (24:40:00 from Saturday's 22:00 UTC start) leaves at 00:40 EET on Sunday: cafein
    # would put it an hour early (fixed 24 h shift); the exact scan has it right.
    (it,) = plan(net, departure=datetime(2024, 3, 31, 0, 30, tzinfo=HELSINKI))
    assert it["legs"][0]["trip_id"] == "N1"
    assert (it["start_time"], it["end_time"]) == ("2024-03-31T00:40:00+02:00", "2024-03-31T01:10:00+02:00")
    # D1 at 05:00:00 is 05:00 EEST (after the change, wall clock and service-day time agree).
    (it,) = plan(net, departure=datetime(2024, 3, 31, 4, 30, tzinfo=HELSINKI))
    assert it["start_time"] == "2024-03-31T05:00:00+03:00"


def test_fixture_times_on_2022_03_27_the_eu_dst_start(kalasatama):
    when = at(6, 40).replace(day=27)  # a Sunday, EEST since 04:00
    its = kalasatama.plan(PlanRequest(origin=KALASATAMA_M, destination=KAMPPI_M, departure=when))
    metro = next(leg for leg in its[0]["legs"] if leg["transit"])
    rows = raw_stop_times(metro["trip_id"])
    assert "_Su_" in metro["trip_id"]  # the Sunday service
    assert metro["start_time"].startswith("2022-03-27T") and metro["start_time"].endswith("+03:00")
    assert clock(metro["start_time"]) == rows["hsl:1100602"]["departure_time"]
    assert clock(metro["end_time"]) == rows["hsl:1040602"]["arrival_time"]
    assert datetime.fromisoformat(metro["start_time"]) >= when
