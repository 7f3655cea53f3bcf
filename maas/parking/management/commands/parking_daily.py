"""Expire ended permits and record today's utilization snapshots (the daily Celery task, by hand)."""
from django.core.management import BaseCommand

from maas.parking.tasks import daily_maintenance_task


class Command(BaseCommand):
    help = "Expire permits past their period and record today's UtilizationSnapshot per area."

    def handle(self, *args, **options):
        result = daily_maintenance_task()
        self.stdout.write(f"Expired {result['expired']} permits, recorded {result['snapshots']} snapshots")
