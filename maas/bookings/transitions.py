"""Moving a booking between states: only along the lifecycle table, always logged."""
from django.utils.translation import gettext as _

from maas.api.errors import Conflict
from maas.bookings.models import BookingEvent
from maas.bookings.states import can_transition


class IllegalTransition(Conflict):
    default_code = "illegal_transition"


def actor_label(actor, system=None):
    """How an actor appears in the log: "user:<id>" or "system:<what>"."""
    return f"user:{actor.pk}" if actor is not None else f"system:{system or 'unknown'}"


def log_event(booking, from_state, to_state, *, actor=None, system=None, reason, details=None):
    """Write one row of the booking's transition log."""
    return BookingEvent.objects.create(
        booking=booking, from_state=from_state, to_state=to_state, actor=actor,
        actor_label=actor_label(actor, system), reason=reason, details=details or {},
    )


def transition(booking, target, *, actor=None, system=None, reason, details=None, save_fields=()):
    """Move `booking` (locked by the caller) to `target`, save it and log who/why.

    Raises IllegalTransition (409) when the lifecycle doesn't allow the move.
    """
    source = booking.state
    if not can_transition(source, target):
        raise IllegalTransition(
            _("A booking in state %(source)s can't become %(target)s.") % {"source": source, "target": target},
            code="illegal_transition", details={"state": source, "requested": str(target)},
        )
    booking.state = target
    booking.save(update_fields=["state", "updated_at", *save_fields])
    return log_event(booking, source, target, actor=actor, system=system, reason=reason, details=details)
