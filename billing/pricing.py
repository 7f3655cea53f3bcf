"""Pricing: pay-as-you-go tariffs, what a plan covers, and the per-leg price of an itinerary.

Pure computation over plans, tariffs and the ledger totals; nothing here writes.
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from billing import discounts, selectors
from billing.money import apply_discount, format_eur, vat_included

TRANSIT_MODES = {"tram", "metro", "subway", "bus", "rail", "ferry"}
CATEGORY_BY_MODE = {
    **{mode: "public_transport" for mode in TRANSIT_MODES},
    "city_bike": "city_bike",
    "scooter": "scooter",
    "taxi": "taxi",
}
# Transit legs whose fare zones the planner does not know are priced as Helsinki AB.
DEFAULT_ZONES = ("A", "B")
DEFAULT_VALIDITY_MINUTES = 80


def category_of(mode):
    """The entitlement category of a leg mode, or None for own-means modes (walk, bike, car)."""
    return CATEGORY_BY_MODE.get(mode)


@dataclass
class Ride:
    category: str
    minutes: int = 0
    distance_m: int = 0
    zones: tuple = DEFAULT_ZONES


@dataclass
class RidePrice:
    price_cents: int
    charge_cents: int
    vat_cents: int
    covered_rides: int
    covered_minutes: int
    reason: str
    tariff: str | None
    discount_cents: int = 0

    @property
    def covered_cents(self):
        return self.price_cents - self.charge_cents - self.discount_cents


def pick_tariff(tariffs, category, zones=DEFAULT_ZONES):
    """The cheapest tariff of `category`; for public transport one valid in all `zones`."""
    candidates = [t for t in tariffs if t.category == category]
    if category == "public_transport":
        needed = set(zones or DEFAULT_ZONES)
        candidates = [t for t in candidates if needed <= set(t.zones)]
    return min(candidates, key=lambda t: (t.start_cents, t.code), default=None)


def payg_price(tariff, minutes=0, distance_m=0):
    """Pay-as-you-go price in cents of one ride of `minutes` and `distance_m` on `tariff`."""
    billable = max(0, int(minutes) - tariff.included_minutes)
    price = tariff.start_cents + tariff.per_minute_cents * billable
    price += (tariff.per_km_cents * int(distance_m) + 500) // 1000
    if tariff.overtime_cents and billable:
        price += tariff.overtime_cents * math.ceil(billable / max(1, tariff.overtime_block_minutes))
    return price


class Allowance:
    """What is left of a plan's entitlements this period; `price()` consumes from this copy only."""

    def __init__(self, entitlements, used, tariffs, discount=None):
        self.entitlements = entitlements
        self.tariffs = tariffs
        self.discount = discount  # billing.discounts.Discount: off every charged amount
        self.rides_left, self.minutes_left = {}, {}
        for category, ent in entitlements.items():
            spent = used.get(category, {})
            if ent.rides_per_period is not None:
                self.rides_left[category] = max(0, ent.rides_per_period - spent.get("rides", 0))
            if ent.minutes_per_period is not None:
                self.minutes_left[category] = max(0, ent.minutes_per_period - spent.get("minutes", 0))

    def price(self, ride: Ride) -> RidePrice:
        tariff = pick_tariff(self.tariffs, ride.category, ride.zones)
        if tariff is None:
            return RidePrice(0, 0, 0, 0, 0, "no_tariff", None)
        full = payg_price(tariff, ride.minutes, ride.distance_m)
        ent = self.entitlements.get(ride.category)
        covered_rides = covered_minutes = 0
        if ent is None:
            charge, reason = full, "pay_as_you_go"
        elif ride.category == "public_transport" and not set(ride.zones or DEFAULT_ZONES) <= set(ent.zones):
            charge, reason = apply_discount(full, ent.discount_percent), "zones_not_covered"
        elif self.rides_left.get(ride.category, 1) <= 0:
            reason = "plan_discount" if ent.rides_per_period == 0 else "rides_used_up"
            charge = apply_discount(full, ent.discount_percent)
        elif ride.minutes and self.minutes_left.get(ride.category, 1) <= 0:
            charge, reason = apply_discount(full, ent.discount_percent), "minutes_used_up"
        else:
            cap = int(ride.minutes)
            if ent.max_ride_minutes is not None:
                cap = min(cap, ent.max_ride_minutes)
            if ride.category in self.minutes_left:
                cap = min(cap, self.minutes_left[ride.category])
                self.minutes_left[ride.category] -= cap
            if ride.category in self.rides_left:
                self.rides_left[ride.category] -= 1
            covered_distance = ride.distance_m if cap >= ride.minutes else ride.distance_m * cap // max(1, ride.minutes)
            charge = apply_discount(full - payg_price(tariff, cap, covered_distance), ent.discount_percent)
            covered_rides, covered_minutes = 1, cap
            reason = "covered" if charge == 0 else "covered_partly"
        charge, discount_cents = discounts.reduce(charge, self.discount)
        return RidePrice(full, charge, vat_included(charge, tariff.vat_rate_bp), covered_rides, covered_minutes,
                         reason, tariff.code, discount_cents)


