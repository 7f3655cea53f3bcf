"""Adapter for providers that publish only GBFS (no booking API): the hold is kept on our side.

Availability comes from the synced GBFS data (providers.selectors); the booking service marks the
vehicle reserved while the hold lasts. There is no provider price, so the final price is billing's.
"""
from providers.adapters.base import BookingResult, FinishResult, Offer, ProviderAdapter, ProviderRejected


class GbfsOnlyAdapter(ProviderAdapter):
    """Local holds on a GBFS-only provider's vehicles or station bikes."""

    def __init__(self, provider_id):
        self.provider_id = provider_id

    def _check_available(self, leg):
        from providers import selectors

        booking = leg.get("booking") or {}
        if booking.get("vehicle_id"):
            if not selectors.vehicle_available(self.provider_id, booking["vehicle_id"]):
                raise ProviderRejected("vehicle_unavailable", "The vehicle is no longer available.")
        elif booking.get("station_id"):
            if not selectors.station_has_bike(self.provider_id, booking["station_id"]):
                raise ProviderRejected("vehicle_unavailable", "The station has no bike available.")
        else:
            raise ProviderRejected("leg_not_bookable", "The leg names neither a vehicle nor a station.")

    def offer(self, leg):
        self._check_available(leg)
        booking = leg["booking"]
        return Offer(offer_id=f"gbfs-{self.provider_id}-{booking.get('vehicle_id') or booking.get('station_id')}")

    def book(self, offer_id, leg, reference):
        self._check_available(leg)
        return BookingResult(external_id=f"local-{reference}", state="CONFIRMED")

    def status(self, external_id):
        return None

    def confirm(self, external_id):
        return BookingResult(external_id=external_id, state="CONFIRMED")

    def cancel(self, external_id):
        return BookingResult(external_id=external_id, state="CANCELLED")

    def start(self, external_id, leg_id):
        return BookingResult(external_id=external_id, state="STARTED", leg_id=leg_id)

    def finish(self, external_id, leg_id):
        return FinishResult(external_id=external_id, final_cents=None)
