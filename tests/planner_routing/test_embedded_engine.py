"""The embedded engine on the Kalasatama fixture: real timetable values, not just shapes."""
import csv
import io
import zipfile
from datetime import datetime

from planner.engines.base import PlanRequest
from tests.planner_routing.conftest import FIXTURE_GTFS, at

KALASATAMA_M = (60.18761, 24.97721)  # platform 1100601
KAMPPI_M = (60.16885, 24.93118)  # platforms 1040601/1040602


def raw_stop_times(trip_id):
    """The fixture's stop_times rows of one trip (`hsl:TRIP`: the network routes the fixture as feed "hsl"),
    straight from the zip, by feed-qualified stop id."""
    assert trip_id.startswith("hsl:"), trip_id
    with zipfile.ZipFile(FIXTURE_GTFS) as zf:
        rows = csv.DictReader(io.TextIOWrapper(zf.open("stop_times.txt"), encoding="utf-8-sig"))
        return {f"hsl:{r['stop_id']}": r for r in rows if r["trip_id"] == trip_id.removeprefix("hsl:")}


def clock(iso):
    return datetime.fromisoformat(iso).strftime("%H:%M:%S")


def test_kalasatama_to_kamppi_by_metro_at_0830(kalasatama):
    its = kalasatama.plan(PlanRequest(origin=KALASATAMA_M, destination=KAMPPI_M, departure=at(8, 30)))
    best = its[0]
    transit = [leg for leg in best["legs"] if leg["transit"]]
    assert len(transit) == 1 and best["transfers"] == 0
    metro = transit[0]
    assert metro["mode"] == "metro" and metro["route_short_name"] in {"M1", "M2"}
    assert metro["route_id"] in {"hsl:31M1", "hsl:31M2"}
    assert (metro["from"]["stop_id"], metro["to"]["stop_id"]) == ("hsl:1100602", "hsl:1040602")  # westbound platforms
    # Synthesized run time Kalasatama -> Kamppi westbound: 100+100+90+60+70 s (fixtures/gtfs/kalasatama_metro.md).
    assert metro["duration_s"] == 420
    rows = raw_stop_times(metro["trip_id"])
    assert clock(metro["start_time"]) == rows["hsl:1100602"]["departure_time"]
    assert clock(metro["end_time"]) == rows["hsl:1040602"]["arrival_time"]
    # Weekday peak: a train every 2.5 min on the trunk, so it leaves within 2.5 min of 08:30.
    assert at(8, 30) <= datetime.fromisoformat(metro["start_time"]) <= at(8, 32, 30)
    # Without a street network, access and egress are crow-fly walks and say so.
    walks = [leg for leg in best["legs"] if leg["mode"] == "walk"]
    assert walks and all(leg["crow_fly"] for leg in walks)
    assert best["duration_s"] == sum(leg["duration_s"] for leg in best["legs"])
    assert metro["geometry"]["type"] == "LineString" and len(metro["geometry"]["coordinates"]) == 6
    assert metro["co2_g"] == 0 and metro["zones"] == ["A"]


def test_real_tram_1_trip_with_its_exact_scheduled_times(kalasatama):
    # Real HSL 2022 trip 1001_20220222_Ke_1_0853: Perämiehenkatu 08:54 ... Pohjolanaukio 09:39.
    its = kalasatama.plan(PlanRequest(origin=(0, 0), destination=(0, 0), origin_stop_id="hsl:1050416",
                                      destination_stop_id="hsl:1250431", departure=at(8, 54), language="fi"))
    (leg,) = its[0]["legs"]
    assert leg["trip_id"] == "hsl:1001_20220222_Ke_1_0853"
    assert (leg["mode"], leg["route_short_name"]) == ("tram", "1")
    assert (leg["from"]["name"], leg["to"]["name"]) == ("Perämiehenkatu", "Pohjolanaukio")
    rows = raw_stop_times("hsl:1001_20220222_Ke_1_0853")
    assert clock(leg["start_time"]) == rows["hsl:1050416"]["departure_time"] == "08:54:00"
    assert clock(leg["end_time"]) == rows["hsl:1250431"]["arrival_time"] == "09:39:00"
    assert leg["start_time"] == "2022-03-02T08:54:00+02:00"
    # Arrive-by 09:45 finds the same trip (the next one arrives after 09:45).
    back = kalasatama.plan(PlanRequest(origin=(0, 0), destination=(0, 0), origin_stop_id="hsl:1050416",
                                       destination_stop_id="hsl:1250431", arrival=at(9, 45)))
    assert back[0]["legs"][0]["trip_id"] == "hsl:1001_20220222_Ke_1_0853"


def test_wheelchair_avoids_platforms_marked_not_accessible(kalasatama):
    rautatientori_west = kalasatama.meta.stops["hsl:1020602"]
    assert rautatientori_west["wheelchair"] == 2  # the real 2022 feed says so
    target = (rautatientori_west["lat"], rautatientori_west["lon"])
    plain = kalasatama.plan(PlanRequest(origin=(0, 0), destination=target, origin_stop_id="hsl:1100602",
                                        departure=at(8, 30)))
    assert plain[0]["legs"][0]["to"]["stop_id"] == "hsl:1020602"
    step_free = kalasatama.plan(PlanRequest(origin=(0, 0), destination=target, origin_stop_id="hsl:1100602",
                                            departure=at(8, 30), wheelchair=True))
    assert step_free
    for it in step_free:
        for leg in it["legs"]:
            for end in ("from", "to"):
                stop_id = leg[end]["stop_id"]
                if stop_id:
                    assert kalasatama.meta.stops[stop_id]["wheelchair"] != 2, (stop_id, leg)
                if leg["trip_id"]:
                    assert kalasatama.meta.trips[leg["trip_id"]]["wheelchair"] != 2


def test_stop_names_follow_the_language_where_the_feed_has_them(kalasatama):
    def names(language):
        its = kalasatama.plan(PlanRequest(origin=(0, 0), destination=(0, 0), origin_stop_id="hsl:1100602",
                                          destination_stop_id="hsl:1040602", departure=at(8, 30), language=language))
        leg = its[0]["legs"][0]
        return leg["from"]["name"], leg["to"]["name"]

    assert names("sv") == ("Fiskehamnen", "Kampen")  # the fixture's translations.txt
    assert names("fi") == ("Kalasatama", "Kamppi")
    assert names("en") == ("Kalasatama", "Kamppi")  # no English names: the feed's default


def test_travel_time_matrix_from_kalasatama(kalasatama):
    stops = kalasatama.meta.stops
    dests = [{"id": s, "lat": stops[s]["lat"], "lon": stops[s]["lon"]}
             for s in ("hsl:1040602", "hsl:1453602", "hsl:1250431")]
    rows = {r["to_id"]: r["travel_time_s"] for r in kalasatama.travel_time_matrix(
        [{"id": "home", "lat": KALASATAMA_M[0], "lon": KALASATAMA_M[1]}], dests, departure=at(8, 30),
        modes={"walk", "transit"}, max_time_s=15 * 60)}
    # 6 s walk to the westbound platform, the 08:30:30 train, 7 min to Kamppi.
    assert rows["hsl:1040602"] == 450
    assert "hsl:1250431" not in rows  # Pohjolanaukio (Käpylä) is not within 15 minutes
    assert rows["hsl:1453602"] <= 15 * 60  # Itäkeskus, eastbound
