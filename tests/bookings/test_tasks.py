"""Celery wiring: task names, the beat schedule registered by migration, the sweep task."""
import pytest

from maas.celery import app


def test_tasks_are_registered_under_stable_names():
    app.loader.import_default_modules()
    assert {"bookings.expire_booking", "bookings.retry_pending_booking", "bookings.sweep"} <= set(app.tasks)


@pytest.mark.django_db
def test_beat_runs_the_sweep_every_minute():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="bookings.sweep")
    assert (task.task, task.enabled, task.interval.every, task.interval.period) == (
        "bookings.sweep", True, 60, "seconds")


@pytest.mark.django_db
def test_sweep_task_with_nothing_to_do():
    from maas.bookings import tasks

    assert tasks.sweep.delay().get() == {"expired": 0, "retried": 0, "idempotency_keys_purged": 0}
