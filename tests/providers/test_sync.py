"""GBFS pull sync against a local HTTP server on 127.0.0.1 serving the real feeds."""
import copy
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from providers import selectors, services, snapshots, tasks
from providers.models import Provider, Snapshot, Station
from providers.sync import FeedError, sync_provider


def stamped(server, name, when, **changes):
    """A served document with its last_updated set to `when` (POSIX for v1/v2), optionally edited."""
    doc = copy.deepcopy(server.load(name))
    doc["last_updated"] = int(when.timestamp()) if isinstance(doc["last_updated"], int) else when.isoformat()
    for station_id, fields in changes.items():
        next(s for s in doc["data"]["stations"] if s["station_id"] == station_id).update(fields)
    return doc


@pytest.fixture
def hsl(db, gbfs_server):
    url = gbfs_server.serve("otp_helsinki_v1")
    return services.register_provider(name="HSL", kind="bike_share", gbfs_url=url)


def current_stations(provider):
    provider.refresh_from_db()
    return {s.station_id: s.bikes_available for s in Station.objects.filter(snapshot_id=provider.current_snapshot_id)}


def test_hsl_v1_sync_skips_and_reports_bad_ids(hsl):
    result = sync_provider(hsl)
    hsl.refresh_from_db()
    assert result.replaced == ["stations"] and hsl.gbfs_version == "1.0" and hsl.ttl_s == 60
    assert current_stations(hsl) == {"001": 2, "002": 6, "003": 7, "004": 11, "005": 3, "008": 0, "009": 2}
    snap = hsl.current_snapshot
    assert snap.station_count == 7 and snap.source == "pull"
    assert {(r["index"], r["id"]) for r in snap.report if r["reason"] == "station_id is null"} == {(5, None)}
    assert any(r["id"] == "" for r in snap.report)
    # 2021 data: the feed is long past its ttl, so the provider is stale and stations are not fresh.
    assert hsl.stale is True
    assert [s["fresh"] for s in selectors.stations_near(60.1554, 24.9503, 100)] == [False]


def test_entur_v23_sync(db, gbfs_server):
    url = gbfs_server.serve("entur_validator_fixtures_v2.3")
    p = services.register_provider(name="Entur 2.3", kind="scooter", gbfs_url=url)
    result = sync_provider(p)
    p.refresh_from_db()
    assert sorted(result.replaced) == ["geofencing_zones", "pricing_plans", "stations", "vehicle_types", "vehicles"]
    assert (p.current_snapshot.station_count, p.current_snapshot.vehicle_count, p.gbfs_version) == (2, 2, "2.3")
    assert p.current_snapshot.vehicle_types.get(vehicle_type_id="def456").max_range_m == 12345
    assert gbfs_server.hits["free_bike_status"] == 1


def test_entur_v30_sync_via_manifest(db, gbfs_server):
    gbfs_server.serve("entur_validator_fixtures_v3.0")
    p = services.register_provider(name="Entur 3.0", kind="car_share", gbfs_url=f"{gbfs_server.base}/manifest.json")
    sync_provider(p)
    p.refresh_from_db()
    snap = p.current_snapshot
    assert (snap.station_count, snap.vehicle_count, p.gbfs_version) == (2, 4, "3.0")
    assert snap.global_rules[0]["ride_end_allowed"] is False
    assert snap.pricing_plans.get(plan_id="bike_plan_1").price_cents == 200
    # Outside any active zone the 3.0 global rule (no ending rides) applies.
    assert selectors.parking_allowed_at(p.pk, 12.0, 45.0) is False


def test_fresh_feed_and_schedule_at_ttl(hsl, gbfs_server):
    now = timezone.now()
    gbfs_server.overrides["station_status"] = stamped(gbfs_server, "station_status", now)
    sync_provider(hsl)
    hsl.refresh_from_db()
    assert hsl.stale is False and hsl.last_updated == now.replace(microsecond=0)
    near = selectors.stations_near(60.1554, 24.9503, 100)
    assert [(s["station_id"], s["bikes_available"], s["fresh"]) for s in near] == [("001", 2, True)]
    task = PeriodicTask.objects.get(name=services.sync_task_name(hsl))
    assert task.task == "providers.sync_provider" and task.args == f"[{hsl.pk}]"
    assert (task.interval.every, task.interval.period) == (60, "seconds")


def test_older_last_updated_never_replaces_newer(hsl, gbfs_server):
    now = timezone.now()
    gbfs_server.overrides["station_status"] = stamped(gbfs_server, "station_status", now)
    sync_provider(hsl)
    first = Provider.objects.get(pk=hsl.pk).current_snapshot_id
    gbfs_server.overrides["station_status"] = stamped(
        gbfs_server, "station_status", now - timedelta(minutes=2), **{"001": {"num_bikes_available": 25}})
    result = sync_provider(hsl)
    assert result.snapshot is None and result.ignored == ["stations"]
    assert Provider.objects.get(pk=hsl.pk).current_snapshot_id == first
    assert current_stations(hsl)["001"] == 2
    gbfs_server.overrides["station_status"] = stamped(
        gbfs_server, "station_status", now + timedelta(seconds=30), **{"001": {"num_bikes_available": 25}})
    result = sync_provider(hsl)
    assert result.replaced == ["stations"] and current_stations(hsl)["001"] == 25


