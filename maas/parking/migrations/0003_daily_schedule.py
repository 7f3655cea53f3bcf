"""Register parking's daily maintenance (expire permits, utilization snapshot) with django-celery-beat."""
from django.db import migrations

TASK_NAME = "parking: expire permits + utilization snapshot"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="5", hour="0", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/Helsinki",
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME, defaults={"task": "parking.daily_maintenance", "crontab": schedule, "enabled": True},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("parking", "0002_apply_permit_function"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
