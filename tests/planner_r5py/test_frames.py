"""Translation of r5py's real output frames (r5py's own test data) into the itinerary model."""
import csv
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas
import pandas
import pytest

from planner.engines.r5py import frames

DATA = Path(__file__).parent / "data"
TRANSIT_MODES = {"tram", "metro", "bus", "rail", "ferry"}


@pytest.fixture(scope="module")
def transit_frame():
    return geopandas.read_file(DATA / "test_detailed_itineraries_transit.gpkg.zip", engine="pyogrio")


@pytest.fixture(scope="module")
def transit_records(transit_frame):
    return frames.detailed_records(transit_frame)


@pytest.fixture(scope="module")
def transit(transit_records):
    return frames.itineraries_from_records(transit_records)


@pytest.fixture(scope="module")
def bicycle_records():
    frame = geopandas.read_file(DATA / "test_detailed_itineraries_bicycle.gpkg.zip", engine="pyogrio")
    return frames.detailed_records(frame)


def _t(iso):
    return datetime.fromisoformat(iso)


def test_records_are_json_for_the_pipe(transit_frame, transit_records):
    assert len(transit_records) == len(transit_frame) == 1158
    assert json.loads(json.dumps(transit_records)) == transit_records
    tram = next(r for r in transit_records if r["transport_mode"] == "TRAM")
    assert tram == {**tram, "from_id": "0", "to_id": "20", "option": 0, "segment": 1, "route_id": "1008",
                    "start_stop_id": "1201403", "end_stop_id": "1201429",
                    "departure_time": "2022-02-22T08:47:00", "travel_time_s": 120.0, "wait_time_s": 127.0}
    assert round(tram["distance"], 3) == 741.357


def test_pairs_options_and_deduplication(transit_frame, transit):
    assert len(transit) == 25  # 5 x 5 origin/destination points
    same_point = [key for key in transit if key[0] == key[1]]
    assert len(same_point) == 5 and all(transit[key] == [] for key in same_point)  # r5py's 0-length placeholder
    r5py_options = transit_frame[transit_frame.from_id.eq(0) & transit_frame.to_id.eq(20)].option.nunique()
    assert r5py_options == 12
    # 12 r5py options from 0 to 20 are 5 distinct ride sequences (the rest only wait longer at the stop).
    assert [[(leg["mode"], leg["route_id"]) for leg in it["legs"]] for it in transit[("0", "20")]] == [
        [("walk", None), ("tram", "1008"), ("walk", None)],
        [("walk", None), ("bus", "7192T"), ("walk", None)],
        [("walk", None), ("tram", "1008"), ("walk", None)],
        [("walk", None), ("bus", "1022"), ("walk", None)],
        [("walk", None), ("bus", "1021"), ("walk", None)],
    ]
    assert sum(len(found) for found in transit.values()) == 162


def test_best_itinerary_from_0_to_20_exact_values(transit):
    best = transit[("0", "20")][0]
    walk, tram, egress = best["legs"]
    assert (tram["mode"], tram["transit"], tram["route_id"]) == ("tram", True, "1008")
    assert (tram["from"]["stop_id"], tram["to"]["stop_id"]) == ("1201403", "1040480")
    # Boarding time is r5py's; the access walk ends when the 126 s wait before boarding begins.
    assert (tram["start_time"], tram["end_time"]) == ("2022-02-22T08:37:00+02:00", "2022-02-22T08:42:00+02:00")
    assert (walk["start_time"], walk["end_time"]) == ("2022-02-22T08:32:02+02:00", "2022-02-22T08:34:54+02:00")
    assert (egress["start_time"], egress["end_time"]) == ("2022-02-22T08:42:00+02:00", "2022-02-22T08:47:34+02:00")
    assert walk["to"]["stop_id"] == "1201403" and egress["from"]["stop_id"] == "1040480"
    assert [leg["distance_m"] for leg in best["legs"]] == [168, 1318, 327]
    assert [leg["duration_s"] for leg in best["legs"]] == [172, 300, 334]
    assert best["duration_s"] == 932 and best["transfers"] == 0
    assert best["walk_distance_m"] == 168 + 327
    assert best["price"] == {"total_cents": None, "reason": "not priced yet"}
    assert walk["from"]["name"] == "Origin" and egress["to"]["name"] == "Destination"


def test_every_itinerary_is_consistent_with_the_frame(transit_frame, transit):
    rides = transit_frame[transit_frame.transport_mode.isin(["TRAM", "BUS", "SUBWAY", "RAIL", "FERRY"])]
    boardings = {(str(r.route_id), str(r.start_stop_id), r.departure_time.strftime("%H:%M:%S"))
                 for r in rides.itertuples()}
    checked = 0
    for itineraries in transit.values():
        for it in itineraries:
            legs = it["legs"]
            assert it["start_time"] == legs[0]["start_time"] and it["end_time"] == legs[-1]["end_time"]
            assert it["duration_s"] == (_t(it["end_time"]) - _t(it["start_time"])).total_seconds()
            for before, after in zip(legs, legs[1:]):
                assert _t(after["start_time"]) >= _t(before["end_time"])
            for leg in legs:
                assert leg["geometry"]["type"] == "LineString" and len(leg["geometry"]["coordinates"]) >= 2
                assert leg["duration_s"] == (_t(leg["end_time"]) - _t(leg["start_time"])).total_seconds()
                if leg["transit"]:
                    key = (leg["route_id"], leg["from"]["stop_id"], leg["start_time"][11:19])
                    assert key in boardings
                    checked += 1
            assert it["transfers"] == max(sum(leg["transit"] for leg in legs) - 1, 0)
            assert it["walk_distance_m"] == sum(leg["distance_m"] for leg in legs if leg["mode"] == "walk")
    assert checked == 195


