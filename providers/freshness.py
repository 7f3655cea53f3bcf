"""When a provider's data counts as fresh."""
from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def stale_after(provider) -> timedelta | None:
    """How old the feed's last_updated may get; None = never stale (static data).

    The provider's own stale_after_s if set, else max(PROVIDERS_STALE_AFTER_S, 3 × ttl).
    """
    if provider.stale_after_s is not None:
        return timedelta(seconds=provider.stale_after_s) if provider.stale_after_s else None
    floor = int(getattr(settings, "PROVIDERS_STALE_AFTER_S", 300))
    return timedelta(seconds=max(floor, 3 * (provider.ttl_s or 0)))


def is_stale(provider, now=None) -> bool:
    """True when the provider has no data or its feed stopped updating."""
    now = now or timezone.now()
    if provider.last_updated is None or provider.current_snapshot_id is None:
        return True
    limit = stale_after(provider)
    if limit is None:
        return False
    return provider.stale or now - provider.last_updated > limit
