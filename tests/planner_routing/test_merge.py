"""Feeds merged for one routing network: every id `FEED:ID`, nothing else changed (planner.engines.embedded.merge)."""
import csv

from planner.engines.embedded import merge
from tests.planner_data.conftest import write_feed

CALENDAR = ("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
            "S,1,1,1,1,1,1,1,20240101,20241231\n")


def rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_ids_qualified_text_kept_and_translations_stay_in_their_feed(tmp_path, monkeypatch):
    monkeypatch.setattr(merge, "CHUNK_ROWS", 1)  # stop_times streamed one row per chunk
    a = write_feed(tmp_path / "a.zip", {  # one agency without agency_id, routes without it either
        "agency.txt": "agency_name,agency_url,agency_timezone\nA,https://a.example,Europe/Helsinki\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,zone_id,parent_station\n"
                     "P,Kauppatori,60.1675,24.9532,,\nS1,Kauppatori,60.1675,24.9532,A,P\nS2,Two,60.17,24.96,B,\n",
        "routes.txt": "route_id,route_short_name,route_type\nR,1,0\n",
        "trips.txt": "route_id,service_id,trip_id,shape_id\nR,S,T,SH\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
                          "T,08:00:00,08:00:00,S1,1,0\nT,08:05:00,08:05:00,S2,2,1.5\n",
        "shapes.txt": "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nSH,60.1675,24.9532,1\nSH,60.17,24.96,2\n",
        "calendar.txt": CALENDAR,
        "translations.txt": "table_name,field_name,language,translation,field_value\n"
                            "stops,stop_name,sv,Salutorget,Kauppatori\n",
    })
    b = write_feed(tmp_path / "b.zip", {  # the same stop and trip ids, another agency id, no translations
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nB,B,https://b.example,Europe/Helsinki\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nS1,Kauppatori,60.1676,24.9533\nS2,Two,60.171,24.961\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_type\nR,B,19,4\n",
        "trips.txt": "route_id,service_id,trip_id\nR,S,T\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "T,09:00:00,09:00:00,S1,1\nT,09:20:00,09:20:00,S2,2\n",
        "calendar.txt": CALENDAR,
    })
    out = merge.merge_feeds({"b": b, "a": a}, tmp_path / "merged")
    assert [(r["agency_id"], r["agency_name"]) for r in rows(out / "agency.txt")] == [("a", "A"), ("b:B", "B")]
    assert [(r["route_id"], r["agency_id"], r["route_short_name"]) for r in rows(out / "routes.txt")] == [
        ("a:R", "a", "1"), ("b:R", "b:B", "19")]
    assert [(r["stop_id"], r["zone_id"], r["parent_station"]) for r in rows(out / "stops.txt")] == [
        ("a:P", "", ""), ("a:S1", "A", "a:P"), ("a:S2", "B", ""), ("b:S1", "", ""), ("b:S2", "", "")]
    assert [(r["trip_id"], r["route_id"], r["service_id"], r["shape_id"]) for r in rows(out / "trips.txt")] == [
        ("a:T", "a:R", "a:S", "a:SH"), ("b:T", "b:R", "b:S", "")]
    assert [(r["trip_id"], r["stop_id"], r["arrival_time"], r["shape_dist_traveled"])
            for r in rows(out / "stop_times.txt")] == [
        ("a:T", "a:S1", "08:00:00", "0"), ("a:T", "a:S2", "08:05:00", "1.5"),
        ("b:T", "b:S1", "09:00:00", ""), ("b:T", "b:S2", "09:20:00", "")]
    assert [r["shape_id"] for r in rows(out / "shapes.txt")] == ["a:SH", "a:SH"]
    assert [r["service_id"] for r in rows(out / "calendar.txt")] == ["a:S", "b:S"]
    # a's translation by name stays a's: b's own "Kauppatori" is not renamed.
    assert [(r["record_id"], r["language"], r["translation"]) for r in rows(out / "translations.txt")] == [
        ("a:P", "sv", "Salutorget"), ("a:S1", "sv", "Salutorget")]
