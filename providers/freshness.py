"""When a provider's data counts as fresh."""
from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def stale_after(provider) -> timedelta:
    """How old the feed's last_updated may get: max(PROVIDERS_STALE_AFTER_S, 3 × ttl)."""
    floor = int(getattr(settings, "PROVIDERS_STALE_AFTER_S", 300))
    return timedelta(seconds=max(floor, 3 * (provider.ttl_s or 0)))


def is_stale(provider, now=None) -> bool:
    """True when the provider has no data or its feed stopped updating."""
    now = now or timezone.now()
    if provider.last_updated is None or provider.current_snapshot_id is None:
        return True
    return provider.stale or now - provider.last_updated > stale_after(provider)
