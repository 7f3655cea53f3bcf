"""A sync process SIGKILLed half-way through writing its snapshot leaves the previous snapshot current."""
import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from providers import services
from providers.models import Provider, Snapshot, Station
from providers.sync import sync_provider

from .test_sync import stamped

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    import sys, time, django
    django.setup()
    from providers import snapshots
    from providers.models import Provider
    from providers.sync import sync_provider

    real_insert = snapshots._insert

    def slow_insert(model, snapshot_id, rows):
        real_insert(model, snapshot_id, rows[: len(rows) // 2])
        print("HALF", snapshot_id, flush=True)
        time.sleep(60)  # the parent kills us here, mid-transaction

    snapshots._insert = slow_insert
    sync_provider(Provider.objects.get(pk=int(sys.argv[1])))
""")


@pytest.mark.django_db(transaction=True)
def test_sigkilled_sync_process_keeps_old_snapshot(gbfs_server):
    url = gbfs_server.serve("otp_helsinki_v1")
    provider = services.register_provider(name="HSL", kind="bike_share", gbfs_url=url)
    now = timezone.now()
    gbfs_server.overrides["station_status"] = stamped(gbfs_server, "station_status", now)
    sync_provider(provider)
    provider.refresh_from_db()
    old = provider.current_snapshot_id
    gbfs_server.overrides["station_status"] = stamped(
        gbfs_server, "station_status", now + timedelta(minutes=1), **{"001": {"num_bikes_available": 30}})

    db = connection.settings_dict
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="maas.test_settings",
               DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(provider.pk)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.startswith("HALF"), child.stderr.read()
        half_snapshot = int(line.split()[1])
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL

    provider.refresh_from_db()
    assert provider.current_snapshot_id == old
    assert not Snapshot.objects.filter(pk=half_snapshot).exists()
    assert not Station.objects.filter(snapshot_id=half_snapshot).exists()
    assert Station.objects.get(snapshot_id=old, station_id="001").bikes_available == 2
    # The next sync (the killed one's retry) goes through.
    sync_provider(Provider.objects.get(pk=provider.pk))
    provider.refresh_from_db()
    assert Station.objects.get(snapshot_id=provider.current_snapshot_id, station_id="001").bikes_available == 30
