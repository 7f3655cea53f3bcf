"""Polling as operators run it: the commands, the beat schedule, and a worker killed in the middle of a poll."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from planner.realtime import selectors
from planner.realtime.models import RealtimeSource
from tests.realtime.conftest import DAY
from tests.realtime.rtfeeds import message, trip_update

ROOT = Path(__file__).resolve().parents[2]


def test_realtime_source_command_configures_and_schedules(small_feed, rt_store, feed_server, capsys):
    from django_celery_beat.models import PeriodicTask

    url = feed_server.serve("/tu", message([trip_update(1, trip_id="R1-0800", start_date=DAY,
                                                        relationship="CANCELED")]))
    call_command("realtime_source", "small", "--trip-updates", url, "--every", "30s")
    source = RealtimeSource.objects.get(feed_name="small")
    assert source.urls() == {"trip_updates": url} and source.interval_s == 30
    task = PeriodicTask.objects.get(name="realtime.poll:small")
    assert (task.task, task.args, task.interval.every) == ("realtime.poll_feed", '["small"]', 30)
    call_command("poll_realtime", "--feed", "small")
    assert "trip_updates: ok (entities 1" in capsys.readouterr().out
    assert selectors.trip_estimates("small") == {"R1-0800|20240306": {"canceled": True}}
    call_command("realtime_source", "small", "--trip-updates", url, "--disable")
    assert not PeriodicTask.objects.filter(name="realtime.poll:small").exists()


@pytest.mark.parametrize("args, message_part", [
    (["small"], "give at least one of"),
    (["small", "--trip-updates", "ftp://x/y"], "--trip-updates 'ftp://x/y': not an http(s) URL"),
    (["small", "--alerts", "http://127.0.0.1/a", "--every", "0s"], "--every '0s'"),
    (["small", "--alerts", "http://10.1.2.3/a"], "--alerts: http://10.1.2.3/a: "),
])
def test_realtime_source_command_rejects_bad_input(db, args, message_part):
    with pytest.raises(CommandError, match=message_part.replace("(", r"\(").replace(")", r"\)")):
        call_command("realtime_source", *args)
    assert not RealtimeSource.objects.exists()


def test_poll_command_fails_loudly_but_keeps_state(small_feed, rt_store, feed_server):
    with pytest.raises(CommandError, match="no real-time source for feed 'nope'"):
        call_command("poll_realtime", "--feed", "nope")
    call_command("realtime_source", "small", "--trip-updates", feed_server.url("/gone"))
    with pytest.raises(CommandError, match="previous state of each stays"):
        call_command("poll_realtime")


def test_beat_task_polls(small_feed, rt_store, feed_server):
    from planner.realtime.tasks import poll_feed

    url = feed_server.serve("/tu", message([trip_update(1, trip_id="R1-0820", start_date=DAY,
                                                        relationship="CANCELED")]))
    call_command("realtime_source", "small", "--trip-updates", url)
    result = poll_feed.delay("small").get(timeout=30)
    assert result["trip_updates"]["counts"]["canceled"] == 1
    assert "R1-0820|20240306" in selectors.trip_estimates("small")


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_poll_leaves_previous_state(small_feed, rt_store, feed_server):
    good = message([trip_update(1, trip_id="R1-0800", start_date=DAY, stops=[(20, None, 300, None, None)])])
    call_command("realtime_source", "small", "--trip-updates", feed_server.serve("/tu", good))
    call_command("poll_realtime")
    before = selectors.trip_estimates("small")
    assert before["R1-0800|20240306"]["arr"][1] == 8 * 3600 + 480
    new = message([trip_update(k, trip_id="R1-0810", start_date=DAY, relationship="CANCELED") for k in range(50)])
    feed_server.serve("/tu", new)
    feed_server.stalls["/tu"] = len(new.SerializeToString()) // 2
    db = connection.settings_dict
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="maas.test_settings", OUTBOUND_ALLOWED_NETWORKS="127.0.0.0/8",
               DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
    worker = subprocess.Popen([sys.executable, "manage.py", "poll_realtime", "--feed", "small"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert feed_server.stalled.wait(60), worker.communicate(timeout=5)
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
    feed_server.release.set()
    assert selectors.trip_estimates("small") == before
    del feed_server.stalls["/tu"]
    call_command("poll_realtime")
    assert len(selectors.trip_estimates("small")) == 1 and "R1-0810|20240306" in selectors.trip_estimates("small")
