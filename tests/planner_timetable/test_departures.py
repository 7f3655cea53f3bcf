"""GET /api/v1/stops/{stop_id}/departures on the Kalasatama fixture and small generated feeds."""
import zipfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from .conftest import KALASATAMA

HELSINKI = ZoneInfo("Europe/Helsinki")
URL = "/api/v1/stops/{}/departures"


def expected_board(stop_ids, day: date, after: str, limit: int):
    """Independent oracle with pandas over the fixture zip: (trip_id, HH:MM:SS) of the next departures."""
    with zipfile.ZipFile(KALASATAMA) as zf:
        st = pd.read_csv(zf.open("stop_times.txt"), dtype=str)
        trips = pd.read_csv(zf.open("trips.txt"), dtype=str)
        cal = pd.read_csv(zf.open("calendar.txt"), dtype=str)
    weekday = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][day.weekday()]
    ymd = day.strftime("%Y%m%d")
    running = set(cal[(cal[weekday] == "1") & (cal.start_date <= ymd) & (cal.end_date >= ymd)].service_id)
    st["seq"] = st.stop_sequence.astype(int)
    last = st.groupby("trip_id").seq.transform("max")
    rows = st[st.stop_id.isin(stop_ids) & (st.seq < last) & (st.departure_time.str.zfill(8) >= after)]
    rows = rows[rows.trip_id.isin(trips[trips.service_id.isin(running)].trip_id)]
    rows = rows.assign(t=rows.departure_time.str.zfill(8)).sort_values(["t", "trip_id"])
    return list(zip(rows.trip_id, rows.t))[:limit]


@pytest.mark.django_db
def test_kalasatama_metro_board_in_finnish_and_swedish(api_client, kalasatama_feed):
    expected = expected_board({"1100601", "1100602"}, date(2022, 3, 2), "08:00:00", 8)
    assert len(expected) == 8
    boards = {}
    for stop in ("hsl:1100601", "hsl:1100602"):
        for lang in ("fi", "sv"):
            r = api_client.get(URL.format(stop), {"time": "2022-03-02T08:00:00", "limit": 8},
                               HTTP_ACCEPT_LANGUAGE=lang)
            assert r.status_code == 200, r.content
            boards[stop, lang] = r.json()
    fi = boards["hsl:1100602", "fi"]
    assert fi["stop"] == {"id": "hsl:1100602", "name": "Kalasatama", "location_type": 0}
    assert boards["hsl:1100602", "sv"]["stop"]["name"] == "Fiskehamnen"
    # Both platforms together == the oracle's first 8 over both platforms.
    merged = sorted((d["scheduled_departure"], d["trip_id"]) for s in ("hsl:1100601", "hsl:1100602")
                    for d in boards[s, "fi"]["departures"])[:8]
    assert [(t.removeprefix("hsl:"), at[11:19]) for at, t in merged] == expected
    first = fi["departures"][0]
    assert first["route"]["mode"] == "metro" and first["route"]["short_name"] in ("M1", "M2")
    assert first["scheduled_departure"].endswith("+02:00") and first["service_date"] == "2022-03-02"
    assert first["wheelchair_accessible"] is True
    for d in fi["departures"]:
        assert d["route"]["mode"] == "metro"
    headsigns_fi = {d["headsign"] for s in ("hsl:1100601", "hsl:1100602") for d in boards[s, "fi"]["departures"]}
    headsigns_sv = {d["headsign"] for s in ("hsl:1100601", "hsl:1100602") for d in boards[s, "sv"]["departures"]}
    assert headsigns_fi <= {"Vuosaari", "Mellunmäki", "Ruoholahti"} and "Ruoholahti" in headsigns_fi
    assert headsigns_sv <= {"Nordsjö", "Mellungsbacka", "Gräsviken"} and "Gräsviken" in headsigns_sv
    # Unqualified ids are accepted while only one feed has them.
    r = api_client.get(URL.format("1100602"), {"time": "2022-03-02T08:00:00", "limit": 8})
    assert r.json()["departures"] == fi["departures"]


