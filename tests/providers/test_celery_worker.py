"""The sync task in a real Celery worker (Redis broker, PostgreSQL), as django-celery-beat would send it."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from maas.celery import app
from providers import services
from providers.models import Provider, Station

from .test_sync import stamped

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_beat_task_runs_in_real_worker(gbfs_server, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # this test talks to a real broker
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.fail("this test needs CELERY_BROKER_URL=redis://127.0.0.1:6379/<db>")
    url = gbfs_server.serve("otp_helsinki_v1")
    gbfs_server.overrides["station_status"] = stamped(gbfs_server, "station_status", timezone.now())
    provider = services.register_provider(name="HSL", kind="bike_share", gbfs_url=url)
    beat_entry = PeriodicTask.objects.get(name=services.sync_task_name(provider))

    queue = f"providers-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="maas.test_settings", CELERY_TASK_ALWAYS_EAGER="false",
               DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "maas", "worker", "--pool=solo", "-Q", queue, "--loglevel=WARNING",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # Exactly what beat sends for this entry: its task name and JSON args.
        result = app.send_task(beat_entry.task, args=[provider.pk], queue=queue)
        outcome = result.get(timeout=90)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert outcome["replaced"] == ["stations"] and outcome["stale"] is False, outcome
    provider = Provider.objects.get(pk=provider.pk)
    assert provider.current_snapshot_id == outcome["snapshot_id"]
    assert Station.objects.filter(snapshot_id=provider.current_snapshot_id).count() == 7
