"""The lifecycle table and the transition function that enforces and logs it."""
import pytest

from maas.bookings.models import Booking, BookingEvent
from maas.bookings.states import TERMINAL, TRANSITIONS, can_transition
from maas.bookings.states import BookingState as S
from maas.bookings.transitions import IllegalTransition, transition


def test_tomp_happy_path_is_legal_and_terminal_states_are_final():
    path = [S.NEW, S.PENDING, S.CONDITIONAL_CONFIRMED, S.CONFIRMED, S.STARTED, S.FINISHED]
    assert all(can_transition(a, b) for a, b in zip(path, path[1:]))
    assert TERMINAL == {S.FINISHED, S.CANCELLED, S.EXPIRED, S.RELEASED, S.REJECTED}
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize("source,target", [
    (S.NEW, S.CONFIRMED), (S.PENDING, S.STARTED), (S.CONFIRMED, S.FINISHED), (S.STARTED, S.CANCELLED),
    (S.FINISHED, S.CANCELLED), (S.CANCELLED, S.CONFIRMED), (S.EXPIRED, S.PENDING), (S.CONFIRMED, S.PENDING),
])
def test_illegal_moves(source, target):
    assert not can_transition(source, target)


@pytest.mark.django_db
def test_transition_saves_logs_and_refuses_illegal_moves(resident):
    booking = Booking.objects.create(user=resident.user, provider_id=1, mode="scooter", leg={})
    event = transition(booking, S.PENDING, actor=resident.user, reason="sent_to_provider", details={"a": 1})
    assert Booking.objects.get(pk=booking.pk).state == "PENDING"
    assert (event.from_state, event.to_state, event.actor_label, event.details) == (
        "NEW", "PENDING", f"user:{resident.user.pk}", {"a": 1})
    with pytest.raises(IllegalTransition) as err:
        transition(booking, S.FINISHED, system="test", reason="nope")
    assert err.value.status_code == 409 and err.value.details == {"state": "PENDING", "requested": "FINISHED"}
    assert Booking.objects.get(pk=booking.pk).state == "PENDING"
    assert BookingEvent.objects.filter(booking=booking).count() == 1


@pytest.mark.django_db
def test_one_live_booking_per_vehicle_is_a_database_constraint(resident):
    from django.db import IntegrityError, transaction

    Booking.objects.create(user=resident.user, provider_id=1, mode="scooter", leg={}, vehicle_id="V1",
                           state=S.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(user=resident.user, provider_id=1, mode="scooter", leg={}, vehicle_id="V1")
    # finished bookings don't block the vehicle
    Booking.objects.filter(vehicle_id="V1").update(state=S.FINISHED)
    Booking.objects.create(user=resident.user, provider_id=1, mode="scooter", leg={}, vehicle_id="V1")
