"""Formerly registered the daily maintenance schedule; every schedule now lives in maas/schedules.py
(written after each migrate). Kept, empty, so the migration graph stays as deployed."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("parking", "0002_apply_permit_function"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
