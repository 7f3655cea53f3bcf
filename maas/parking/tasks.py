"""Celery tasks: waitlist promotion, daily expiry and utilization snapshots, Liipi pulls."""
from celery import shared_task

from maas.parking import liipi_pull, services


@shared_task(name="parking.promote_waitlist")
def promote_waitlist_task(area_id):
    """Grant freed spaces of an area to the waitlist in order; returns the promoted permit ids."""
    return [p.pk for p in services.promote_waitlist(area_id)]


@shared_task(name="parking.notify_granted")
def notify_granted_task(permit_id):
    """Write (and email) the granted notice of a promoted permit, once."""
    note = services.notify_granted(permit_id)
    return note.pk if note else None


@shared_task(name="parking.daily_maintenance")
def daily_maintenance_task():
    """Expire permits past their period, then record today's utilization snapshot per area."""
    expired = services.expire_permits()
    snapshots = services.record_utilization_snapshots()
    return {"expired": expired, "snapshots": len(snapshots)}


@shared_task(name="parking.pull_liipi_facilities")
def pull_liipi_facilities_task():
    """Hourly: facilities from PARKING_LIIPI_URL (no-op when unset)."""
    return liipi_pull.pull_facilities()


@shared_task(name="parking.pull_liipi_utilizations")
def pull_liipi_utilizations_task():
    """Every 10 minutes: utilization readings from PARKING_LIIPI_URL (no-op when unset)."""
    return liipi_pull.pull_utilizations()
