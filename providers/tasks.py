"""Celery tasks: one GBFS pull per provider (scheduled by django-celery-beat), staleness sweep."""
import logging

from celery import shared_task
from django.utils import timezone

from providers.freshness import is_stale
from providers.gbfs import GbfsError
from providers.models import Provider
from providers.sync import FeedError, FeedRefused
from providers.sync import sync_provider as run_sync

logger = logging.getLogger(__name__)


@shared_task(name="providers.sync_provider", bind=True, autoretry_for=(FeedError,),
             dont_autoretry_for=(FeedRefused,), retry_backoff=True,
             retry_backoff_max=600, retry_jitter=True, max_retries=5, acks_late=True)
def sync_provider(self, provider_id):
    """Pull one provider's GBFS feed; network errors retry with backoff (a refused URL does not)."""
    provider = Provider.objects.filter(pk=provider_id, active=True).first()
    if provider is None or not provider.gbfs_url:
        return {"provider_id": provider_id, "skipped": True}
    try:
        result = run_sync(provider)
    except GbfsError as exc:  # the feed is there but malformed: retrying won't help
        logger.error("GBFS sync %s failed: %s", provider, exc)
        mark_stale_providers()
        raise
    return {"provider_id": provider_id, "snapshot_id": result.snapshot.pk if result.snapshot else None,
            "replaced": result.replaced, "ignored": result.ignored, "stale": result.stale}


@shared_task(name="providers.mark_stale_providers")
def mark_stale_providers():
    """Flag providers whose feed stopped updating (also covers providers whose sync keeps failing)."""
    now = timezone.now()
    flagged = []
    for p in Provider.objects.filter(active=True, stale=False):
        if is_stale(p, now):
            Provider.objects.filter(pk=p.pk).update(stale=True)
            flagged.append(p.pk)
    return flagged
