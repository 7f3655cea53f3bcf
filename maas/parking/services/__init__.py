"""Parking writes, one module per concern; every public name is importable from here.

- `checks`: plate and date rules shared by permits and reservations
- `allocation`: permit applications (granted or waitlisted under the area and facility row locks)
- `waitlist`: cancelling a permit, promoting waitlists after a space frees up, notifying residents
- `areas`: cap rule changes (audited)
- `reservations`: park-and-ride reservations
- `maintenance`: the daily expiry and utilization snapshots

Locks are held for the allocation decision only: notifications and the cap-change audit are written after
the commit that releases them.
"""
from maas.parking.services.allocation import apply_for_permit, has_room, lock_area, use_sql_allocator
from maas.parking.services.areas import save_area
from maas.parking.services.checks import PLATE_INPUT_PATTERN, max_days_ahead, normalize_plate
from maas.parking.services.maintenance import expire_permits, record_utilization_snapshots
from maas.parking.services.reservations import cancel_reservation, reserve_park_and_ride
from maas.parking.services.waitlist import cancel_permit, facility_changed, notify, notify_granted, promote_waitlist

__all__ = [
    "PLATE_INPUT_PATTERN", "apply_for_permit", "cancel_permit", "cancel_reservation", "expire_permits",
    "facility_changed", "has_room", "lock_area", "max_days_ahead", "normalize_plate", "notify", "notify_granted",
    "promote_waitlist",
    "record_utilization_snapshots", "reserve_park_and_ride", "save_area", "use_sql_allocator",
]
