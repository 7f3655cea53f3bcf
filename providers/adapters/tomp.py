"""Adapter for providers with a TOMP-API (Transport Operator to MaaS Provider) booking endpoint.

Speaks the TOMP-API 1.x flow: POST /plannings/?booking-intent=true (offers), POST /bookings/
(book an offer; the booking id is the offer id, so repeating it is safe), POST
/bookings/{id}/events {"operation": COMMIT|CANCEL|DENY} and POST /legs/{id}/events
{"event": SET_IN_USE|FINISH}. Amounts are TOMP money (decimal euros), converted to integer cents.
"""
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote

import requests
from django.utils.dateparse import parse_datetime

from maas import outbound
from providers.adapters.base import (
    BookingResult,
    FinishResult,
    Offer,
    ProviderAdapter,
    ProviderRejected,
    ProviderUnavailable,
)

# TOMP booking states the provider may answer with -> ours (same names).
_STATES = {
    "NEW", "PENDING", "CONDITIONAL_CONFIRMED", "CONFIRMED", "STARTED", "FINISHED",
    "CANCELLED", "EXPIRED", "RELEASED", "REJECTED",
}
# Provider error codes that mean "this vehicle / asset can't be had".
UNAVAILABLE_ERRORCODES = {3101, 3102}


def _seg(value):
    """A provider-given id as one URL path segment."""
    return quote(str(value), safe="")


def money_to_cents(parts):
    """Sum TOMP pricing parts ({"amount": 2.5, "currencyCode": "EUR"}) into integer cents."""
    total = sum((Decimal(str(part.get("amount", 0))) for part in parts or []), Decimal(0))
    return int((total * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class TompAdapter(ProviderAdapter):
    """HTTP client for one provider's TOMP-API; `timeout` bounds every call (connect, read)."""

    def __init__(self, base_url, *, timeout=5.0, session=None, headers=None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or outbound.session()  # only allowed addresses, also on redirects
        self.headers = {"Accept": "application/json", "Accept-Language": "en", "Api-Version": "1.3.0"}
        self.headers.update(headers or {})

    # -- HTTP -------------------------------------------------------------------------------
    def _call(self, method, path, body=None, *, allow_404=False):
        url = f"{self.base_url}{path}"
        try:
            response = self.session.request(method, url, json=body, headers=self.headers, timeout=self.timeout)
        except requests.Timeout as exc:
            raise ProviderUnavailable(f"{method} {path}: timed out after {self.timeout}s") from exc
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"{method} {path}: {exc.__class__.__name__}") from exc
        except outbound.OutboundError as exc:  # an address that is not allowed (checked at connect)
            raise ProviderUnavailable(f"{method} {path}: {exc}") from exc
        if allow_404 and response.status_code == 404:
            return None
        if response.status_code >= 500:
            raise ProviderUnavailable(f"{method} {path}: HTTP {response.status_code}")
        try:
            data = response.json() if response.content else {}
        except ValueError as exc:
            raise ProviderUnavailable(f"{method} {path}: response is not JSON") from exc
        if response.status_code < 400 and not isinstance(data, dict):
            raise ProviderUnavailable(f"{method} {path}: expected a JSON object, got {type(data).__name__}")
        if response.status_code >= 400:
            code = data.get("errorcode") if isinstance(data, dict) else None
            title = (data.get("title") or data.get("detail") or "") if isinstance(data, dict) else ""
            reason = "vehicle_unavailable" if code in UNAVAILABLE_ERRORCODES else "provider_rejected"
            raise ProviderRejected(reason, title or f"HTTP {response.status_code}", provider_code=code)
        return data

    @staticmethod
    def _result(data):
        state = data.get("state")
        if state not in _STATES:
            raise ProviderUnavailable(f"provider answered with unknown booking state {state!r}")
        legs = data.get("legs") or []
        try:
            leg_id = str(legs[0]["id"]) if legs else ""
            return BookingResult(external_id=str(data["id"]), state=state, leg_id=leg_id, details=data)
        except (KeyError, IndexError, TypeError) as exc:
            raise ProviderUnavailable(f"malformed booking answer: {exc!r}") from exc

    # -- interface --------------------------------------------------------------------------
    def offer(self, leg):
        booking = leg.get("booking") or {}
        body = {
            "from": {"coordinates": {"lng": leg["from"]["lon"], "lat": leg["from"]["lat"]}},
            "to": {"coordinates": {"lng": leg["to"]["lon"], "lat": leg["to"]["lat"]}},
            "departureTime": leg.get("start_time"),
            "arrivalTime": leg.get("end_time"),
            "nrOfTravelers": 1,
            "useAssets": [booking["vehicle_id"]] if booking.get("vehicle_id") else [],
            "useStations": [s for s in (booking.get("station_id"), booking.get("end_station_id")) if s],
        }
        data = self._call("POST", "/plannings/?booking-intent=true", body)
        options = data.get("options") or []
        if not options:
            raise ProviderRejected("vehicle_unavailable", "The provider has no offer for this leg.")
        try:
            option = options[0]
            parts = [part for leg_ in option.get("legs") or []
                     for part in (leg_.get("pricing") or {}).get("parts") or []]
            currency = parts[0].get("currencyCode", "EUR") if parts else "EUR"
            valid_until = parse_datetime(data["validUntil"]) if data.get("validUntil") else None
            return Offer(offer_id=str(option["id"]), price_cents=money_to_cents(parts) if parts else None,
                         currency=currency, valid_until=valid_until)
        except (KeyError, IndexError, TypeError, AttributeError, ValueError, ArithmeticError) as exc:
            raise ProviderUnavailable(f"malformed planning answer: {exc!r}") from exc

    def book(self, offer_id, leg, reference):
        return self._result(self._call("POST", "/bookings/", {"id": offer_id, "externalReference": reference}))

    def status(self, external_id):
        data = self._call("GET", f"/bookings/{_seg(external_id)}", allow_404=True)
        return None if data is None else self._result(data)

    def _operation(self, external_id, operation):
        return self._result(self._call("POST", f"/bookings/{_seg(external_id)}/events", {"operation": operation}))

    def confirm(self, external_id):
        return self._operation(external_id, "COMMIT")

    def cancel(self, external_id):
        return self._operation(external_id, "CANCEL")

    def decline(self, external_id):
        return self._operation(external_id, "DENY")

    def start(self, external_id, leg_id):
        self._call("POST", f"/legs/{_seg(leg_id)}/events", {"event": "SET_IN_USE"})
        return BookingResult(external_id=external_id, state="STARTED", leg_id=leg_id)

    def finish(self, external_id, leg_id):
        data = self._call("POST", f"/legs/{_seg(leg_id)}/events", {"event": "FINISH"})
        try:
            pricing = data.get("pricing") or {}
            final = money_to_cents(pricing.get("parts")) if pricing.get("parts") else None
            distance = data.get("distance")
            distance = max(0, int(distance)) if distance is not None else None
        except (TypeError, AttributeError, ValueError, ArithmeticError) as exc:
            # the ride is over at the provider; without a usable price billing prices it
            final, distance = None, None
            data = {"malformed": repr(exc)}
        if final is not None and final < 0:
            final = None
        return FinishResult(external_id=external_id, final_cents=final, distance_m=distance, details=data)
