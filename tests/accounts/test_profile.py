"""GET/PATCH /me: profile, travel preferences, consent log; GET never writes."""
import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from maas.accounts.models import ConsentEvent, Resident
from maas.accounts.selectors import plan_defaults


def test_patch_profile_and_preferences(resident_client):
    body = resident_client.patch("/api/v1/me", {
        "first_name": "Aino", "phone": "+358 40 123 4567", "language": "sv",
        "preferences": {"wheelchair": True, "walking_speed": "slow", "max_walk_m": 400,
                        "preferred_modes": ["transit", "walk"]},
    }, format="json")
    assert body.status_code == 200, body.content
    data = body.json()
    assert (data["first_name"], data["phone"], data["language"]) == ("Aino", "+358 40 123 4567", "sv")
    assert data["preferences"] == {"wheelchair": True, "walking_speed": "slow", "max_walk_m": 400,
                                   "preferred_modes": ["transit", "walk"]}
    resident = Resident.objects.get(pk=resident_client.resident.pk)
    assert (resident.phone, resident.max_walk_m, resident.user.first_name) == ("+358 40 123 4567", 400, "Aino")
    assert plan_defaults(resident.user) == {"wheelchair": True, "walk_speed": "slow", "max_walk_m": 400,
                                            "modes": ["transit", "walk"]}
    assert resident_client.get("/api/v1/me").json()["preferences"]["walking_speed"] == "slow"


@pytest.mark.parametrize("payload, field", [
    ({"language": "de"}, "language"),
    ({"phone": "call me"}, "phone"),
    ({"preferences": {"preferred_modes": ["rocket"]}}, "preferences"),
    ({"preferences": {"max_walk_m": -1}}, "preferences"),
    ({"email": "x@example.org"}, "email"),
])
def test_patch_refuses_bad_fields(resident_client, payload, field):
    response = resident_client.patch("/api/v1/me", payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error" and field in error["details"]


def test_consent_changes_are_logged(resident_client):
    resident_client.patch("/api/v1/me", {"location_consent": True}, format="json")
    resident_client.patch("/api/v1/me", {"location_consent": True}, format="json")  # no change, no event
    resident_client.patch("/api/v1/me", {"location_consent": False}, format="json")
    events = list(ConsentEvent.objects.filter(resident=resident_client.resident).values_list("granted", flat=True))
    assert events == [True, False]


def test_get_me_of_admin_made_user_does_not_write(django_user_model):
    user = django_user_model.objects.create_user("staffer", "staffer@example.org", "x-pass-12345")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    response = client.get("/api/v1/me")
    assert response.status_code == 200 and response.json()["id"] is None
    assert not Resident.objects.filter(user=user).exists()
