"""Booking timing settings (BOOKING_* in Django settings), with their defaults."""
from django.conf import settings


def _setting(name, default):
    return type(default)(getattr(settings, name, default))


def hold_seconds():
    """How long a confirmed booking holds the vehicle before it must be started."""
    return _setting("BOOKING_HOLD_SECONDS", 900)


def pending_timeout_seconds():
    """How long a booking may stay PENDING (provider not answering) before it expires."""
    return _setting("BOOKING_PENDING_TIMEOUT_SECONDS", 120)


def retry_seconds(attempt):
    """Back-off before provider attempt number `attempt + 1`."""
    return _setting("BOOKING_RETRY_SECONDS", 10) * 2 ** max(0, attempt - 1)


def idempotency_stale_seconds():
    """After this long an unanswered Idempotency-Key claim is taken for a crashed request and settled."""
    return _setting("BOOKING_IDEMPOTENCY_STALE_SECONDS", 300)


def max_attempts():
    return _setting("BOOKING_MAX_PROVIDER_ATTEMPTS", 5)


def idempotency_ttl_hours():
    """How long answered Idempotency-Keys are kept (then a key may be used again)."""
    return _setting("BOOKING_IDEMPOTENCY_TTL_HOURS", 24)
