"""Scheduled refresh: conditional GET from a server on 127.0.0.1, import + build + activate, failures kept
out of service, old versions pruned with their files, status in the admin data and /readyz."""
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from planner.engines.embedded.artifacts import artifact_paths
from planner.models import FeedSource, FeedVersion, Stop
from tests.planner_data.conftest import MINI, write_feed


def feed_bytes(tmp_path, name="feed.zip", **changes) -> bytes:
    members = dict(MINI)
    for key, text in changes.items():
        members[key.replace("__", ".")] = text
    return write_feed(tmp_path / name, members).read_bytes()


def refresh(*args):
    out = io.StringIO()
    call_command("refresh_feeds", *args, stdout=out)
    return out.getvalue()


def renamed(name):
    return MINI["stops.txt"].replace("Kalasatama", name)


@pytest.mark.django_db
def test_feed_source_command_sets_url_interval_and_rejects_bad_input(server, settings):
    out = io.StringIO()
    call_command("feed_source", "ferries", server.url, "--every", "12h", stdout=out)
    source = FeedSource.objects.get(name="ferries")
    assert (source.url, source.refresh_every, source.keep_versions) == (server.url, timedelta(hours=12), None)
    call_command("feed_source", "ferries", server.url, "--every", "30m", "--keep", "2", stdout=out)
    source.refresh_from_db()
    assert (source.refresh_every, source.keep_versions) == (timedelta(minutes=30), 2)
    with pytest.raises(CommandError, match="--every: 'soon' is not an interval like 30m, 24h or 7d"):
        call_command("feed_source", "ferries", server.url, "--every", "soon")
    with pytest.raises(CommandError, match="is not an http\\(s\\) URL"):
        call_command("feed_source", "ferries", "ftp://example.org/x.zip")
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(CommandError, match=r"URL refused: http://127\.0\.0\.1:\d+/gtfs.zip: 127\.0\.0\.1: "
                                           r"address not allowed \(loopback\)"):
        call_command("feed_source", "ferries", server.url)
    with pytest.raises(CommandError, match="no feed source 'nope'"):
        refresh("--name", "nope")


@pytest.mark.django_db
def test_refresh_imports_builds_activates_then_conditional_get_finds_it_unchanged(server, tmp_path):
    server.publish(feed_bytes(tmp_path), 1_700_000_000)
    call_command("feed_source", "metro", server.url, "--every", "1h", stdout=io.StringIO())
    out = refresh("--name", "metro")
    feed = FeedVersion.objects.get(name="metro", is_active=True)
    assert "metro: metro v1 (active) is now active" in out
    assert feed.version == 1 and feed.source == server.url
    network, meta = artifact_paths(feed)
    assert network.exists() and meta.exists()  # built before it was activated
    source = FeedSource.objects.get(name="metro")
    assert (source.etag, source.last_outcome, source.last_error) == (server.etag, "updated", "")
    assert "If-None-Match" not in server.requests[0]

    out = refresh("--name", "metro")
    assert "metro: unchanged" in out
    assert server.requests[1]["If-None-Match"] == server.etag
    assert server.requests[1]["If-Modified-Since"] == server.last_modified
    assert FeedVersion.objects.filter(name="metro").count() == 1

    # A server without ETags: If-Modified-Since alone; unchanged bytes at a new date are not re-imported.
    server.use_etag = False
    FeedSource.objects.filter(name="metro").update(etag="")
    assert "metro: unchanged" in refresh("--name", "metro")
    assert "If-None-Match" not in server.requests[2]
    server.last_modified = "Wed, 01 Jan 2025 00:00:00 GMT"
    assert "metro: unchanged" in refresh("--name", "metro")  # 200 with identical content
    assert FeedVersion.objects.filter(name="metro").count() == 1


