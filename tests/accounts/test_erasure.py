"""GDPR erasure: nothing personal left in any text column, bookkeeping amounts kept, no way back in."""
import pytest
import stripe
from django.db import connection
from rest_framework.test import APIClient

from billing import services as billing
from billing.models import Invoice, UsageRecord
from billing.stripe_api import client as stripe_client
from maas.accounts import services
from maas.accounts.models import Resident
from maas.bookings.models import Booking
from maas.parking.models import Permit
from tests.accounts import factories

PASSWORD = "s3cret-pass-123"
TEXT_TYPES = ("character varying", "text", "json", "jsonb", "character")


def login(username, password=PASSWORD):
    return APIClient().post("/api/v1/auth/token", {"username": username, "password": password}, format="json")


def text_columns():
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_schema = 'public' AND data_type = ANY(%s)", [list(TEXT_TYPES)])
        return cursor.fetchall()


def columns_containing(value):
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "{column}"::text ILIKE %s', [f"%{value}%"])
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


@pytest.fixture
def rich_resident(make_resident, localstripe):
    resident = make_resident(email="Zebulonia.Quaxworth@Example.org", first_name="Zebulonia", last_name="Quaxworth")
    services.update_profile(resident.user, {"phone": "+358 40 987 6543", "location_consent": True})
    billing.ensure_customer(resident.user)
    factories.permit(resident, plate="ZQX-987")
    factories.booking(resident.user, place="Zebulonia's home door")
    factories.invoice(resident.user)
    factories.payment(resident.user)
    factories.usage(resident.user)
    resident.refresh_from_db()
    return resident


def test_erasure_leaves_no_personal_data_and_keeps_the_books(rich_resident):
    user = rich_resident.user
    tokens = login("zebulonia.quaxworth@example.org").json()
    customer_id = user.billing_account.stripe_customer_id
    assert stripe_client().v1.customers.retrieve(customer_id).id == customer_id
    secrets = ["zebulonia.quaxworth@example.org", "Zebulonia", "Quaxworth", "987 6543", "ZQX-987"]
    assert columns_containing("ZQX-987")  # the scan sees real data before the erasure
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    wrong = api.delete("/api/v1/me", {"password": "not-my-password"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "wrong_password"
    assert api.delete("/api/v1/me", {"password": PASSWORD}, format="json").status_code == 204

    for value in secrets:
        assert columns_containing(value) == [], value
    invoice = Invoice.objects.get(user_id=user.pk)
    assert (invoice.total_cents, invoice.amount_paid_cents, invoice.tax_cents) == (6990, 6990, 835)
    assert UsageRecord.objects.get(user_id=user.pk).charge_cents == 350
    assert Booking.objects.get(user_id=user.pk).quoted_cents == 350
    assert Permit.objects.get(resident=rich_resident).status == Permit.CANCELLED
    assert Resident.objects.get(pk=rich_resident.pk).erased_at is not None
    assert login("zebulonia.quaxworth@example.org").status_code == 401
    refreshed = APIClient().post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 401
    assert api.get("/api/v1/me").status_code == 401
    with pytest.raises(stripe.InvalidRequestError) as gone:  # localstripe forgets a deleted customer
        stripe_client().v1.customers.retrieve(customer_id)
    assert gone.value.http_status == 404


def test_erasure_refused_while_a_trip_is_in_progress(resident_client):
    factories.booking(resident_client.resident.user, state="STARTED")
    response = resident_client.delete("/api/v1/me", {"password": PASSWORD}, format="json", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 409 and response.json()["error"]["code"] == "trip_in_progress"
    assert response.json()["error"]["message"].startswith("Ditt konto kan inte raderas medan en resa pågår")
    assert login(resident_client.resident.user.username).status_code == 200


def test_erasure_refused_while_money_is_owed(resident_client):
    factories.invoice(resident_client.resident.user, status="open", total=6990, paid=0)
    response = resident_client.delete("/api/v1/me", {"password": PASSWORD}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "money_owed"
    assert response.json()["error"]["details"]["owed"][0]["amount_cents"] == 6990
    assert login(resident_client.resident.user.username).status_code == 200


def test_erasure_cancels_a_confirmed_booking_the_way_the_resident_would(resident_client):
    confirmed = factories.booking(resident_client.resident.user, state="CONFIRMED", external_id="")
    response = resident_client.delete("/api/v1/me", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    confirmed.refresh_from_db()
    assert confirmed.state == "CANCELLED"
    last = confirmed.events.order_by("id").last()
    assert (last.from_state, last.to_state, last.reason) == ("CONFIRMED", "CANCELLED", "cancelled")
