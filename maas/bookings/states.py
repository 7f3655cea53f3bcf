"""Booking states after the TOMP-API booking lifecycle, and the legal transitions between them."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingState(models.TextChoices):
    NEW = "NEW", _("New")
    PENDING = "PENDING", _("Pending")
    CONDITIONAL_CONFIRMED = "CONDITIONAL_CONFIRMED", _("Conditionally confirmed")
    CONFIRMED = "CONFIRMED", _("Confirmed")
    STARTED = "STARTED", _("Started")
    FINISHED = "FINISHED", _("Finished")
    CANCELLED = "CANCELLED", _("Cancelled")
    EXPIRED = "EXPIRED", _("Expired")
    RELEASED = "RELEASED", _("Released")
    REJECTED = "REJECTED", _("Rejected")


S = BookingState

# from-state -> states it may move to. Anything else is illegal.
TRANSITIONS = {
    S.NEW: {S.PENDING, S.RELEASED, S.EXPIRED, S.REJECTED},
    S.PENDING: {S.CONFIRMED, S.CONDITIONAL_CONFIRMED, S.REJECTED, S.EXPIRED, S.CANCELLED},
    S.CONDITIONAL_CONFIRMED: {S.CONFIRMED, S.RELEASED, S.EXPIRED, S.CANCELLED},
    S.CONFIRMED: {S.STARTED, S.CANCELLED, S.EXPIRED},
    S.STARTED: {S.FINISHED},
    S.FINISHED: set(),
    S.CANCELLED: set(),
    S.EXPIRED: set(),
    S.RELEASED: set(),
    S.REJECTED: set(),
}

TERMINAL = frozenset(state for state, targets in TRANSITIONS.items() if not targets)
# States in which a vehicle / hold is held for the resident and can lapse.
HOLDING = frozenset({S.PENDING, S.CONDITIONAL_CONFIRMED, S.CONFIRMED})
# States in which the vehicle is taken by the booking (at most one such booking per vehicle).
LIVE_STATES = [S.NEW.value, S.PENDING.value, S.CONDITIONAL_CONFIRMED.value, S.CONFIRMED.value, S.STARTED.value]


def can_transition(source, target):
    """True when the lifecycle allows moving from `source` to `target`."""
    return target in TRANSITIONS.get(source, ())
