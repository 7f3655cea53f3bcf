"""Subsidized fares: a resident's discount group (child, student, senior, low income) off what they pay.

The grant lives with the resident (accounts); billing reads it through accounts' selectors. The group's
percentage comes off the charged part of every pay-as-you-go leg and off plan fees; an expired grant simply
stops being found.
"""
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language

from billing.money import apply_discount
from maas.accounts import selectors as accounts


@dataclass(frozen=True)
class Discount:
    group: str
    percent: int
    names: dict

    @property
    def name(self):
        language = (get_language() or "fi")[:2]
        return self.names.get(language) or self.names.get("en") or self.group

    def as_dict(self):
        return {"group": self.group, "name": self.name, "percent": self.percent}


def discount_for(user, now=None):
    """The user's discount valid at `now` (Helsinki day), or None."""
    day = timezone.localtime(now).date() if now is not None else None
    grant = accounts.active_discount(user, day)
    if grant is None:
        return None
    return Discount(grant.group.code, grant.group.percent, dict(grant.group.names or {}))


def reduce(charge_cents, discount):
    """(charge after the discount, cents taken off)."""
    if discount is None or charge_cents <= 0:
        return charge_cents, 0
    reduced = apply_discount(charge_cents, discount.percent)
    return reduced, charge_cents - reduced


def fee_cents(user, plan, now=None):
    """What `user` pays per period for `plan` with the discount valid at `now`."""
    return reduce(plan.price_cents, discount_for(user, now))[0]


def plan_fee(plan, discount):
    """{"price_cents", "discount_cents", "discount"} of a plan's fee for a resident with `discount`."""
    price, cut = reduce(plan.price_cents, discount)
    return {"price_cents": price, "discount_cents": cut, "discount": discount.as_dict() if cut else None}
