"""The provider adapter interface bookings talk to, and the results and errors it speaks in."""
from dataclasses import dataclass, field
from datetime import datetime


class ProviderError(Exception):
    """Base class of adapter failures."""


class ProviderRejected(ProviderError):
    """The provider said no (e.g. the vehicle is gone). Final: retrying won't help."""

    def __init__(self, reason, message="", provider_code=None):
        super().__init__(message or reason)
        self.reason = reason          # our reason code, e.g. "vehicle_unavailable"
        self.message = message or reason
        self.provider_code = provider_code


class ProviderUnavailable(ProviderError):
    """No usable answer (timeout, connection refused, 5xx). The outcome is unknown: retry later."""


@dataclass
class Offer:
    """A bookable option for one leg."""

    offer_id: str
    price_cents: int | None = None      # the provider's estimate, when it gives one
    currency: str = "EUR"
    valid_until: datetime | None = None


@dataclass
class BookingResult:
    """The provider's view of a booking after book / confirm / cancel / start."""

    external_id: str
    state: str                          # a BookingState value
    leg_id: str = ""
    details: dict = field(default_factory=dict)


@dataclass
class FinishResult:
    """The end of a ride: the provider's final price (None when it has none) and ride facts."""

    external_id: str
    final_cents: int | None = None
    distance_m: int | None = None
    details: dict = field(default_factory=dict)


class ProviderAdapter:
    """One provider kind's booking API. `leg` is an itinerary leg dict (docs/interfaces.md).

    book() must be safe to repeat with the same offer id: it is retried after timeouts.
    """

    def offer(self, leg) -> Offer:
        raise NotImplementedError

    def book(self, offer_id, leg, reference) -> BookingResult:
        raise NotImplementedError

    def status(self, external_id) -> BookingResult | None:
        """The provider's current view of a booking, or None when it never got it."""
        raise NotImplementedError

    def confirm(self, external_id) -> BookingResult:
        raise NotImplementedError

    def cancel(self, external_id) -> BookingResult:
        raise NotImplementedError

    def decline(self, external_id) -> BookingResult:
        """Refuse a conditional confirmation's conditions (TOMP DENY); by default a cancel."""
        return self.cancel(external_id)

    def start(self, external_id, leg_id) -> BookingResult:
        raise NotImplementedError

    def finish(self, external_id, leg_id) -> FinishResult:
        raise NotImplementedError
