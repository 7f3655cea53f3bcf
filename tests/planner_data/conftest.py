"""Shared helpers for the transit-data tests: real fixture paths and small feed builders."""
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
BROKEN_2022 = FIXTURES / "gtfs" / "source" / "hsl_gtfs_2022-02_tram1_subset_r5py_test_broken_gtfs.zip"
STOPS_2016 = FIXTURES / "gtfs" / "source" / "hsl_stops_2016_hastus2gtfs.txt"
KALASATAMA = FIXTURES / "gtfs" / "kalasatama.zip"
KALASATAMA_OSM = FIXTURES / "osm" / "kalasatama.osm.pbf"


@pytest.fixture(autouse=True)
def feed_dirs(settings, tmp_path):
    """Normalized feed zips and OSM copies go to a per-test directory."""
    settings.GTFS_FEED_DIR = tmp_path / "feeds"
    settings.OSM_DIR = tmp_path / "osm"
    settings.NETWORK_DIR = tmp_path / "networks"
    return tmp_path


def read_members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n).decode("utf-8-sig") for n in zf.namelist()}


def write_feed(path: Path, members: dict[str, str]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    path.write_bytes(buf.getvalue())
    return path


# A tiny hand-made feed over real HSL stop ids/coordinates (Kalasatama and Sörnäinen metro platforms).
MINI = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nHSL,HSL,https://www.hsl.fi/,Europe/Helsinki\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding\n"
                 "1121602,Sörnäinen,60.187414,24.959904,1\n1100602,Kalasatama,60.187655,24.977233,1\n"
                 "1111602,Hakaniemi,60.17934,24.950533,1\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\n31M1,HSL,M1,Metro,401\n",
    "trips.txt": "route_id,service_id,trip_id\n31M1,WD,late1\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                      "late1,23:58:00,23:58:00,1100602,1\nlate1,24:00:30,24:00:30,1121602,2\n"
                      "late1,24:02:00,24:02:00,1111602,3\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                    "WD,1,1,1,1,1,0,0,20220222,20220407\n",
}


@pytest.fixture
def mini_feed(tmp_path):
    """Factory: the MINI feed with some members replaced/added/removed (value None removes)."""
    def make(name="mini.zip", **changes):
        members = dict(MINI)
        for key, text in changes.items():
            member = key.replace("__", ".")
            if text is None:
                members.pop(member, None)
            else:
                members[member] = text
        return write_feed(tmp_path / name, members)
    return make