def _minutes(leg):
    return math.ceil(int(leg.get("duration_s") or 0) / 60)


def _start(leg):
    try:
        return datetime.fromisoformat(leg["start_time"])
    except (KeyError, TypeError, ValueError):
        return None


def _ticket_groups(legs, tariffs):
    """Lists of transit leg indexes that one ticket covers (transfers within its validity)."""
    groups, current, valid_until = [], None, None
    for index, leg in enumerate(legs):
        if category_of(leg.get("mode")) != "public_transport":
            continue
        start = _start(leg)
        if current is not None and start is not None and valid_until is not None and start <= valid_until:
            current.append(index)
            continue
        current = [index]
        groups.append(current)
        tariff = pick_tariff(tariffs, "public_transport", tuple(leg.get("zones") or DEFAULT_ZONES))
        validity = (tariff.validity_minutes if tariff else None) or DEFAULT_VALIDITY_MINUTES
        valid_until = start + timedelta(minutes=validity) if start else None
    return groups


def _label(plan, total, charge, covered, priced=True):
    if not priced:
        return _("Price not available")
    if total == 0:
        return _("No charge")
    if charge == 0:
        return _("Covered by your %(plan)s plan") % {"plan": plan}
    amount = format_eur(charge)
    if covered and plan:
        return _("%(amount)s extra, the rest covered by your %(plan)s plan") % {"amount": amount, "plan": plan}
    return _("%(amount)s pay-as-you-go") % {"amount": amount}


@dataclass
class PricingContext:
    """What pricing needs about a resident, loaded once (plan, entitlements, period usage, tariffs)."""

    plan: object
    entitlements: dict
    used: dict
    tariffs: list
    discount: object = None


def pricing_context(user, now=None):
    start, _end, subscription = selectors.current_period(user, now)
    plan = subscription.plan if subscription else None
    return PricingContext(plan, selectors.entitlements_of(plan), selectors.used_in_period(user, start),
                          selectors.tariffs(), discounts.discount_for(user, now))


def price_itineraries(user, itineraries, *, now=None):
    """price_itinerary for several itineraries of one resident, loading the context once."""
    context = pricing_context(user, now)
    return [price_itinerary(user, itinerary, context=context) for itinerary in itineraries]


def price_itinerary(user, itinerary, *, now=None, context=None):
    """Per-leg prices for `user` (None or anonymous = pay-as-you-go); never consumes entitlements."""
    context = context or pricing_context(user, now)
    plan, all_tariffs = context.plan, context.tariffs
    allowance = Allowance(context.entitlements, context.used, all_tariffs, context.discount)
    legs = itinerary.get("legs") or []
    out = [{"leg_index": i, "mode": leg.get("mode"), "price_cents": 0, "covered": False, "covered_cents": 0,
            "charge_cents": 0, "vat_cents": 0, "reason": "own_means", "tariff": None, "discount_cents": 0}
           for i, leg in enumerate(legs)]

    def fill(index, price):
        out[index].update(price_cents=price.price_cents, covered=price.covered_rides > 0,
                          covered_cents=price.covered_cents, charge_cents=price.charge_cents,
                          vat_cents=price.vat_cents, reason=price.reason, tariff=price.tariff,
                          discount_cents=price.discount_cents)

    for group in _ticket_groups(legs, all_tariffs):
        zones = set()
        for index in group:
            zones.update(legs[index].get("zones") or DEFAULT_ZONES)
        price = allowance.price(Ride("public_transport", zones=tuple(sorted(zones))))
        fill(group[0], price)
        for index in group[1:]:
            out[index].update(covered=out[group[0]]["covered"], reason="transfer", tariff=price.tariff)
    for index, leg in enumerate(legs):
        category = category_of(leg.get("mode"))
        if category and category != "public_transport":
            fill(index, allowance.price(Ride(category, _minutes(leg), int(leg.get("distance_m") or 0))))

    total = sum(leg["price_cents"] for leg in out)
    charge = sum(leg["charge_cents"] for leg in out)
    discount_cents = sum(leg["discount_cents"] for leg in out)
    covered = total - charge - discount_cents
    plan_name = plan.name_in() if plan else None
    priced = all(leg["reason"] != "no_tariff" for leg in out)
    return {
        "currency": "EUR", "total_cents": total, "charge_cents": charge, "covered_cents": covered,
        "vat_cents": sum(leg["vat_cents"] for leg in out),
        "plan": plan_name, "plan_code": plan.code if plan else None, "priced": priced,
        "label": _label(plan_name, total, charge, covered, priced),
        "discount": (context.discount.as_dict() | {"cents": discount_cents}) if discount_cents else None,
        "legs": out,
    }
