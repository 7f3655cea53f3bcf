"""Every periodic Celery task, in one place (django-celery-beat runs them, interval ones at a fixed rate without
drift: `maas.beat.FixedRateScheduler`; see README "Running it for real").

Fixed schedules are listed in SCHEDULES and written to django-celery-beat's tables after every
`migrate` (post_migrate, so a fresh or flushed database has them too). The one dynamic family, a pull
sync per GBFS provider at its feed's ttl (`providers.sync_provider`, "providers.sync:<id>", written by
`providers.services.schedule_sync`) and a poll per real-time source at its interval (`realtime.poll_feed`,
"realtime.poll:<feed>", written by `planner.realtime.services.schedule_polling`), go through
`put_interval` / `remove` below.
"""
from dataclasses import dataclass

HELSINKI = "Europe/Helsinki"


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every_s: int | None = None  # an interval ...
    crontab: dict | None = None  # ... or crontab fields (minute, hour, ...), Helsinki time


SCHEDULES = [
    # the transactional outbox: tasks the broker refused at commit time (maas.outbox)
    Schedule("outbox.relay", "outbox.relay", every_s=10),
    # expire lapsed booking holds, retry due PENDING bookings, drop old idempotency keys
    Schedule("bookings.sweep", "bookings.sweep", every_s=60),
    # mark providers whose data is older than their stale-after as stale
    Schedule("providers.mark_stale_providers", "providers.mark_stale_providers", every_s=60),
    # expire permits past their period, then the day's utilization snapshot
    Schedule("parking: expire permits + utilization snapshot", "parking.daily_maintenance",
             crontab={"minute": "5", "hour": "0"}),
    # GDPR: purge location data past its retention or without consent
    Schedule("accounts: purge location data past retention or without consent", "accounts.purge_location_data",
             crontab={"minute": "30", "hour": "3"}),
    # plan fees follow discount grants (a new grant lowers the fee, a lapsed one restores it)
    Schedule("billing: reprice subscriptions for discounts", "billing.reprice_subscriptions",
             crontab={"minute": "15", "hour": "0"}),
    # park-and-ride data from the Liipi API
    Schedule("parking: pull Liipi facilities", "parking.pull_liipi_facilities", every_s=3600),
    Schedule("parking: pull Liipi utilizations", "parking.pull_liipi_utilizations", every_s=600),
    # GTFS feed sources due for a refresh (each source has its own refresh_every)
    Schedule("planner.refresh_feeds", "planner.refresh_feeds", every_s=600),
]


def put_interval(name, task, every_s, args=(), expire_s=None):
    """Create or update the periodic task `name`: `task(*args)` every `every_s` seconds (at a fixed rate:
    maas.beat); with `expire_s`, a run still queued that long after it was sent is dropped."""
    import json

    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval, _ = IntervalSchedule.objects.get_or_create(every=int(every_s), period=IntervalSchedule.SECONDS)
    periodic, _ = PeriodicTask.objects.update_or_create(name=name, defaults={
        "task": task, "interval": interval, "crontab": None, "args": json.dumps(list(args)), "enabled": True,
        "expire_seconds": expire_s})
    return periodic


def put_crontab(name, task, fields):
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    defaults = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
    crontab, _ = CrontabSchedule.objects.get_or_create(**{**defaults, **fields}, timezone=HELSINKI)
    periodic, _ = PeriodicTask.objects.update_or_create(name=name, defaults={
        "task": task, "crontab": crontab, "interval": None, "enabled": True})
    return periodic


def remove(name):
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.filter(name=name).delete()


def sync(**_signal_kwargs):
    """Write SCHEDULES to django-celery-beat's tables (idempotent; connected to post_migrate)."""
    for entry in SCHEDULES:
        if entry.crontab is not None:
            put_crontab(entry.name, entry.task, entry.crontab)
        else:
            put_interval(entry.name, entry.task, entry.every_s)
