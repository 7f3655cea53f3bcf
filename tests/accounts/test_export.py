"""GDPR export: everything of the resident, nothing of anyone else, and no model with a user FK forgotten."""
import json

from django.apps import apps
from django.contrib.auth import get_user_model

from maas.accounts.models import Resident
from tests.accounts import factories


def _ids(document, label):
    return {row["id"] for row in document["data"][label]}


def test_export_has_the_residents_booking_permit_invoice_and_nothing_of_another(resident_client, make_resident):
    me, other = resident_client.resident, make_resident()
    mine = {"booking": factories.booking(me.user), "permit": factories.permit(me),
            "invoice": factories.invoice(me.user)}
    factories.booking(other.user), factories.permit(other, plate="XYZ-9"), factories.invoice(other.user)
    response = resident_client.get("/api/v1/me/export")
    assert response.status_code == 200
    document = response.json()
    assert document["user_id"] == me.user_id
    assert _ids(document, "bookings.Booking") == {mine["booking"].pk}
    assert _ids(document, "parking.Permit") == {mine["permit"].pk}
    assert _ids(document, "billing.Invoice") == {mine["invoice"].pk}
    booking = document["data"]["bookings.Booking"][0]
    assert booking["external_id"] == f"tomp-{me.user_id}"  # the id shared with the provider
    assert [e["to_state"] for e in booking["events"]] == ["FINISHED"]
    assert document["data"]["auth.User"][0]["email"] == me.user.email
    assert "password" not in document["data"]["auth.User"][0]
    text = json.dumps(document)
    assert other.user.email not in text and "XYZ-9" not in text and f"tomp-{other.user_id}" not in text


def _models_pointing_at(targets):
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model in targets:
                yield model._meta.label
                break


def test_export_covers_every_model_with_a_foreign_key_to_the_user(resident_client):
    document = resident_client.get("/api/v1/me/export").json()
    expected = set(_models_pointing_at({get_user_model(), Resident}))
    assert {"bookings.Booking", "billing.Invoice", "parking.Permit", "accounts.Resident"} <= expected
    missing = expected - set(document["data"])
    assert not missing, f"models with a foreign key to the user missing from the export: {sorted(missing)}"