def test_feed_that_stops_updating_is_flagged_stale(hsl, gbfs_server):
    now = timezone.now()
    gbfs_server.overrides["station_status"] = stamped(gbfs_server, "station_status", now)
    sync_provider(hsl)
    assert tasks.mark_stale_providers() == []
    # The feed keeps serving the same last_updated; ten minutes later it is stale.
    later = now + timedelta(minutes=10)
    result = snapshots.swap_snapshot(hsl, source="pull", sections={}, now=later)
    assert result.stale is True and Provider.objects.get(pk=hsl.pk).stale is True
    Provider.objects.filter(pk=hsl.pk).update(stale=False, last_updated=now - timedelta(minutes=10))
    assert tasks.mark_stale_providers() == [hsl.pk]
    assert selectors.stations_near(60.1554, 24.9503, 100)[0]["fresh"] is False


def test_sync_killed_midway_keeps_previous_snapshot(hsl, gbfs_server, monkeypatch):
    now = timezone.now()
    gbfs_server.overrides["station_status"] = stamped(gbfs_server, "station_status", now)
    sync_provider(hsl)
    hsl.refresh_from_db()
    old_snapshot, before = hsl.current_snapshot_id, current_stations(hsl)
    snapshot_ids = set(Snapshot.objects.values_list("pk", flat=True))

    real_insert = snapshots._insert

    def dying_insert(model, snapshot_id, rows):
        real_insert(model, snapshot_id, rows[: len(rows) // 2])  # half the rows reach the database...
        assert Station.objects.filter(snapshot_id=snapshot_id).count() == len(rows) // 2
        raise RuntimeError("worker killed")  # ...then the worker dies

    monkeypatch.setattr(snapshots, "_insert", dying_insert)
    gbfs_server.overrides["station_status"] = stamped(
        gbfs_server, "station_status", now + timedelta(seconds=60), **{"001": {"num_bikes_available": 30}})
    with pytest.raises(RuntimeError, match="worker killed"):
        sync_provider(hsl)
    hsl.refresh_from_db()
    assert hsl.current_snapshot_id == old_snapshot
    assert current_stations(hsl) == before and before["001"] == 2
    assert set(Snapshot.objects.values_list("pk", flat=True)) == snapshot_ids  # nothing half-written


def test_unreachable_feed_retries_with_backoff_then_fails(hsl, gbfs_server, monkeypatch):
    gbfs_server.status["gbfs"] = 500
    # Non-propagating eager apply runs Celery's retry loop in-process (countdowns are not slept).
    monkeypatch.setitem(tasks.sync_provider.app.conf, "task_eager_propagates", False)
    result = tasks.sync_provider.apply(args=[hsl.pk], throw=False)
    assert result.state == "FAILURE" and isinstance(result.result, FeedError) and "HTTP 500" in str(result.result)
    assert gbfs_server.hits["gbfs"] == 1 + tasks.sync_provider.max_retries
    hsl.refresh_from_db()
    assert "HTTP 500" in hsl.last_error and hsl.current_snapshot_id is None


def test_old_snapshots_pruned(hsl, gbfs_server):
    now = timezone.now()
    for i in range(4):
        gbfs_server.overrides["station_status"] = stamped(gbfs_server, "station_status", now + timedelta(seconds=i))
        sync_provider(hsl)
    hsl.refresh_from_db()
    kept = list(Snapshot.objects.filter(provider=hsl).values_list("pk", flat=True))
    assert len(kept) == 2 and hsl.current_snapshot_id in kept
    assert Station.objects.filter(snapshot__provider=hsl).count() == 14


def test_feed_limits_and_malformed_feed_not_retried(hsl, gbfs_server, settings, monkeypatch):
    settings.PROVIDERS_FEED_MAX_BYTES = 1000  # station_information is ~1.6 kB
    with pytest.raises(FeedError, match="larger than 1000 bytes"):
        sync_provider(hsl)
    settings.PROVIDERS_FEED_MAX_BYTES = 10_000_000
    gbfs_server.overrides["gbfs"] = {"last_updated": 1, "ttl": 60}
    monkeypatch.setitem(tasks.sync_provider.app.conf, "task_eager_propagates", False)
    result = tasks.sync_provider.apply(args=[hsl.pk])
    assert result.state == "FAILURE" and "no 'data'" in str(result.result)
    assert gbfs_server.hits["gbfs"] == 2  # once above, once here: a malformed feed is not retried
    hsl.refresh_from_db()
    assert hsl.last_error == "gbfs: no 'data' object" and hsl.current_snapshot_id is None
    Provider.objects.filter(pk=hsl.pk).update(gbfs_url="file:///etc/passwd")
    with pytest.raises(FeedError, match="only http"):
        sync_provider(Provider.objects.get(pk=hsl.pk))


def test_resync_of_unchanged_feed_turns_stale(hsl, gbfs_server, settings):
    import time

    settings.PROVIDERS_STALE_AFTER_S = 1
    status = stamped(gbfs_server, "station_status", timezone.now())
    status["ttl"] = 0
    gbfs_server.overrides["station_status"] = status
    first = sync_provider(hsl)
    assert first.snapshot is not None and first.stale is False
    time.sleep(1.5)  # the feed keeps serving the same last_updated
    second = sync_provider(Provider.objects.get(pk=hsl.pk))
    assert second.snapshot is None and second.ignored == ["stations"] and second.stale is True
    hsl.refresh_from_db()
    assert hsl.stale is True and hsl.current_snapshot_id == first.snapshot.pk
