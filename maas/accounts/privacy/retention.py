"""Location-data retention: kept only with consent, and at most LOCATION_RETENTION_DAYS (default 90)."""
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from maas.accounts.models import Resident
from maas.bookings import privacy as bookings_privacy


def retention_days():
    return int(getattr(settings, "LOCATION_RETENTION_DAYS", 90))


def purge_location_data(now=None):
    """Scrub location data of ended bookings older than the retention, and of every ended booking of
    residents without location consent. Returns {"bookings": n, "retention_days": d}."""
    days = retention_days()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    without_consent = Resident.objects.filter(location_consent=False).values("user_id")
    scrubbed = bookings_privacy.purge_locations(older_than=cutoff, without_consent_user_ids=without_consent)
    return {"bookings": scrubbed, "retention_days": days}
