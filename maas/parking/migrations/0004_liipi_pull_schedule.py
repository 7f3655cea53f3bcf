"""Register the Liipi pulls with django-celery-beat: facilities hourly, utilizations every 10 minutes."""
from django.db import migrations

SCHEDULES = {"parking: pull Liipi facilities": ("parking.pull_liipi_facilities", 3600),
             "parking: pull Liipi utilizations": ("parking.pull_liipi_utilizations", 600)}


def add_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, every) in SCHEDULES.items():
        schedule, _ = IntervalSchedule.objects.get_or_create(every=every, period="seconds")
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": task, "interval": schedule,
                                                                   "enabled": True})


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("parking", "0003_daily_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