STATION = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nF,Lautat,https://example.org/,Europe/Helsinki\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station,platform_code\n"
                 "S,Kauppatori,60.1675,24.9539,1,,\nP1,Kauppatori,60.1674,24.9538,0,S,1\n"
                 "P2,Kauppatori,60.1676,24.9540,0,S,2\nX,Suomenlinna,60.1471,24.9870,0,,\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_type\nR,F,19,4\n",
    "trips.txt": "route_id,service_id,trip_id,trip_headsign,wheelchair_accessible\n"
                 "R,ALL,evening,Suomenlinna,1\nR,ALL,night,Suomenlinna,2\nR,ALL,morning,Suomenlinna,0\n"
                 "R,ALL,inbound,Kauppatori,1\nR,ALL,dropoff,Suomenlinna,1\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type\n"
                      "evening,23:55:00,23:55:00,P1,1,0\nevening,24:15:00,24:15:00,X,2,0\n"
                      "night,24:10:00,24:10:00,P2,1,0\nnight,24:30:00,24:30:00,X,2,0\n"
                      "morning,00:05:00,00:05:00,P1,1,0\nmorning,00:25:00,00:25:00,X,2,0\n"
                      "inbound,23:30:00,23:30:00,X,1,0\ninbound,23:52:00,23:52:00,P2,2,0\n"
                      "dropoff,23:56:00,23:56:00,P2,1,1\ndropoff,24:20:00,24:20:00,X,2,0\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                    "ALL,1,1,1,1,1,1,1,20200101,20991231\n",
}


@pytest.mark.django_db
def test_station_board_covers_its_platforms_and_continues_into_the_next_service_day(api_client, small_feed):
    small_feed("ferries", STATION)
    r = api_client.get(URL.format("ferries:S"), {"time": "2026-03-04T23:50:00+02:00", "limit": 5})
    assert r.status_code == 200, r.content
    got = [(d["trip_id"], d["stop_id"], d["platform"], d["scheduled_departure"], d["service_date"],
            d["wheelchair_accessible"]) for d in r.json()["departures"]]
    # inbound ends at P2 (no departure), dropoff takes no passengers there; 00:05 is the next day's first trip,
    # 00:10 the same day's trip timed 24:10; the evening trips of the day before have left.
    assert got == [
        ("ferries:evening", "ferries:P1", "1", "2026-03-04T23:55:00+02:00", "2026-03-04", True),
        ("ferries:morning", "ferries:P1", "1", "2026-03-05T00:05:00+02:00", "2026-03-05", None),
        ("ferries:night", "ferries:P2", "2", "2026-03-05T00:10:00+02:00", "2026-03-04", False),
        ("ferries:evening", "ferries:P1", "1", "2026-03-05T23:55:00+02:00", "2026-03-05", True),
        ("ferries:morning", "ferries:P1", "1", "2026-03-06T00:05:00+02:00", "2026-03-06", None),
    ]
    one = api_client.get(URL.format("ferries:P2"), {"time": "2026-03-05T00:00:00", "limit": 1}).json()
    assert [d["trip_id"] for d in one["departures"]] == ["ferries:night"]


@pytest.mark.django_db
def test_departures_errors_are_specific(api_client, small_feed):
    r = api_client.get(URL.format("P1"))
    assert r.status_code == 503 and r.json()["error"]["code"] == "no_active_feed"
    small_feed("ferries", STATION)
    small_feed("ferries2", STATION)
    r = api_client.get(URL.format("P1"), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and r.json()["error"]["code"] == "ambiguous_stop_id"
    assert r.json()["error"]["details"]["candidates"] == ["ferries2:P1", "ferries:P1"]
    assert api_client.get(URL.format("ferries2:P1")).status_code == 200
    r = api_client.get(URL.format("ferries:NOPE"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "stop_not_found"
    r = api_client.get(URL.format("ferries:P1"), {"time": "tomorrow"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_time"
    r = api_client.get(URL.format("ferries:P1"), {"limit": "0"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_limit"
    r = api_client.get(URL.format("ferries:P1"), {"limit": "x"}, HTTP_ACCEPT_LANGUAGE="fi")
    assert r.json()["error"]["code"] == "invalid_limit"
    assert r.json()["error"]["message"] == "limit on oltava kokonaisluku väliltä 1–100."
    r = api_client.get(URL.format("ferries:NOPE"), HTTP_ACCEPT_LANGUAGE="sv")
    assert r.json()["error"]["message"] == "Det finns ingen hållplats ferries:NOPE i de aktiva tidtabellerna."


def test_now_is_the_default_time(api_client, small_feed):
    small_feed("ferries", STATION)
    before = datetime.now(HELSINKI) - timedelta(seconds=1)
    r = api_client.get(URL.format("ferries:P1"), {"limit": 1})
    when = datetime.fromisoformat(r.json()["time"])
    assert before <= when <= datetime.now(HELSINKI)
    first = datetime.fromisoformat(r.json()["departures"][0]["scheduled_departure"])
    assert when <= first <= when + timedelta(days=1)