def test_metro_legs_and_transfers(transit):
    legs = [leg for found in transit.values() for it in found for leg in it["legs"]]
    assert {leg["mode"] for leg in legs} == {"walk", "tram", "bus", "metro"}
    assert {leg["route_id"] for leg in legs if leg["mode"] == "metro"} == {"31M1", "31M2"}
    transfers = [it["transfers"] for found in transit.values() for it in found]
    assert max(transfers) == 2 and transfers.count(1) == 23 and transfers.count(2) == 5


def test_multipart_geometries_are_joined_into_one_linestring(transit_frame, transit_records):
    multi = [i for i, g in enumerate(transit_frame.geometry) if len(g.geoms) == 2]
    assert len(multi) == 9
    for i in multi:
        coords = transit_records[i]["coordinates"]
        first, second = transit_frame.geometry[i].geoms
        assert coords[0] == [round(c, 7) for c in first.coords[0]]
        assert coords[-1] == [round(c, 7) for c in second.coords[-1]]


def test_co2_stop_names_and_route_colours_from_lookups(transit_records):
    found = frames.itineraries_from_records(
        transit_records,
        stops={"1201132": {"name": "Hietalahdentori", "lat": 60.1625, "lon": 24.9290}},
        routes={"7192T": {"short_name": "192T", "color": "007ac9"}},
        co2_g_per_km={"bus": 34.0},
    )[("0", "20")]
    bus_trip = next(it for it in found if it["legs"][1]["route_id"] == "7192T")
    walk, bus, _ = bus_trip["legs"]
    assert bus["distance_m"] == 1202 and bus["co2_g"] == 41  # 1.202 km x 34 g/km
    assert bus_trip["co2_g"] == 41
    assert (bus["route_short_name"], bus["route_color"]) == ("192T", "#007AC9")
    assert bus["from"] == {"name": "Hietalahdentori", "stop_id": "1201132", "lat": 60.1625, "lon": 24.9290}
    assert walk["to"]["name"] == "Hietalahdentori"
    default = frames.itineraries_from_records(transit_records)[("0", "20")]
    bus_default = next(it for it in default if it["legs"][1]["route_id"] == "7192T")
    assert bus_default["legs"][1]["co2_g"] == 54  # planner.emissions: bus 45 g/pkm x 1.202 km


def test_bicycle_itineraries_anchor_on_the_requested_departure(bicycle_records):
    departure = datetime(2022, 2, 22, 8, 30)
    found = frames.itineraries_from_records(bicycle_records, departure=departure)
    trips = [it for its in found.values() for it in its]
    assert len(trips) == 20  # 25 pairs minus 5 same-point ones
    ride = found[("0", "20")][0]
    (leg,) = ride["legs"]
    assert (leg["mode"], leg["transit"], leg["distance_m"], leg["duration_s"]) == ("bike", False, 1767, 678)
    assert (ride["start_time"], ride["end_time"]) == ("2022-02-22T08:30:00+02:00", "2022-02-22T08:41:18+02:00")
    assert ride["walk_distance_m"] == 0 and ride["transfers"] == 0
    assert sum(it["legs"][0]["distance_m"] for it in trips) == 38_962
    with pytest.raises(frames.FrameError, match="no departure_time: pass `departure`"):
        frames.itineraries_from_records(bicycle_records)


def test_unknown_mode_is_named(transit_records):
    broken = [dict(r) for r in transit_records if (r["from_id"], r["to_id"], r["option"]) == ("0", "20", 0)]
    broken[1]["transport_mode"] = "AIR"
    with pytest.raises(frames.FrameError, match=r"0->20 option 0 segment 1: unknown transport_mode 'AIR'"):
        frames.itineraries_from_records(broken)


def test_travel_time_matrix_rows():
    frame = pandas.read_csv(DATA / "test_travel_times_transit.csv")
    with open(DATA / "test_travel_times_transit.csv", newline="") as handle:
        raw = list(csv.DictReader(handle))
    records = frames.matrix_records(frame)
    assert len(records) == len(raw) == 361
    rows = frames.matrix_rows(records, max_time_s=15 * 60)
    assert len(rows) == sum(int(r["travel_time"]) <= 15 for r in raw)
    as_dict = {(r["from_id"], r["to_id"]): r["travel_time_s"] for r in rows}
    assert as_dict[("0", "0")] == 0 and as_dict[("0", "5")] == 480 and as_dict[("0", "15")] == 780
    assert ("0", "10") not in as_dict  # 23 min > 15 min
    assert len(frames.matrix_rows(records, max_time_s=37 * 60)) == 361  # the slowest pair takes 37 min
    frame.loc[1, "travel_time"] = float("nan")  # r5py's unreachable pair
    unreachable = frames.matrix_records(frame)
    assert unreachable[1] == {"from_id": "0", "to_id": "5", "travel_time": None}
    assert len(frames.matrix_rows(unreachable, max_time_s=37 * 60)) == 360


def test_arrive_by_keeps_trips_in_time_latest_departure_first(transit):
    helsinki = ZoneInfo("Europe/Helsinki")
    options = transit[("0", "20")]
    late = frames.arrive_by(options, datetime(2022, 2, 22, 9, 5, tzinfo=helsinki))
    assert [(it["legs"][1]["route_id"], it["start_time"][11:19]) for it in late] == [
        ("1008", "08:42:01"), ("1022", "08:35:28"), ("7192T", "08:34:02"), ("1008", "08:32:02")]
    early = frames.arrive_by(options, datetime(2022, 2, 22, 8, 50, tzinfo=helsinki))
    assert [it["end_time"] for it in early] == ["2022-02-22T08:47:34+02:00"]
    assert frames.arrive_by(options, datetime(2022, 2, 22, 8, 40, tzinfo=helsinki)) == []
