"""Cancelling permits and filling freed spaces from the waitlist (in request order), notifying residents.

Promotion runs after the commit that frees a space (outbox task parking.promote_waitlist); it holds the
area lock for the grants only. Each grant's notice is queued in the grant's own transaction (outbox task
parking.notify_granted) and written after the commit, so the lock is short and no notice is lost.
"""
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maas.api.errors import Conflict
from maas.outbox import services as outbox
from maas.parking import selectors
from maas.parking.models import Notification, ParkingArea, Permit
from maas.parking.services.allocation import end_permit, grant, has_room, lock_area

logger = logging.getLogger(__name__)


def cancel_permit(permit):
    """Cancel a granted or waitlisted permit; a released space goes to the next in line (Celery task)."""
    to_promote = promotion_order(permit.area_id)  # read before the lock
    with transaction.atomic():
        lock_area(permit.area_id)
        permit = Permit.objects.select_for_update().get(pk=permit.pk)
        if permit.status not in (Permit.GRANTED, Permit.WAITLISTED):
            raise Conflict(_("This permit is no longer active."), code="permit_not_active",
                           details={"status": permit.status})
        released = permit.status == Permit.GRANTED
        permit.status = Permit.CANCELLED
        permit.ended_at = timezone.now()
        permit.save(update_fields=["status", "ended_at"])
        if released:
            schedule_promotions(to_promote)
    return permit


def promotion_order(area_id):
    """[area_id, then the other areas parking at its facility]: a space released at a shared facility may be
    the one another area's waitlist is short of."""
    facility_id = ParkingArea.objects.filter(pk=area_id).values_list("facility_id", flat=True).first()
    return [area_id, *(areas_at(facility_id, exclude=area_id) if facility_id else [])]


def areas_at(facility_id, exclude=None):
    return list(ParkingArea.objects.filter(facility_id=facility_id).exclude(pk=exclude)
                .order_by("id").values_list("id", flat=True))


def schedule_promotions(area_ids):
    """Queue waitlist promotion of each area in the current transaction's outbox (sent once it commits)."""
    for area_id in area_ids:
        outbox.enqueue("parking.promote_waitlist", [area_id])


def facility_changed(facility):
    """Call after an admin edits a facility (capacity, status): its areas' waitlists may now fit."""
    schedule_promotions(areas_at(facility.pk))


def promote_waitlist(area_id):
    """Grant waitlisted permits in request order while the area has room; returns them.

    Each grant queues its resident's notice in the same transaction (notify_granted runs after the commit).
    """
    promoted = []
    with transaction.atomic():
        area, facility = lock_area(area_id)
        while True:
            candidate = selectors.next_in_line(area)
            if candidate is None:
                break
            if candidate.valid_until is not None and candidate.valid_until < timezone.localdate():
                end_permit(candidate, Permit.EXPIRED)  # its period ended while it waited
                continue
            state = selectors.allocation_state(area, area.facility_id, None, None,
                                               max(candidate.valid_from, timezone.localdate()))
            if not has_room(area, facility, state):
                break
            grant(candidate, facility)
            outbox.enqueue("parking.notify_granted", [candidate.pk])
            promoted.append(candidate)
    return promoted


def notify_granted(permit_id):
    """The resident's 'permit granted' notice for `permit_id`, written once (outbox delivery is at least once)."""
    permit = Permit.objects.select_related("resident__user", "area").get(pk=permit_id)
    if Notification.objects.filter(permit=permit, kind="permit_granted").exists():
        return None
    with translation.override(permit.resident.language or "fi"):  # the resident's, not the worker's
        return notify(permit, "permit_granted", _("Your parking permit for %(plate)s in %(area)s has been granted.")
                      % {"plate": permit.plate, "area": permit.area.name})


def notify(permit, kind, message):
    """Store a Notification for the permit's resident and email it (Django's mail backend) after the commit."""
    note = Notification.objects.create(resident=permit.resident, permit=permit, kind=kind, message=message)
    email = permit.resident.user.email
    subject = _("Kalasatama parking")  # now, in the caller's language (send() runs after the commit)
    if email:
        def send():
            try:
                send_mail(subject, message,
                          getattr(settings, "DEFAULT_FROM_EMAIL", "noreply@example.org"), [email])
                Notification.objects.filter(pk=note.pk).update(emailed=True)
            except Exception:  # mail is best-effort; the Notification row is the record
                logger.exception("Could not email parking notification %s", note.pk)
        transaction.on_commit(send)
    return note
