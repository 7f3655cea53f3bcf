"""Fault-case fixtures: billing residents with cards (from the billing tests) and a private redis-server."""
from contextlib import contextmanager

import pytest

from maas.celery import app
from tests.billing.conftest import carded_client  # noqa: F401 - fixtures
from tests.reliability.redis_process import RedisProcess


@pytest.fixture
def private_redis():
    """A redis-server of this test's own (never the shared 6379), started."""
    server = RedisProcess().start()
    try:
        yield server
    finally:
        server.stop()


def _reset_connections():
    """Forget the app's cached pools (not closed: kombu shares them per broker URL across apps)."""
    app.amqp._producer_pool = None
    app._pool = None


@pytest.fixture
def broker_at(monkeypatch):
    """Point the in-process Celery app at another broker (a private redis), not eager, for the test."""
    @contextmanager
    def use(url):
        monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads the environment before its own setting
        monkeypatch.setitem(app.conf, "broker_url", url)
        monkeypatch.setitem(app.conf, "task_always_eager", False)
        _reset_connections()
        try:
            yield app
        finally:
            _reset_connections()

    return use
