"""Booking lifecycle over the API: create, confirm, start, finish, cancel, with real payments on localstripe."""
import pytest

from billing.models import Payment
from maas.bookings.models import Booking, BookingEvent
from tests.bookings.conftest import book, make_leg

pytestmark = pytest.mark.django_db


def _intent(payment_id):
    from billing.stripe_api import client

    return client().v1.payment_intents.retrieve(Payment.objects.get(pk=payment_id).stripe_payment_intent_id)


def _captured(payment_id):
    """What localstripe really took: the charge minus the uncaptured part it records as a refund."""
    from billing.stripe_api import client

    intent = _intent(payment_id)
    charge_id = intent.latest_charge if isinstance(intent.latest_charge, str) else intent.latest_charge.id
    charge = client().v1.charges.retrieve(charge_id)
    assert charge.captured is True
    return charge.amount - charge.amount_refunded


def _events(booking_id):
    return list(BookingEvent.objects.filter(booking_id=booking_id).values_list("from_state", "to_state", "reason"))


def test_tomp_scooter_booked_started_finished_and_captured(payg_resident, tomp_provider, tomp):
    api = payg_resident.api
    response = book(api, make_leg(tomp_provider.pk, vehicle_id="SC-101", minutes=8))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "CONFIRMED"
    # scooter pay-as-you-go: 100 unlock + 8 min x 25 = 300 cents; 50 % buffer authorised
    assert body["price"] == {"currency": "EUR", "quoted_cents": 300, "charge_cents": 300, "covered": False,
                             "authorized_cents": 450, "final_cents": None, "captured_cents": 0}
    booking = Booking.objects.get(pk=body["id"])
    assert _intent(booking.payment_id).status == "requires_capture"
    assert _intent(booking.payment_id).amount == 450
    from providers.models import VehicleHold
    assert VehicleHold.objects.filter(provider_id=tomp_provider.pk, vehicle_id="SC-101").exists()

    assert api.post(f"/api/v1/bookings/{booking.pk}/start").json()["state"] == "STARTED"
    finished = api.post(f"/api/v1/bookings/{booking.pk}/finish")
    assert finished.status_code == 200
    data = finished.json()
    assert data["state"] == "FINISHED"
    assert data["price"]["final_cents"] == 345 and data["price"]["captured_cents"] == 345
    intent = _intent(booking.payment_id)
    assert intent.status == "succeeded" and _captured(booking.payment_id) == 345
    assert Payment.objects.get(pk=booking.payment_id).captured_cents == 345
    assert not VehicleHold.objects.filter(provider_id=tomp_provider.pk, vehicle_id="SC-101").exists()
    assert _events(booking.pk) == [
        ("", "NEW", "created"), ("NEW", "PENDING", "sent_to_provider"),
        ("PENDING", "CONFIRMED", "provider_confirmed"), ("CONFIRMED", "STARTED", "started"),
        ("STARTED", "FINISHED", "finished"),
    ]
    actors = set(BookingEvent.objects.filter(booking=booking).values_list("actor_label", flat=True))
    assert actors == {f"user:{payg_resident.user.pk}"}
    assert [e["to_state"] for e in data["events"]][-1] == "FINISHED"
    assert [req[1] for req in tomp.state.requests] == [
        "/plannings", "/bookings", f"/legs/{booking.external_leg_id}/events", f"/legs/{booking.external_leg_id}/events"]


def test_vehicle_gone_at_provider_is_409_with_reason_and_money_released(payg_resident, tomp_provider, tomp):
    tomp.state.available["SC-101"] = False
    response = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-101"))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "vehicle_unavailable"
    booking = Booking.objects.get(pk=error["details"]["booking_id"])
    assert booking.state == "REJECTED" and error["details"]["state"] == "REJECTED"
    assert _intent(booking.payment_id).status == "canceled"
    assert _events(booking.pk)[-1] == ("PENDING", "REJECTED", "vehicle_unavailable")


