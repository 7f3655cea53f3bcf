"""Provider booking adapters: one per provider kind of booking API (TOMP-API, GBFS-only)."""
from django.conf import settings

from providers.adapters.base import (  # noqa: F401
    BookingResult,
    FinishResult,
    Offer,
    ProviderAdapter,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)


def adapter_for(provider):
    """The adapter for a providers.Provider: TOMP-API when it has a booking endpoint, else GBFS-only."""
    from providers.adapters.gbfs import GbfsOnlyAdapter
    from providers.adapters.tomp import TompAdapter

    if getattr(provider, "booking_api_url", ""):
        timeout = float(getattr(settings, "BOOKING_PROVIDER_TIMEOUT_S", 5.0))
        return TompAdapter(provider.booking_api_url, timeout=timeout)
    return GbfsOnlyAdapter(provider.pk)
