"""Production polls real time through Celery beat: the configured scheduler runs a source's poll every 15 s
without drift, however late each run is sent."""
from datetime import datetime, timedelta, timezone

import pytest
from celery.utils.imports import symbol_by_name
from django.conf import settings

from planner.realtime import services

START = datetime(2024, 3, 6, 6, 0, 0, tzinfo=timezone.utc)
SEND_LATENCY_S = 0.25  # beat's tick and database save between a run being due and its last_run_at


@pytest.fixture
def clock(monkeypatch):
    """A fake clock for beat: the schedules' now() and the entries' send times."""
    import django_celery_beat.models

    now = [START]
    monkeypatch.setattr(django_celery_beat.models, "now", lambda: now[0])
    entry_class = symbol_by_name(settings.CELERY_BEAT_SCHEDULER).Entry
    monkeypatch.setattr(entry_class, "_default_now", lambda self: now[0])
    return now


def beat_runs(entry, clock, count):
    """When beat sends `count` runs of `entry`: it sleeps as long as the entry says, then sends (taking
    SEND_LATENCY_S) and records the run, as celery's Scheduler.tick does."""
    runs = []
    while len(runs) < count:
        due, wait_s = entry.is_due()
        if due:
            clock[0] += timedelta(seconds=SEND_LATENCY_S)
            runs.append(clock[0])
            entry = next(entry)
        else:
            clock[0] += timedelta(seconds=max(wait_s, 0.001))
    return runs


def test_poll_every_15_s_does_not_drift(db, clock):
    from django_celery_beat.models import PeriodicTask

    services.configure_source("hsl", trip_updates_url="http://127.0.0.1:1/tu", interval_s=15)
    model = PeriodicTask.objects.get(name="realtime.poll:hsl")
    assert (model.task, model.args, model.interval.every, model.expire_seconds) == (
        "realtime.poll_feed", '["hsl"]', 15, 15)
    model.last_run_at = START
    model.save()
    entry = symbol_by_name(settings.CELERY_BEAT_SCHEDULER).Entry(model)
    runs = beat_runs(entry, clock, 240)  # an hour of polls
    gaps = [(b - a).total_seconds() for a, b in zip(runs, runs[1:])]
    assert min(gaps) == pytest.approx(15, abs=0.01) and max(gaps) == pytest.approx(15, abs=0.01)
    assert (runs[-1] - runs[0]).total_seconds() == pytest.approx(239 * 15, abs=0.01)  # 240 sends, 3,585 s apart
    assert runs[0] - START <= timedelta(seconds=15 + SEND_LATENCY_S)


def test_runs_beat_missed_are_not_made_up(db, clock):
    """Beat down for a minute: one run when it is back, then on the same 15 s points as before."""
    from django_celery_beat.models import PeriodicTask

    services.configure_source("hsl", trip_updates_url="http://127.0.0.1:1/tu", interval_s=15)
    model = PeriodicTask.objects.get(name="realtime.poll:hsl")
    model.last_run_at = START
    model.save()
    entry_class = symbol_by_name(settings.CELERY_BEAT_SCHEDULER).Entry
    first = beat_runs(entry_class(model), clock, 2)
    clock[0] += timedelta(seconds=60)
    model.refresh_from_db()
    model.last_run_at = first[-1]
    later = beat_runs(entry_class(model), clock, 3)
    assert later[0] - first[-1] == timedelta(seconds=60 + SEND_LATENCY_S)  # at once, when beat is back
    for run in later[1:]:
        assert ((run - first[0]).total_seconds() % 15) == pytest.approx(0, abs=0.01)
