"""A task goes through the real Redis broker to a real worker and back."""
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from maas.celery import app, ping


@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_redis():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            result = ping.delay()
            assert result.get(timeout=20) == "pong"
            assert result.status == "SUCCESS"
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
