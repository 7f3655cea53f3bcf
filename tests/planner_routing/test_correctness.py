"""The embedded engine against a brute-force search, and the cafein gaps our layer covers."""
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import cafein
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.engines.base import PlanRequest
from planner.engines.embedded import EmbeddedNetwork
from planner.engines.embedded.build import build_artifacts
from planner.engines.embedded.search import ARRIVE_WINDOW_S
from tests.support.baseline import TimeExpandedGraph
from tests.support.synthetic import write_feed

HELSINKI = ZoneInfo("Europe/Helsinki")
DAY = date(2024, 3, 6)


def build(tmp_path, feed_dir):
    build_artifacts(feed_dir, tmp_path / "n.cafein", tmp_path / "n.meta.pickle")
    return EmbeddedNetwork.load(tmp_path / "n.cafein", tmp_path / "n.meta.pickle")


def stop_to_stop(net, a, b, secs, wheelchair=False):
    when = datetime.combine(DAY, time(), tzinfo=HELSINKI) + timedelta(seconds=secs)
    its = net.plan(PlanRequest(origin=(0, 0), destination=(0, 0), origin_stop_id=a, destination_stop_id=b,
                               departure=when, wheelchair=wheelchair, num_itineraries=1))
    return day_secs(net, its[0]["end_time"]) if its else None


def day_secs(net, iso):
    """An itinerary time as seconds in DAY's service-day frame (negative: before DAY's start)."""
    return int((datetime.fromisoformat(iso) - net.day_base(DAY)).total_seconds())


def write_rows(path, header, rows):
    path.write_text("\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n")


def tiny_feed(directory):
    """S1 -T1-> S2 at 08:05; T2 leaves S2 at 08:05 (a 0 s change), T3 at 08:08."""
    directory.mkdir()
    write_rows(directory / "agency.txt", ["agency_id", "agency_name", "agency_url", "agency_timezone"],
               [["A", "A", "http://example.org", "Europe/Helsinki"]])
    write_rows(directory / "stops.txt", ["stop_id", "stop_name", "stop_lat", "stop_lon"],
               [["S1", "Yksi", 60.18, 24.95], ["S2", "Kaksi", 60.181, 24.96], ["S3", "Kolme", 60.182, 24.97]])
    write_rows(directory / "routes.txt", ["route_id", "agency_id", "route_short_name", "route_type"],
               [["R1", "A", "1", 0], ["R2", "A", "2", 3]])
    write_rows(directory / "calendar.txt", ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                                            "saturday", "sunday", "start_date", "end_date"],
               [["WK", 1, 1, 1, 1, 1, 1, 1, "20240101", "20241231"]])
    write_rows(directory / "trips.txt", ["route_id", "service_id", "trip_id"],
               [["R1", "WK", "T1"], ["R2", "WK", "T2"], ["R2", "WK", "T3"]])
    write_rows(directory / "stop_times.txt", ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"],
               [["T1", "08:00:00", "08:00:00", "S1", 1], ["T1", "08:05:00", "08:05:00", "S2", 2],
                ["T2", "08:05:00", "08:05:00", "S2", 1], ["T2", "08:10:00", "08:10:00", "S3", 2],
                ["T3", "08:08:00", "08:08:00", "S2", 1], ["T3", "08:13:00", "08:13:00", "S3", 2]])
    write_rows(directory / "translations.txt", ["table_name", "field_name", "language", "translation",
                                                "record_id", "field_value"],
               [["stops", "stop_name", "sv", "Två", "S2", ""], ["stops", "stop_name", "sv", "Tre", "", "Kolme"]])
    return directory


def test_cafein_alone_allows_a_zero_second_change_and_we_do_not(tmp_path):
    feed = tiny_feed(tmp_path / "feed")
    raw = cafein.TransportNetwork.from_gtfs(str(feed))
    (journey,) = raw.route_between_stops("S1", "S3", departure="2024-03-06 07:55")
    assert [leg.get("trip_id") for leg in journey["legs"] if leg["type"] == "transit"] == ["T1", "T2"]

    net = build(tmp_path, feed)
    its = net.plan(PlanRequest(origin=(0, 0), destination=(0, 0), origin_stop_id="S1", destination_stop_id="S3",
                               departure=datetime(2024, 3, 6, 7, 55, tzinfo=HELSINKI)))
    legs = its[0]["legs"]
    assert [leg["trip_id"] for leg in legs] == ["T1", "T3"]  # 3 min change >= the 2 min minimum
    assert its[0]["end_time"] == "2024-03-06T08:13:00+02:00"
    assert [leg["mode"] for leg in legs] == ["tram", "bus"]
    # The first search on the per-pattern split network found T1+T3 (the others look for next departures):
    # nothing to reject, no exact scan.
    assert 1 <= net.stats["searches"] <= 3 and net.stats["rejected_journeys"] == 0
    assert net.stats["exact_fallbacks"] == 0


def test_transfers_txt_min_transfer_time_is_applied(tmp_path):
    feed = tiny_feed(tmp_path / "feed")
    write_rows(feed / "transfers.txt", ["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"],
               [["S2", "S2", 2, 240]])  # 4 min at S2: T3 (3 min later) is now too tight as well
    net = build(tmp_path, feed)
    assert stop_to_stop(net, "S1", "S3", 7 * 3600 + 55 * 60) is None