def test_conditional_confirmation_then_confirm_action(payg_resident, tomp_provider, tomp):
    tomp.state.conditional = True
    created = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-102")).json()
    assert created["state"] == "CONDITIONAL_CONFIRMED"
    confirmed = payg_resident.api.post(f"/api/v1/bookings/{created['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "CONFIRMED"
    assert tomp.state.requests[-1][1:] == (f"/bookings/{created['external_id']}/events", {"operation": "COMMIT"})
    # confirming again is not a legal transition
    again = payg_resident.api.post(f"/api/v1/bookings/{created['id']}/confirm")
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"


def test_cancel_within_free_window_releases_authorisation(payg_resident, tomp_provider, tomp):
    created = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-101")).json()
    response = payg_resident.api.post(f"/api/v1/bookings/{created['id']}/cancel", {"reason": "changed plans"})
    assert response.status_code == 200 and response.json()["state"] == "CANCELLED"
    booking = Booking.objects.get(pk=created["id"])
    assert _intent(booking.payment_id).status == "canceled"
    assert booking.captured_cents == 0
    assert tomp.state.bookings[booking.external_id]["state"] == "CANCELLED"
    assert tomp.state.available["SC-101"] is True
    last = BookingEvent.objects.filter(booking=booking).last()
    assert (last.to_state, last.details["free_window"], last.details["note"]) == ("CANCELLED", True, "changed plans")
    # a cancelled booking can't be started
    start = payg_resident.api.post(f"/api/v1/bookings/{booking.pk}/start")
    assert start.status_code == 409 and start.json()["error"]["code"] == "illegal_transition"


def test_cancel_after_free_window_captures_the_fee(payg_resident, tomp_provider, tomp, settings):
    settings.BOOKING_FREE_CANCEL_SECONDS = 0
    settings.BOOKING_CANCEL_FEE_CENTS = 150
    created = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-101")).json()
    response = payg_resident.api.post(f"/api/v1/bookings/{created['id']}/cancel")
    assert response.json()["price"]["captured_cents"] == 150
    booking = Booking.objects.get(pk=created["id"])
    intent = _intent(booking.payment_id)
    assert intent.status == "succeeded" and _captured(booking.payment_id) == 150


def test_gbfs_only_scooter_final_price_comes_from_billing(payg_resident, gbfs_provider):
    created = book(payg_resident.api, make_leg(gbfs_provider.pk, vehicle_id="G-1", minutes=12))
    assert created.status_code == 201
    body = created.json()
    assert body["state"] == "CONFIRMED" and body["price"]["quoted_cents"] == 400
    from providers.selectors import vehicle_available
    assert vehicle_available(gbfs_provider.pk, "G-1") is False
    # the same vehicle can't be booked twice while held
    second = book(payg_resident.api, make_leg(gbfs_provider.pk, vehicle_id="G-1"))
    assert second.status_code == 409 and second.json()["error"]["code"] == "vehicle_unavailable"
    payg_resident.api.post(f"/api/v1/bookings/{body['id']}/start")
    done = payg_resident.api.post(f"/api/v1/bookings/{body['id']}/finish").json()
    # the ride lasted under a minute: billed 1 min = 100 + 25
    assert done["price"]["final_cents"] == 125 and done["price"]["captured_cents"] == 125
    assert _captured(Booking.objects.get(pk=body["id"]).payment_id) == 125
    assert vehicle_available(gbfs_provider.pk, "G-1") is True


def test_plan_covered_city_bike_writes_a_ledger_entry_and_takes_no_payment(make_resident, localstripe,
                                                                          billing_plans, gbfs_provider):
    from billing import services as billing
    from billing.models import UsageRecord
    from tests.bookings.conftest import add_card, client_for

    resident = make_resident()
    add_card(resident.user)
    billing.subscribe(resident.user, "urban")
    api = client_for(resident.user)
    created = book(api, make_leg(gbfs_provider.pk, mode="city_bike", station_id="126", minutes=14))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["price"]["covered"] is True and body["price"]["charge_cents"] == 0
    assert body["price"]["authorized_cents"] == 0
    booking = Booking.objects.get(pk=body["id"])
    assert booking.payment_id is None
    api.post(f"/api/v1/bookings/{booking.pk}/start")
    done = api.post(f"/api/v1/bookings/{booking.pk}/finish").json()
    assert done["state"] == "FINISHED" and done["price"]["captured_cents"] == 0
    usage = UsageRecord.objects.get(user=resident.user, leg_ref=f"booking-{booking.pk}")
    assert (usage.category, usage.rides, usage.covered_rides, usage.charge_cents) == ("city_bike", 1, 1, 0)
    assert not Payment.objects.filter(user=resident.user).exists()


def test_leg_not_bookable_and_bad_input(payg_resident, tomp_provider):
    api = payg_resident.api
    walk = make_leg(tomp_provider.pk, mode="walk") | {"booking": None}
    response = book(api, walk)
    assert response.status_code == 409 and response.json()["error"]["code"] == "leg_not_bookable"
    tram = make_leg(tomp_provider.pk, mode="tram") | {"transit": True}
    assert book(api, tram).json()["error"]["code"] == "leg_not_bookable"
    unknown = make_leg(987654, vehicle_id="SC-101")
    unknown_resp = book(api, unknown)
    assert unknown_resp.status_code == 409 and unknown_resp.json()["error"]["details"] == {"provider_id": 987654}
    no_vehicle = make_leg(tomp_provider.pk)
    assert book(api, no_vehicle).json()["error"]["code"] == "leg_not_bookable"
    bad = api.post("/api/v1/bookings", {"leg": {"mode": "scooter"}}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_error"
    no_key = api.post("/api/v1/bookings", {"leg": make_leg(tomp_provider.pk, vehicle_id="SC-101")}, format="json")
    assert no_key.status_code == 400 and no_key.json()["error"]["code"] == "idempotency_key_required"
    assert Booking.objects.count() == 0


def test_no_card_is_402_and_leaves_nothing_behind(make_resident, localstripe, billing_plans, tomp_provider, tomp):
    from maas.bookings.models import IdempotencyRecord
    from tests.bookings.conftest import add_card, client_for

    resident = make_resident()
    api = client_for(resident.user)
    leg = make_leg(tomp_provider.pk, vehicle_id="SC-101")
    response = book(api, leg, key="card-later")
    assert response.status_code == 402 and response.json()["error"]["code"] == "payment_method_required"
    assert Booking.objects.count() == 0 and IdempotencyRecord.objects.count() == 0
    assert tomp.state.requests == []
    add_card(resident.user)  # the same key works once the card is there
    assert book(api, leg, key="card-later").status_code == 201


def test_provider_down_during_an_action_is_503_and_state_unchanged(payg_resident, tomp_provider, tomp):
    created = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-101")).json()
    tomp.state.fail_next = 502
    response = payg_resident.api.post(f"/api/v1/bookings/{created['id']}/start")
    assert response.status_code == 503 and response.json()["error"]["code"] == "provider_unavailable"
    assert Booking.objects.get(pk=created["id"]).state == "CONFIRMED"
    assert payg_resident.api.post(f"/api/v1/bookings/{created['id']}/start").json()["state"] == "STARTED"


def test_taxi_leg_booked_through_tomp(payg_resident, tomp, db):
    from providers.services import register_provider

    taxi = register_provider(name="Local TOMP taxi", kind="taxi", booking_api_url=tomp.url)
    tomp.state.available["any"] = True  # a taxi: no specific asset asked for
    leg = make_leg(taxi.pk, mode="taxi", minutes=10, distance_m=4000)
    response = book(payg_resident.api, leg)
    assert response.status_code == 201, response.content
    body = response.json()
    # taxi tariff: 690 start + 4 km x 145 = 1270 cents
    assert body["state"] == "CONFIRMED" and body["price"]["quoted_cents"] == 1270
    assert body["vehicle_id"] == ""


def test_errors_are_translated(payg_resident, tomp_provider):
    walk = make_leg(tomp_provider.pk, mode="walk") | {"booking": None}
    fi = payg_resident.api.post("/api/v1/bookings", {"leg": walk}, format="json", HTTP_IDEMPOTENCY_KEY="t1",
                                HTTP_ACCEPT_LANGUAGE="fi")
    assert fi.json()["error"]["message"] == "Tätä osuutta ei tarvitse varata (joukkoliikenne tai kävely)."
    sv = payg_resident.api.post("/api/v1/bookings", {"leg": walk}, format="json", HTTP_IDEMPOTENCY_KEY="t1",
                                HTTP_ACCEPT_LANGUAGE="sv")
    assert sv.json()["error"]["message"].startswith("Denna delsträcka behöver ingen bokning")


def test_declining_conditions_releases_booking_vehicle_and_money(payg_resident, tomp_provider, tomp):
    from providers.models import VehicleHold

    tomp.state.conditional = True
    created = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-101")).json()
    assert created["state"] == "CONDITIONAL_CONFIRMED"
    response = payg_resident.api.post(f"/api/v1/bookings/{created['id']}/decline")
    assert response.status_code == 200 and response.json()["state"] == "RELEASED"
    booking = Booking.objects.get(pk=created["id"])
    assert _intent(booking.payment_id).status == "canceled"
    assert tomp.state.requests[-1][1:] == (f"/bookings/{booking.external_id}/events", {"operation": "DENY"})
    assert tomp.state.available["SC-101"] is True
    assert not VehicleHold.objects.filter(vehicle_id="SC-101").exists()
    assert _events(booking.pk)[-1] == ("CONDITIONAL_CONFIRMED", "RELEASED", "conditions_declined")
