"""Formerly registered the bookings sweep schedule; every schedule now lives in maas/schedules.py
(written after each migrate). Kept, empty, so the migration graph stays as deployed."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
