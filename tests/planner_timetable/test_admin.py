"""The admin shows each feed, its versions with their service dates, which is active, and how each feed's last
refresh went (and why it failed)."""
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from planner.gtfs.guarded import import_feed
from planner.models import FeedVersion
from tests.planner_data.conftest import MINI, write_feed

from .test_refresh import feed_bytes, refresh

CALENDAR = MINI["calendar.txt"]


def calendar(start, end):
    header, *rows = CALENDAR.strip().splitlines()
    return "\n".join([header] + [",".join(r.split(",")[:-2] + [start, end]) for r in rows]) + "\n"


@pytest.fixture
def feeds(server, tmp_path):
    """hsl: v1 and v2 (active) from a source whose last refresh failed; ferries: one version imported by hand."""
    server.publish(feed_bytes(tmp_path, calendar__txt=calendar("20220101", "20220630")), 1_700_000_000)
    call_command("feed_source", "hsl", server.url, "--every", "1h", stdout=io.StringIO())
    refresh()
    server.publish(feed_bytes(tmp_path, "v2.zip", calendar__txt=calendar("20220301", "20221231")), 1_700_000_100)
    refresh()
    server.status = 500
    with pytest.raises(CommandError):
        refresh()
    ferries = write_feed(tmp_path / "ferries.zip", {**MINI, "calendar.txt": calendar("20220501", "20220930")})
    import_feed(str(ferries), name="ferries", activate=True, progress=False)
    return server


def rows(response):
    return [(f.name, f.version, f.is_active, f.service_start, f.service_end, f.source_outcome, f.source_error)
            for f in response.context["cl"].result_list]


@pytest.mark.django_db
def test_feed_versions_list_each_feed_its_versions_service_dates_and_which_is_active(admin_client, feeds):
    response = admin_client.get("/admin/planner/feedversion/")
    assert response.status_code == 200
    failed = f"download: {feeds.url}: HTTP 500"
    assert rows(response) == [
        ("ferries", 1, True, date(2022, 5, 1), date(2022, 9, 30), None, None),
        ("hsl", 2, True, date(2022, 3, 1), date(2022, 12, 31), "failed", failed),
        ("hsl", 1, False, date(2022, 1, 1), date(2022, 6, 30), "failed", failed),
    ]
    page = response.content.decode()
    assert f"failed: {failed}" in page and "- (no source)" in page
    assert "3 / 1 / 3" in page  # stops / trips / stop times of each version

    only_hsl = admin_client.get("/admin/planner/feedversion/", {"name": "hsl"})
    assert [r[:3] for r in rows(only_hsl)] == [("hsl", 2, True), ("hsl", 1, False)]
    active = admin_client.get("/admin/planner/feedversion/", {"is_active__exact": "1"})
    assert [r[:2] for r in rows(active)] == [("ferries", 1), ("hsl", 2)]
    assert FeedVersion.objects.filter(is_active=True).count() == 2


@pytest.mark.django_db
def test_feed_sources_show_the_active_version_its_versions_and_the_last_refresh_error(admin_client, feeds):
    response = admin_client.get("/admin/planner/feedsource/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "v2 (2022-03-01 .. 2022-12-31)" in page
    assert '<a href="/admin/planner/feedversion/?name=hsl">2 versions</a>' in page
    assert f"download: {feeds.url}: HTTP 500" in page
    failed = admin_client.get("/admin/planner/feedsource/", {"last_outcome": "failed"})
    assert [s.name for s in failed.context["cl"].result_list] == ["hsl"]
    assert admin_client.get("/admin/planner/feedsource/", {"last_outcome": "updated"}).context["cl"].result_count == 0