@pytest.mark.django_db
def test_changed_feeds_become_new_active_versions_and_old_ones_are_deleted_with_their_files(server, tmp_path):
    call_command("feed_source", "metro", server.url, "--every", "1h", "--keep", "2", stdout=io.StringIO())
    paths = []
    for n, name in enumerate(["Kalasatama", "Fiskehamnen", "Kalasatama (M)"]):
        server.publish(feed_bytes(tmp_path, f"v{n}.zip", stops__txt=renamed(name)), 1_700_000_000 + n)
        refresh("--name", "metro")
        feed = FeedVersion.objects.get(name="metro", is_active=True)
        assert feed.version == n + 1
        assert Stop.objects.get(feed=feed, stop_id="1100602").name == name
        paths.append((Path(feed.gtfs_path), *artifact_paths(feed)))
    assert list(FeedVersion.objects.filter(name="metro").values_list("version", "is_active")) == [
        (3, True), (2, False)]
    for path in paths[0]:
        assert not path.exists(), path  # v1's zip and network are gone
    for path in paths[1] + paths[2]:
        assert path.exists(), path


@pytest.mark.django_db
def test_failed_download_import_or_build_keeps_the_active_version_and_says_why(server, tmp_path, settings,
                                                                                  api_client):
    server.publish(feed_bytes(tmp_path), 1_700_000_000)
    call_command("feed_source", "metro", server.url, "--every", "1h", stdout=io.StringIO())
    refresh()
    active = FeedVersion.objects.get(name="metro", is_active=True)

    server.status = 500
    with pytest.raises(CommandError, match="some feeds failed"):
        refresh()
    source = FeedSource.objects.get(name="metro")
    assert source.last_outcome == "failed" and source.last_error == f"download: {server.url}: HTTP 500"

    broken = feed_bytes(tmp_path, "broken.zip", stop_times__txt=MINI["stop_times.txt"].replace("1121602", "999"))
    server.publish(broken, 1_700_000_100)
    with pytest.raises(CommandError):
        refresh()
    source.refresh_from_db()
    assert source.last_error.startswith("import: feed rejected: stop_times.txt row 3 field stop_id: "
                                        "unknown stop_id '999'")

    server.publish(feed_bytes(tmp_path, "v2.zip", stops__txt=renamed("Fiskehamnen")), 1_700_000_200)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("the network directory is a file: building fails")
    settings.NETWORK_DIR = blocker
    with pytest.raises(CommandError):
        refresh()
    source.refresh_from_db()
    assert source.last_error.startswith("build: metro v2 not activated: ")
    assert FeedVersion.objects.get(name="metro", is_active=True).pk == active.pk  # still serving v1
    assert source.etag != server.etag  # retried next time

    r = api_client.get("/readyz")
    assert r.status_code == 200, r.content
    details = r.json()["details"]["feeds"]["metro"]
    assert details["active_version"] == 1 and details["last_outcome"] == "failed"
    assert details["last_error"].startswith("build: metro v2 not activated")

    settings.NETWORK_DIR = tmp_path / "networks"
    assert "metro v3 (active) is now active" in refresh()
    assert FeedSource.objects.get(name="metro").last_error == ""


@pytest.mark.django_db
def test_beat_task_refreshes_only_sources_that_are_due(server, tmp_path):
    from planner.tasks import refresh_feeds

    server.publish(feed_bytes(tmp_path), 1_700_000_000)
    call_command("feed_source", "metro", server.url, "--every", "1h", stdout=io.StringIO())
    call_command("feed_source", "later", server.url, "--every", "1h", stdout=io.StringIO())
    FeedSource.objects.filter(name="later").update(last_checked_at=timezone.now() - timedelta(minutes=59))
    assert refresh_feeds.apply().get() == ["metro: metro v1 (active) is now active"]
    assert len(server.requests) == 1
    FeedSource.objects.filter(name="later").update(last_checked_at=timezone.now() - timedelta(minutes=61))
    assert refresh_feeds.apply().get() == ["later: later v1 (active) is now active"]


@pytest.mark.django_db
def test_a_source_that_resolves_to_a_refused_address_fails_before_connecting(server, settings, tmp_path):
    server.publish(feed_bytes(tmp_path), 1_700_000_000)
    call_command("feed_source", "metro", server.url, "--every", "1h", stdout=io.StringIO())
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(CommandError):
        refresh()
    source = FeedSource.objects.get(name="metro")
    assert source.last_error == f"download: {server.url}: 127.0.0.1: address not allowed (loopback)"
    assert server.requests == []  # refused before any connection
    assert not FeedVersion.objects.exists()
