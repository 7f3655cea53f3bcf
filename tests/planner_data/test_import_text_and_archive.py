"""Real feeds as they are: long free text stored whole on both databases, database errors reported by
file/row/field, zip members outside the archive root or given twice rejected by name."""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from planner.models import Agency, FeedVersion, Route, Stop, StopTime, Trip

from .conftest import write_feed

ROOT = Path(settings.BASE_DIR)
LONG_HEADSIGN = "Suomenlinna – Kauppatori – " + "Vallisaari, Kuninkaansaari ja Lonna " * 11
LONG_URL = "https://www.example.org/ferries/timetables?" + "&".join(f"stop{i}=kauppatori" for i in range(24))
assert len(LONG_HEADSIGN) > 400 and len(LONG_URL) > 400

# What both databases hold after the import: every free-text field of the long feed.
DUMP = """
import json, django; django.setup()
from django.core.management import call_command
from planner.models import Agency, Route, Stop, StopTime, Trip
call_command("migrate", verbosity=0)
call_command("import_gtfs", {path!r}, "--name", "ferries", "--no-progress")
print(json.dumps({dump}))
"""
DUMP_EXPR = (
    '{"agency": list(Agency.objects.values_list("name", "url", "phone")), '
    '"stops": sorted(Stop.objects.values_list("stop_id", "name", "desc", "code")), '
    '"routes": list(Route.objects.values_list("route_id", "short_name", "long_name", "desc", "url")), '
    '"trips": list(Trip.objects.values_list("trip_id", "headsign", "short_name")), '
    '"stop_times": sorted(StopTime.objects.values_list("stop_sequence", "stop_headsign"))}'
)


def long_text_feed(path: Path) -> Path:
    long_name = "Kauppatori (Suomenlinnan lautta, laituri " + "pohjoinen " * 40 + ")"
    return write_feed(path, {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone,agency_phone\n"
                      f"FERRY,Suomenlinnan liikenne,{LONG_URL},Europe/Helsinki,+358 9 " + "1" * 80 + "\n",
        "stops.txt": "stop_id,stop_name,stop_desc,stop_lat,stop_lon\n"
                     f"1030701,\"{long_name}\",\"{LONG_HEADSIGN}\",60.16746,24.95388\n"
                     "1520703,Suomenlinna,,60.14706,24.98704\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_desc,route_type,route_url\n"
                      f"1019,FERRY,19,\"{LONG_HEADSIGN}\",\"{LONG_HEADSIGN}\",4,{LONG_URL}\n",
        "trips.txt": "route_id,service_id,trip_id,trip_headsign,trip_short_name\n"
                     f"1019,D,f1,\"{LONG_HEADSIGN}\",Lautta\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence,stop_headsign\n"
                          f"f1,08:00:00,08:00:00,1030701,1,\"{LONG_HEADSIGN}\"\n"
                          "f1,08:20:00,08:20:00,1520703,2,\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "D,1,1,1,1,1,1,1,20220222,20220407\n",
    })


def run(*args):
    out = io.StringIO()
    call_command("import_gtfs", *map(str, args), "--no-progress", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_400_character_headsigns_and_urls_import_whole_and_identically_on_postgresql_and_sqlite(tmp_path):
    feed = long_text_feed(tmp_path / "ferries.zip")
    run(feed, "--name", "ferries")
    assert Trip.objects.get().headsign == LONG_HEADSIGN
    assert Route.objects.get().url == LONG_URL
    assert StopTime.objects.get(stop_sequence=1).stop_headsign == LONG_HEADSIGN
    postgres = json.loads(json.dumps(eval(DUMP_EXPR)))  # same expression as the SQLite side

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({"DJANGO_SETTINGS_MODULE": "maas.settings", "DEBUG": "true", "CELERY_BROKER_URL": "",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "GTFS_FEED_DIR": str(tmp_path / "sqlite")})
    code = DUMP.format(path=str(feed), dump=DUMP_EXPR)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    sqlite = json.loads(result.stdout.strip().splitlines()[-1])
    assert sqlite == postgres
    assert sqlite["trips"] == [["f1", LONG_HEADSIGN, "Lautta"]]


@pytest.mark.django_db
def test_a_row_the_database_refuses_is_reported_by_file_row_and_field_and_nothing_is_written(mini_feed):
    stops = ("stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding\n"
             "1121602,Sörnäinen,60.187414,24.959904,1\n1100602,Kalasatama,60.187655,24.977233,40000\n"
             "1111602,Hakaniemi,60.17934,24.950533,1\n")
    with pytest.raises(CommandError) as exc:
        run(mini_feed(stops__txt=stops))
    message = str(exc.value)
    assert "nothing was written" in message
    assert ("stops.txt row 3 field wheelchair_boarding: '40000' does not fit the database: "
            "an integer from 0 to 32767") in message
    assert FeedVersion.objects.count() == 0 and Stop.objects.count() == 0 and Agency.objects.count() == 0


@pytest.mark.parametrize("member", ["../../stops.txt", "/etc/stops.txt", "gtfs/../../stops.txt"])
@pytest.mark.django_db
def test_zip_members_outside_the_archive_root_are_rejected_naming_the_member(mini_feed, member):
    feed = mini_feed(stops__txt=None)
    import zipfile

    with zipfile.ZipFile(feed, "a") as zf:
        zf.writestr(member, "stop_id,stop_name,stop_lat,stop_lon\n1100602,Kalasatama,60.187655,24.977233\n")
    with pytest.raises(CommandError) as exc:
        run(feed)
    assert f"zip member {member!r}" in str(exc.value)
    assert "outside the archive" in str(exc.value) or "absolute path" in str(exc.value)
    assert FeedVersion.objects.count() == 0


@pytest.mark.django_db
def test_duplicated_member_names_are_rejected_naming_them(mini_feed, tmp_path):
    import warnings
    import zipfile

    feed = mini_feed()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name it is asked to write
        with zipfile.ZipFile(feed, "a") as zf:
            zf.writestr("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\n1,Elsewhere,60.1,24.9\n")
    with pytest.raises(CommandError) as exc:
        run(feed)
    assert "zip member 'stops.txt' appears more than once" in str(exc.value)

    nested = mini_feed("nested.zip")
    with zipfile.ZipFile(nested, "a") as zf:
        zf.writestr("old/stops.txt", "stop_id,stop_name,stop_lat,stop_lon\n1,Elsewhere,60.1,24.9\n")
    with pytest.raises(CommandError) as exc:
        run(nested)
    assert "zip members 'stops.txt' and 'old/stops.txt' are both stops.txt" in str(exc.value)
    assert FeedVersion.objects.count() == 0


@pytest.mark.django_db
def test_a_feed_inside_one_folder_still_imports(tmp_path):
    from .conftest import MINI

    feed = write_feed(tmp_path / "folder.zip", {f"gtfs/{name}": text for name, text in MINI.items()})
    run(feed, "--name", "folder")
    assert Stop.objects.filter(feed__name="folder").count() == 3
