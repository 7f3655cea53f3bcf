"""The TOMP-API HTTP adapter against the local TOMP-like operator, and the GBFS-only adapter."""
import pytest

from providers.adapters import ProviderRejected, ProviderUnavailable
from providers.adapters.gbfs import GbfsOnlyAdapter
from providers.adapters.tomp import TompAdapter, money_to_cents
from tests.bookings.conftest import make_leg


def test_money_to_cents_rounds_decimal_euros():
    assert money_to_cents([{"amount": 2.5}, {"amount": 0.955}]) == 346
    assert money_to_cents([]) == 0


def test_tomp_full_lifecycle(tomp):
    adapter = TompAdapter(tomp.url, timeout=2)
    leg = make_leg(1, vehicle_id="SC-101")
    offer = adapter.offer(leg)
    assert offer.price_cents == 250 and offer.currency == "EUR" and offer.valid_until is not None
    booked = adapter.book(offer.offer_id, leg, "booking-1")
    assert (booked.external_id, booked.state) == (offer.offer_id, "CONFIRMED")
    assert booked.leg_id
    assert tomp.state.available["SC-101"] is False
    # book() is safe to repeat (retries after a lost answer)
    assert adapter.book(offer.offer_id, leg, "booking-1").state == "CONFIRMED"
    assert adapter.status(offer.offer_id).state == "CONFIRMED"
    assert adapter.start(booked.external_id, booked.leg_id).state == "STARTED"
    finished = adapter.finish(booked.external_id, booked.leg_id)
    assert finished.final_cents == 345 and finished.distance_m == 1830
    assert tomp.state.available["SC-101"] is True
    methods_paths = [(m, p) for m, p, _ in tomp.state.requests]
    assert methods_paths[:2] == [("POST", "/plannings"), ("POST", "/bookings")]
    assert tomp.state.requests[0][2]["useAssets"] == ["SC-101"]


def test_tomp_unavailable_vehicle_is_a_rejection_with_reason(tomp):
    adapter = TompAdapter(tomp.url, timeout=2)
    leg = make_leg(1, vehicle_id="SC-101")
    offer = adapter.offer(leg)
    tomp.state.available["SC-101"] = False  # someone else took it between offer and book
    with pytest.raises(ProviderRejected) as err:
        adapter.book(offer.offer_id, leg, "booking-2")
    assert err.value.reason == "vehicle_unavailable" and err.value.provider_code == 3101
    with pytest.raises(ProviderRejected) as err:
        adapter.offer(leg)
    assert err.value.reason == "vehicle_unavailable"


def test_tomp_cancel_frees_the_asset_and_unknown_booking_is_none(tomp):
    adapter = TompAdapter(tomp.url, timeout=2)
    leg = make_leg(1, vehicle_id="SC-102")
    booked = adapter.book(adapter.offer(leg).offer_id, leg, "b")
    assert adapter.cancel(booked.external_id).state == "CANCELLED"
    assert tomp.state.available["SC-102"] is True
    assert adapter.status("no-such-booking") is None


def test_tomp_timeout_and_server_error_are_unavailable(tomp):
    adapter = TompAdapter(tomp.url, timeout=0.2)
    tomp.state.delays["POST /plannings"] = 1.0
    with pytest.raises(ProviderUnavailable, match="timed out"):
        adapter.offer(make_leg(1, vehicle_id="SC-101"))
    tomp.state.delays.clear()
    tomp.state.fail_next = 503
    with pytest.raises(ProviderUnavailable, match="HTTP 503"):
        adapter.offer(make_leg(1, vehicle_id="SC-101"))


def test_tomp_connection_refused_is_unavailable():
    with TompAdapterTarget() as url:
        pass
    with pytest.raises(ProviderUnavailable):
        TompAdapter(url, timeout=0.5).offer(make_leg(1, vehicle_id="X"))


class TompAdapterTarget:
    """A loopback URL on which nothing listens (the port is released again on exit)."""

    def __enter__(self):
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/tomp"

    def __exit__(self, *exc):
        self.sock.close()


@pytest.mark.django_db
def test_gbfs_only_adapter_checks_live_availability(gbfs_provider):
    from providers.services import mark_vehicle_reserved

    adapter = GbfsOnlyAdapter(gbfs_provider.pk)
    assert adapter.book("o", make_leg(gbfs_provider.pk, vehicle_id="G-1"), "booking-9").state == "CONFIRMED"
    mark_vehicle_reserved(gbfs_provider.pk, "G-1", True)
    with pytest.raises(ProviderRejected) as err:
        adapter.book("o", make_leg(gbfs_provider.pk, vehicle_id="G-1"), "booking-10")
    assert err.value.reason == "vehicle_unavailable"
    assert adapter.offer(make_leg(gbfs_provider.pk, mode="city_bike", station_id="126")).offer_id
    with pytest.raises(ProviderRejected):
        adapter.offer(make_leg(gbfs_provider.pk, mode="city_bike", station_id="127"))


@pytest.mark.parametrize("route, payload", [
    ("POST /plannings", b"[1, 2]"),                                    # not an object
    ("POST /plannings", b'{"options": [{"legs": []}]}'),               # option without id
    ("POST /plannings", b'{"options": [{"id": "o", "legs": [{"pricing": {"parts": [{"amount": "x"}]}}]}]}'),
    ("POST /bookings", b'{"state": "CONFIRMED"}'),                     # booking without id
    ("POST /bookings", b'{"id": "b", "state": "CONFIRMED", "legs": [{}]}'),  # leg without id
    ("POST /bookings", b'{"id": "b", "state": "MAYBE"}'),              # unknown state
])
def test_malformed_provider_answers_are_unavailable_not_crashes(tomp, route, payload):
    adapter = TompAdapter(tomp.url, timeout=2)
    leg = make_leg(1, vehicle_id="SC-101")
    tomp.state.raw_next[route] = (200, payload)
    with pytest.raises(ProviderUnavailable):
        offer = adapter.offer(leg)
        adapter.book(offer.offer_id, leg, "booking-1")


def test_malformed_finish_price_is_left_to_billing_and_ids_are_one_path_segment(tomp):
    adapter = TompAdapter(tomp.url, timeout=2)
    leg = make_leg(1, vehicle_id="SC-101")
    booked = adapter.book(adapter.offer(leg).offer_id, leg, "booking-1")
    adapter.start(booked.external_id, booked.leg_id)
    tomp.state.raw_next["POST /legs"] = (200, b'{"pricing": {"parts": [{"amount": "NaN?"}]}, "distance": "far"}')
    finished = adapter.finish(booked.external_id, booked.leg_id)
    assert (finished.final_cents, finished.distance_m) == (None, None)
    assert adapter.status("../legs/x?y=1") is None  # quoted: an unknown booking, not another path
    assert tomp.state.requests[-1][:2] == ("GET", "/bookings/..%2Flegs%2Fx%3Fy%3D1")
