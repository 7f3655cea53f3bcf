"""Daily maintenance: expire permits whose period is over (promoting the waitlists they free), snapshots."""
from django.db import transaction
from django.utils import timezone

from maas.parking import selectors
from maas.parking.models import ParkingArea, Permit, UtilizationSnapshot
from maas.parking.services.allocation import lock_area
from maas.parking.services.waitlist import promote_waitlist


def expire_permits(today=None):
    """End granted permits and waitlisted applications whose period is over; promote the waitlists they free.

    Returns the number of permits and applications expired.
    """
    today = today or timezone.localdate()
    area_ids = set()
    count = 0
    active = [Permit.GRANTED, Permit.WAITLISTED]
    for permit in Permit.objects.filter(status__in=active, valid_until__lt=today):
        with transaction.atomic():
            lock_area(permit.area_id)
            n = Permit.objects.filter(pk=permit.pk, status__in=active).update(
                status=Permit.EXPIRED, ended_at=timezone.now())
        count += n
        area_ids.add(permit.area_id)
    facility_ids = set(ParkingArea.objects.filter(pk__in=area_ids).values_list("facility_id", flat=True))
    for area_id in area_ids | set(ParkingArea.objects.filter(facility_id__in=facility_ids - {None})
                                  .values_list("id", flat=True)):
        promote_waitlist(area_id)
    return count


def record_utilization_snapshots(day=None):
    """Write (or refresh) today's UtilizationSnapshot for every area; returns the rows."""
    day = day or timezone.localdate()
    rows = []
    for area in ParkingArea.objects.all():
        usage = selectors.area_usage(area)
        snap, _created = UtilizationSnapshot.objects.update_or_create(
            area=area, day=day, defaults={"cap": usage["cap"], "used": usage["used"],
                                          "waitlist": usage["waitlist"]})
        rows.append(snap)
    return rows