def test_stop_names_in_the_requested_language(tmp_path):
    net = build(tmp_path, tiny_feed(tmp_path / "feed"))
    its = net.plan(PlanRequest(origin=(0, 0), destination=(0, 0), origin_stop_id="S1", destination_stop_id="S3",
                               departure=datetime(2024, 3, 6, 7, 55, tzinfo=HELSINKI), language="sv"))
    legs = its[0]["legs"]
    assert (legs[0]["from"]["name"], legs[0]["to"]["name"], legs[1]["to"]["name"]) == ("Yksi", "Två", "Tre")
    its = net.plan(PlanRequest(origin=(0, 0), destination=(0, 0), origin_stop_id="S1", destination_stop_id="S3",
                               departure=datetime(2024, 3, 6, 7, 55, tzinfo=HELSINKI), language="fi"))
    assert its[0]["legs"][0]["to"]["name"] == "Kaksi"


def brute_latest_departure(graph, a, b, deadline, max_rides, window=ARRIVE_WINDOW_S):
    """The latest departure τ in [deadline - window, deadline] whose earliest arrival is <= deadline."""
    def ok(tau):
        got = graph.earliest_arrival(t0=tau, access={a: 0}, egress={b: 0}, max_rides=max_rides)
        return got is not None and got <= deadline

    lo, hi = deadline - window, deadline + 1
    if not ok(lo):
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


def arrive_by(net, a, b, deadline, wheelchair=False):
    when = datetime.combine(DAY, time(), tzinfo=HELSINKI) + timedelta(seconds=deadline)
    its = net.plan(PlanRequest(origin=(0, 0), destination=(0, 0), origin_stop_id=a, destination_stop_id=b,
                               arrival=when, wheelchair=wheelchair, num_itineraries=1))
    if not its:
        return None
    assert day_secs(net, its[0]["end_time"]) <= deadline
    return day_secs(net, its[0]["start_time"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), stops=st.integers(6, 30), lines=st.integers(2, 7),
       headway=st.sampled_from([180, 300, 420, 600]), wheelchair=st.booleans(), slow_change=st.booleans(),
       overnight=st.booleans())
def test_earliest_arrival_equals_brute_force_on_random_feeds(tmp_path_factory, seed, stops, lines, headway,
                                                             wheelchair, slow_change, overnight):
    """Depart-at and arrive-by against a time-expanded Dijkstra. With `overnight`, the trips run from
    23:30 past midnight (GTFS 24:xx-25:xx) and queries are in the first half hour: only the previous
    service day's trips can serve them, in both searches."""
    tmp = tmp_path_factory.mktemp("prop")
    min_transfer = {f"S{k}": 300 for k in range(0, stops, 3)} if slow_change else None
    first = 23 * 3600 + 1800 if overnight else 6 * 3600
    feed = write_feed(tmp / "feed", stops=stops, lines=lines, trips_per_line=10, headway_s=headway, seed=seed,
                      hop_s=(60, 200), spacing_m=300, wheelchair_share=0.25 if wheelchair else 0.0,
                      min_transfer=min_transfer, first_departure_s=first)
    net = build(tmp, feed)
    ex_stops, ex_trips = net._exclusions[wheelchair]
    graph = TimeExpandedGraph(net.meta, DAY, net.footpaths, ex_stops, ex_trips,
                              previous_shift=net.previous_shift(DAY))
    rnd = random.Random(seed)
    ids = sorted(net.meta.stops)
    # Half the pairs ride along one usable trip, so every example has journeys to compare.
    along = [(stops[i], stops[j]) for tid, (stops, _, _) in sorted(net.meta.trip_stops.items())
             if tid not in ex_trips for i in range(len(stops)) for j in range(i + 1, len(stops))
             if stops[i] not in ex_stops and stops[j] not in ex_stops and stops[i] != stops[j]]
    reachable = arrive_checked = 0
    for k in range(24):
        a, b = rnd.choice(along) if along and k % 2 else rnd.sample(ids, 2)
        t0 = rnd.randint(0, 30 * 60) if overnight else first + rnd.randint(0, 60 * 60)
        expected = graph.earliest_arrival(t0=t0, access={a: 0}, egress={b: 0}, max_rides=net.max_rides)
        if a in ex_stops or b in ex_stops:
            expected = None
        assert stop_to_stop(net, a, b, t0, wheelchair=wheelchair) == expected, (a, b, t0)
        reachable += expected is not None
        if expected is not None and k % 3 == 0:
            deadline = expected + rnd.randint(0, 900)
            want = brute_latest_departure(graph, a, b, deadline, net.max_rides)
            if deadline - t0 <= ARRIVE_WINDOW_S:  # else (a 23 h overnight wait) none may be in the window
                assert want is not None and want >= t0, (a, b, t0, expected, deadline, want)
            assert arrive_by(net, a, b, deadline, wheelchair=wheelchair) == want, (a, b, deadline)
            arrive_checked += 1
    assert reachable > 0 or not along
