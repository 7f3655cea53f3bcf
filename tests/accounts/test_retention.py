"""Location data: kept only with consent, purged after the retention by the beat task."""
from datetime import timedelta

from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from maas.accounts import services
from maas.accounts.tasks import purge_location_data_task
from maas.bookings.models import Booking
from tests.accounts import factories


def _age(booking, days):
    Booking.objects.filter(pk=booking.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_purge_keeps_consented_recent_data_and_drops_the_rest(make_resident, settings):
    settings.LOCATION_RETENTION_DAYS = 30
    consenting, refusing = make_resident(), make_resident()
    services.update_profile(consenting.user, {"location_consent": True})
    recent = factories.booking(consenting.user, place="Recent place")
    old = factories.booking(consenting.user, place="Old place")
    _age(old, 31)
    live = factories.booking(consenting.user, state="CONFIRMED", place="Live place")
    _age(live, 40)
    no_consent = factories.booking(refusing.user, place="Unconsented place")

    assert purge_location_data_task.apply().get() == {"bookings": 2, "retention_days": 30}
    legs = {b.pk: b.leg for b in Booking.objects.all()}
    assert legs[recent.pk]["from"]["name"] == "Recent place"
    assert legs[live.pk]["from"]["name"] == "Live place"  # a live booking still needs its places
    for gone in (old, no_consent):
        assert "from" not in legs[gone.pk] and "geometry" not in legs[gone.pk]
        assert legs[gone.pk]["location_removed"] is True and legs[gone.pk]["mode"] == "scooter"
        assert list(gone.events.values_list("details", flat=True)) == [{}]


def test_the_purge_is_scheduled_daily(db):
    task = PeriodicTask.objects.get(task="accounts.purge_location_data")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("3", "30")
