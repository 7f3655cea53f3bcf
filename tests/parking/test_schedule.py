"""Daily parking maintenance is scheduled by migration, not only by the demo loader."""
import pytest
from django_celery_beat.models import PeriodicTask


@pytest.mark.django_db
def test_daily_maintenance_is_scheduled_at_five_past_midnight():
    task = PeriodicTask.objects.get(task="parking.daily_maintenance")
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour) == ("5", "0")
    assert str(task.crontab.timezone) == "Europe/Helsinki"
