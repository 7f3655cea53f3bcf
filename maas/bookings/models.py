"""Bookings of shared-vehicle and taxi legs, their transition log and idempotency records."""
from django.conf import settings
from django.db import models

from maas.bookings.states import LIVE_STATES, BookingState


class Booking(models.Model):
    """One booked leg with one provider, following the TOMP booking lifecycle."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    state = models.CharField(max_length=24, choices=BookingState.choices, default=BookingState.NEW)
    # providers.Provider primary key; kept as a plain id so bookings never write provider tables.
    provider_id = models.IntegerField()
    mode = models.CharField(max_length=16)
    vehicle_id = models.CharField(max_length=200, blank=True)
    station_id = models.CharField(max_length=200, blank=True)
    end_station_id = models.CharField(max_length=200, blank=True)
    leg = models.JSONField(help_text="The itinerary leg the booking was made from")
    # The provider's references (TOMP planning option / booking id and leg id).
    external_id = models.CharField(max_length=200, blank=True)
    external_leg_id = models.CharField(max_length=200, blank=True)
    provider_attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="Next provider retry (PENDING)")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="When the hold lapses")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Money, integer cents (EUR).
    currency = models.CharField(max_length=3, default="EUR")
    quoted_cents = models.IntegerField(default=0, help_text="Price of the leg when booked")
    charge_cents = models.IntegerField(default=0, help_text="Part of the quote the resident pays")
    covered = models.BooleanField(default=False, help_text="Covered by the resident's plan")
    authorized_cents = models.IntegerField(default=0)
    final_cents = models.IntegerField(null=True, blank=True, help_text="Final price from the provider")
    captured_cents = models.IntegerField(default=0)
    # billing.Payment primary key (authorisation made at booking), and the ledger entry's leg_ref.
    payment_id = models.BigIntegerField(null=True, blank=True)
    ledger_ref = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "expires_at"]), models.Index(fields=["user", "-created_at"])]
        constraints = [
            # One live booking per vehicle: concurrent bookings of the same scooter can't both win.
            models.UniqueConstraint(
                fields=["provider_id", "vehicle_id"], name="bookings_one_live_booking_per_vehicle",
                condition=models.Q(state__in=LIVE_STATES) & ~models.Q(vehicle_id=""),
            ),
        ]

    def __str__(self):
        return f"Booking {self.pk} ({self.mode}, {self.state})"

    @property
    def leg_ref(self):
        """Stable reference of this booking's leg for billing (idempotent ledger entries, payments)."""
        return f"booking-{self.pk}"


class BookingEvent(models.Model):
    """One state transition: who moved the booking, when, from which state to which, and why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=24, choices=BookingState.choices, blank=True)  # "" = created
    to_state = models.CharField(max_length=24, choices=BookingState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=64, help_text='e.g. "user:12", "system:expiry"')
    reason = models.CharField(max_length=255)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.booking_id}: {self.from_state} -> {self.to_state} ({self.reason})"


class IdempotencyRecord(models.Model):
    """A client's Idempotency-Key with the request it was first used for and the answer given."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="bookings_idempotency_user_key")]
