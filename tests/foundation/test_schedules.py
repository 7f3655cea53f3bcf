"""Every fixed periodic task is declared once, in maas/schedules.py, and is in django-celery-beat's tables."""
from pathlib import Path

import pytest
from django_celery_beat.models import PeriodicTask

from maas import schedules
from maas.celery import app

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_every_listed_schedule_is_in_the_beat_tables_and_names_a_real_task():
    app.loader.import_default_modules()
    for entry in schedules.SCHEDULES:
        task = PeriodicTask.objects.get(name=entry.name)
        assert task.task == entry.task and task.enabled
        assert entry.task in app.tasks, entry.task
        if entry.every_s is not None:
            assert (task.interval.every, task.interval.period) == (entry.every_s, "seconds")
        else:
            assert (task.crontab.minute, task.crontab.hour) == (entry.crontab["minute"], entry.crontab["hour"])
    assert PeriodicTask.objects.get(name="outbox.relay").interval.every == 10


def test_no_other_module_writes_beat_schedules():
    writers = sorted(
        str(path.relative_to(ROOT)) for path in ROOT.glob("**/*.py")
        if ".venv" not in path.parts and "tests" not in path.parts and path.name != "schedules.py"
        and any(name in path.read_text(encoding="utf-8") for name in ("PeriodicTask", "IntervalSchedule",
                                                                      "CrontabSchedule")))
    assert writers == []
