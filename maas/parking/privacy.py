"""GDPR part of parking: a resident's permits, reservations and notifications; erasure ends and anonymises them."""
from django.db import transaction

from maas.accounts.privacy.rows import rows
from maas.parking import services
from maas.parking.models import CapChange, Notification, ParkAndRideReservation, Permit

ERASED_PLATE = "ERASED"


def export_for(user):
    return {
        "parking.Permit": rows(Permit.objects.filter(resident__user=user)),
        "parking.ParkAndRideReservation": rows(ParkAndRideReservation.objects.filter(resident__user=user)),
        "parking.Notification": rows(Notification.objects.filter(resident__user=user)),
        "parking.CapChange": rows(CapChange.objects.filter(changed_by=user)),
    }


def erase_for(user):
    """Cancel active permits and reservations (spaces go to the next in line), then drop plates and messages."""
    for permit in Permit.objects.filter(resident__user=user, status__in=[Permit.GRANTED, Permit.WAITLISTED]):
        services.cancel_permit(permit)
    for reservation in ParkAndRideReservation.objects.filter(resident__user=user,
                                                             status=ParkAndRideReservation.RESERVED):
        services.cancel_reservation(reservation)
    with transaction.atomic():
        Permit.objects.filter(resident__user=user).update(plate=ERASED_PLATE)
        ParkAndRideReservation.objects.filter(resident__user=user).update(plate=ERASED_PLATE)
        Notification.objects.filter(resident__user=user).delete()
