"""Rows of other apps for the GDPR tests (created directly: these tests are about reading and erasing them)."""
from datetime import date, timedelta

from django.utils import timezone

from billing.models import Invoice, Payment, UsageRecord
from maas.accounts import households
from maas.bookings.models import Booking, BookingEvent
from maas.parking.models import ParkingArea, Permit


def area():
    return ParkingArea.objects.get_or_create(code="ks", defaults={"name": "Kalasatama", "blocks": "KS-1"})[0]


def permit(resident, plate="ABC-123", status=Permit.GRANTED):
    if resident.household_id is None:
        household = households.create_household(address=f"Työpajankatu {resident.pk}", apartment="A 1",
                                                block="KS-1")
        households.join_household(resident, households.issue_join_code(household).code)
        resident.refresh_from_db()
    return Permit.objects.create(resident=resident, household=resident.household, area=area(), plate=plate,
                                 status=status, valid_from=date.today())


def booking(user, state="FINISHED", place="Kalasatamantori 1", external_id=None):
    leg = {"mode": "scooter", "from": {"name": place, "lat": 60.187, "lon": 24.977},
           "to": {"name": "Sörnäinen", "lat": 60.1875, "lon": 24.96},
           "geometry": {"type": "LineString", "coordinates": [[24.977, 60.187], [24.96, 60.1875]]},
           "booking": {"provider_id": 1, "vehicle_id": f"v-{user.pk}"}}
    row = Booking.objects.create(user=user, provider_id=1, mode="scooter", leg=leg, state=state,
                                 vehicle_id=f"v-{user.pk}-{state}",
                                 external_id=f"tomp-{user.pk}" if external_id is None else external_id,
                                 quoted_cents=350, charge_cents=350)
    BookingEvent.objects.create(booking=row, from_state="", to_state=state, actor=user, actor_label=f"user:{user.pk}",
                                reason="test", details={"near": place})
    return row


def invoice(user, status="paid", total=6990, paid=6990):
    return Invoice.objects.create(user=user, stripe_invoice_id=f"in_{user.pk}_{status}", status=status,
                                  total_cents=total, amount_paid_cents=paid, tax_cents=835,
                                  stripe_created=timezone.now())


def payment(user):
    return Payment.objects.create(user=user, idempotency_key=f"k-{user.pk}", stripe_payment_intent_id=f"pi_{user.pk}",
                                  amount_cents=350, captured_cents=350, status="succeeded")


def usage(user):
    now = timezone.now()
    return UsageRecord.objects.create(user=user, leg_ref=f"booking-{user.pk}", mode="scooter", category="scooter",
                                      period_start=now - timedelta(days=1), period_end=now + timedelta(days=29),
                                      price_cents=350, charge_cents=350)
