"""A real worker holding an unacknowledged task survives its Redis being killed and restarted."""
import os
import subprocess
import sys
import time
from pathlib import Path

import redis
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]


def _client_app(server, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", server.url(0))  # Celery lets the environment override `broker=`
    return Celery("reliability-client", broker=server.url(0), backend=server.url(1))


def _wait_for_log(path, text, timeout=60):
    deadline = time.monotonic() + timeout
    while text not in path.read_text():
        assert time.monotonic() < deadline, f"worker never logged {text!r}:\n{path.read_text()[-3000:]}"
        time.sleep(0.1)


def test_worker_reconnects_after_redis_restart_with_unacked_task(private_redis, tmp_path, monkeypatch):
    log = tmp_path / "worker.log"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="maas.test_settings", CELERY_TASK_ALWAYS_EAGER="false",
               CELERY_BROKER_URL=private_redis.url(0), CELERY_RESULT_BACKEND=private_redis.url(1))
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "maas", "worker", "--pool=prefork", "--concurrency=1",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        app = _client_app(private_redis, monkeypatch)
        held = app.send_task("maas.ping", countdown=900)  # like a booking's hold expiry: held, unacked, by the worker
        assert app.send_task("maas.ping").get(timeout=90) == "pong"  # FIFO: the countdown task was taken first
        unacked = redis.Redis.from_url(private_redis.url(0)).hvals("unacked")
        assert any(held.id in message.decode() for message in unacked)

        private_redis.kill()
        _wait_for_log(log, "Connection to broker lost")
        private_redis.start()

        again = _client_app(private_redis, monkeypatch)
        assert again.send_task("maas.ping").get(timeout=90) == "pong"
        assert worker.poll() is None, "the worker exited"
        assert "Unrecoverable error" not in log.read_text()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
