"""Residents see only their own bookings; staff see all."""
import pytest
from django.contrib.auth import get_user_model

from maas.bookings.models import Booking
from tests.bookings.conftest import add_card, book, client_for, make_leg

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_bookings(payg_resident, make_resident, tomp_provider):
    other = make_resident()
    add_card(other.user)
    mine = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-101")).json()
    theirs = book(client_for(other.user), make_leg(tomp_provider.pk, vehicle_id="SC-102")).json()
    return mine, theirs, other


def test_resident_lists_and_retrieves_only_own(payg_resident, two_bookings):
    mine, theirs, _ = two_bookings
    listed = payg_resident.api.get("/api/v1/bookings").json()
    assert [b["id"] for b in listed] == [mine["id"]]
    assert payg_resident.api.get(f"/api/v1/bookings/{mine['id']}").status_code == 200
    response = payg_resident.api.get(f"/api/v1/bookings/{theirs['id']}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_resident_cannot_act_on_anothers_booking(payg_resident, two_bookings):
    _, theirs, _ = two_bookings
    for action in ("cancel", "start", "finish", "confirm"):
        response = payg_resident.api.post(f"/api/v1/bookings/{theirs['id']}/{action}")
        assert response.status_code == 404, action
    assert Booking.objects.get(pk=theirs["id"]).state == "CONFIRMED"


def test_staff_see_all_and_their_actions_are_logged_as_theirs(two_bookings):
    mine, theirs, _ = two_bookings
    admin = get_user_model().objects.create_user("ops@example.org", password="x-long-pass-1", is_staff=True)
    api = client_for(admin)
    rows = api.get("/api/v1/bookings").json()
    assert {b["id"] for b in rows} == {mine["id"], theirs["id"]}
    assert api.post(f"/api/v1/bookings/{theirs['id']}/cancel").json()["state"] == "CANCELLED"
    last = Booking.objects.get(pk=theirs["id"]).events.last()
    assert (last.actor_id, last.actor_label) == (admin.pk, f"user:{admin.pk}")


def test_anonymous_is_401(api_client, two_bookings):
    assert api_client.get("/api/v1/bookings").status_code == 401


def test_list_filters_by_state(payg_resident, two_bookings):
    mine, _, _ = two_bookings
    assert [b["id"] for b in payg_resident.api.get("/api/v1/bookings?state=CONFIRMED").json()] == [mine["id"]]
    assert payg_resident.api.get("/api/v1/bookings?state=FINISHED").json() == []
    bad = payg_resident.api.get("/api/v1/bookings?state=BOGUS")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_state"
