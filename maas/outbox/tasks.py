"""The relay beat task (schedule in maas/schedules.py)."""
from celery import shared_task

from maas.outbox import services


@shared_task(name="outbox.relay")
def relay():
    """Send what the broker refused at commit time; drop week-old sent messages."""
    result = services.relay()
    result["purged"] = services.purge_sent()
    return result
