"""Area changes from the admin: a cap rule change is audited (CapChange) and may promote the waitlist."""
from django.db import transaction

from maas.parking import selectors
from maas.parking.models import CapChange, ParkingArea
from maas.parking.services.waitlist import areas_at, schedule_promotions


def save_area(area, *, user=None):
    """Save an area (e.g. from the admin) and audit any change of its cap rule.

    Lowering a cap below current use is allowed: nothing is revoked, nothing new is granted
    until use drops below the cap. Raising it promotes the waitlist. Returns the area's usage.
    The area row is locked while it is saved and audited: the audit commits with the change (an admin
    action, rare: the lock's few extra milliseconds cost no resident request anything).
    """
    sharing = areas_at(area.facility_id, exclude=area.pk) if area.facility_id else []  # read before the lock
    with transaction.atomic():
        old = ParkingArea.objects.select_for_update().filter(pk=area.pk).first() if area.pk else None
        area.save()
        schedule_promotions([area.pk, *sharing])
        if old is not None:
            audit_cap_change(old, area, user)
    return selectors.area_usage(area)


def audit_cap_change(old, area, user):
    """A CapChange row when the rule or the resulting cap changed (granted count as of this transaction)."""
    old_cap, new_cap = old.cap_for(selectors.households_in(old)), area.cap_for(selectors.households_in(area))
    if old.rule_label() != area.rule_label() or old_cap != new_cap:
        CapChange.objects.create(
            area=area, changed_by=user if user and user.is_authenticated else None,
            old_rule=old.rule_label(), new_rule=area.rule_label(), old_cap=old_cap, new_cap=new_cap,
            used_at_change=selectors.granted_count(area),
        )
