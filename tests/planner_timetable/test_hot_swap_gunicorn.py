"""Across processes: real gunicorn (the project's gunicorn.conf.py, 2 workers, the network preloaded in the master)
serves plans from several clients while a refresh in another process imports, builds and activates a new feed
version. No request fails, and afterwards every worker answers from the new version without a restart."""
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from planner.models import FeedVersion
from tests.support.http import free_port

from .feed_server import FeedServer
from .test_refresh import feed_bytes, renamed

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BODY = {"from": {"stop_id": "1100602"}, "to": {"stop_id": "1111602"}, "departure": "2022-03-02T23:50:00+02:00",
        "modes": ["walk", "transit"]}
CLIENTS = 3
WORKERS = 2
LOG_LINE = re.compile(r"^<(\d+)> /api/v1/plans n=(\d+) (\d{3})$")


def start_gunicorn(settings, tmp_path, port):
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "maas.test_settings", "DEBUG": "true",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "TEST_NETWORK_DIR": str(settings.NETWORK_DIR), "TEST_GTFS_FEED_DIR": str(settings.GTFS_FEED_DIR),
           "ROUTING_FEED_RECHECK_S": "0"}  # every request asks which versions are active
    log = tmp_path / "access.log"
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "maas.wsgi", "--config", str(ROOT / "gunicorn.conf.py"), "--workers", str(WORKERS),
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--access-logfile", str(log),
         "--access-logformat", "%(p)s %(U)s %(q)s %(s)s"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while True:  # gunicorn has no readiness signal: wait until it accepts connections
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, log
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()[-3000:]
            time.sleep(0.2)


def worker_of(log: Path) -> dict[int, int]:
    """{request number: pid of the worker that answered it} from gunicorn's access log."""
    answered = {}
    for line in log.read_text().splitlines():
        match = LOG_LINE.match(line.strip())
        if match:
            answered[int(match[2])] = int(match[1])
    return answered


@pytest.mark.django_db(transaction=True)
def test_every_gunicorn_worker_serves_the_new_version_after_a_refresh_and_no_request_fails(settings, tmp_path,
                                                                                          make_resident):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    feed_server = FeedServer()
    process = None
    try:
        feed_server.publish(feed_bytes(tmp_path), 1_700_000_000)
        call_command("feed_source", "hsl", feed_server.url, "--every", "1h", stdout=io.StringIO())
        call_command("refresh_feeds", stdout=io.StringIO())
        port = free_port()
        process, log = start_gunicorn(settings, tmp_path, port)
        token = str(RefreshToken.for_user(make_resident().user).access_token)
        results: dict[int, tuple[str, int, str | None, list]] = {}  # n -> (phase, status, origin name, feeds)
        lock = threading.Lock()
        counter = iter(range(1_000_000))
        phase = {"now": "before"}
        warmed, stop = threading.Event(), threading.Event()

        def client():
            while not stop.is_set():
                with lock:
                    n = next(counter)
                started = phase["now"]
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/plans?n={n}", data=json.dumps(BODY).encode(), method="POST",
                    headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
                try:
                    with urllib.request.urlopen(request, timeout=120) as resp:
                        status, body = resp.status, json.loads(resp.read())
                except urllib.error.HTTPError as exc:
                    status, body = exc.code, {"error": exc.read().decode()[:300]}
                except OSError:  # the connection itself failed: a lost request
                    status, body = 0, {}
                legs = [leg for it in body.get("itineraries", []) for leg in it["legs"] if leg["transit"]]
                with lock:
                    results[n] = (started, status, legs[0]["from"]["name"] if legs else None,
                                  body.get("feeds", body.get("error")))
                    if len(results) >= 4 * CLIENTS:
                        warmed.set()

        def every_worker_answered_after():
            after = [n for n, r in results.items() if r[0] == "after"]
            pids = worker_of(log)
            return len({pids.get(n) for n in after} - {None}) == WORKERS and len(after) >= 4 * CLIENTS

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        try:
            assert warmed.wait(120)
            feed_server.publish(feed_bytes(tmp_path, "v2.zip", stops__txt=renamed("Fiskehamnen")), 1_700_000_100)
            phase["now"] = "during"
            out = io.StringIO()
            call_command("refresh_feeds", stdout=out)  # this process; the server's workers are other processes
            phase["now"] = "after"
            assert "hsl v2 (active) is now active" in out.getvalue()
            deadline = time.monotonic() + 120
            while not every_worker_answered_after():  # both workers must have been asked after the swap
                assert time.monotonic() < deadline, "not every worker answered after the swap"
                time.sleep(0.2)
        finally:
            stop.set()
            for t in threads:
                t.join(120)
    finally:
        feed_server.close()
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    pids = worker_of(log)
    assert [(n, r) for n, r in results.items() if r[1] != 200 or r[2] is None] == []  # none lost or failed
    assert set(results) <= set(pids)  # every request is in the server's log
    before = [r for r in results.values() if r[0] == "before"]
    after = {n: r for n, r in results.items() if r[0] == "after"}
    assert {(r[2], json.dumps(r[3])) for r in before} == {("Kalasatama", '[{"name": "hsl", "version": 1}]')}
    assert {(r[2], json.dumps(r[3])) for r in after.values()} == {
        ("Fiskehamnen", '[{"name": "hsl", "version": 2}]')}
    assert {pids[n] for n in after} == set(pids.values())  # every worker, each without a restart:
    assert len(set(pids.values())) == WORKERS  # no worker was replaced (same pids before and after)
    assert any(r[0] == "during" for r in results.values())  # served while v2 was imported and built
    assert FeedVersion.objects.get(is_active=True).version == 2
