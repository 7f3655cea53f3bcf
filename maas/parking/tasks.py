"""Celery tasks: waitlist promotion after a release, daily expiry and utilization snapshots."""
from celery import shared_task

from maas.parking import services


@shared_task(name="parking.promote_waitlist")
def promote_waitlist_task(area_id):
    """Grant freed spaces of an area to the waitlist in order; returns the promoted permit ids."""
    return [p.pk for p in services.promote_waitlist(area_id)]


@shared_task(name="parking.daily_maintenance")
def daily_maintenance_task():
    """Expire permits past their period, then record today's utilization snapshot per area."""
    expired = services.expire_permits()
    snapshots = services.record_utilization_snapshots()
    return {"expired": expired, "snapshots": len(snapshots)}
