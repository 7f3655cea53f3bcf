"""Billing writes for the entitlement ledger: what a used leg consumes and is charged."""
from django.db import transaction
from django.utils.translation import gettext as _

from billing import discounts, selectors
from billing.customers import lock_user
from billing.models import UsageRecord
from billing.pricing import DEFAULT_ZONES, Allowance, Ride, category_of
from maas.api.errors import ApiError


def record_usage(user, *, mode, leg_ref, minutes=0, rides=1, zones=None, distance_m=0):
    """Consume entitlements for a used leg and record what is charged; idempotent on `leg_ref`."""
    category = category_of(mode)
    if category is None:
        raise ApiError(_("This mode is not billed."), code="mode_not_billed", details={"mode": mode})
    if int(rides) < 1 or int(minutes) < 0:
        raise ApiError(_("Invalid usage."), code="invalid_usage", details={"rides": rides, "minutes": minutes})
    with transaction.atomic():
        lock_user(user)
        existing = UsageRecord.objects.filter(user=user, leg_ref=leg_ref).first()
        if existing:
            return existing
        start, end, subscription = selectors.current_period(user)
        plan = subscription.plan if subscription else None
        allowance = Allowance(selectors.entitlements_of(plan), selectors.used_in_period(user, start),
                              selectors.tariffs(), discounts.discount_for(user))
        rides, minutes = int(rides), int(minutes)
        totals = {"price": 0, "charge": 0, "rides": 0, "minutes": 0}
        for n in range(rides):
            share = minutes // rides + (1 if n < minutes % rides else 0)
            price = allowance.price(Ride(category, share, int(distance_m) // rides, tuple(zones or DEFAULT_ZONES)))
            totals["price"] += price.price_cents
            totals["charge"] += price.charge_cents
            totals["rides"] += price.covered_rides
            totals["minutes"] += price.covered_minutes
        return UsageRecord.objects.create(
            user=user, subscription=subscription, leg_ref=leg_ref, mode=mode, category=category,
            period_start=start, period_end=end, rides=rides, minutes=minutes,
            covered_rides=totals["rides"], covered_minutes=totals["minutes"],
            price_cents=totals["price"], charge_cents=totals["charge"],
        )
