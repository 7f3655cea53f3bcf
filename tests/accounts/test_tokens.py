"""Sign-out and token hygiene: logout, rotation with reuse refused, password change revokes, any-case login."""
from rest_framework.test import APIClient

PASSWORD = "s3cret-pass-123"


def login(email, password=PASSWORD):
    return APIClient().post("/api/v1/auth/token", {"username": email, "password": password}, format="json")


def refresh(token):
    return APIClient().post("/api/v1/auth/token/refresh", {"refresh": token}, format="json")


def test_login_accepts_email_in_any_case(make_resident):
    make_resident(email="Aino.Virtanen@Example.org")
    assert login("AINO.VIRTANEN@example.ORG").status_code == 200
    assert login("aino.virtanen@example.org", "wrong-password").status_code == 401


def test_logout_then_refresh_is_401(resident):
    tokens = login(resident.user.email).json()
    assert APIClient().post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}, format="json").status_code == 204
    response = refresh(tokens["refresh"])
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_not_valid"
    again = APIClient().post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401 and again.json()["error"]["code"] == "token_not_valid"


def test_refresh_rotates_and_the_old_token_is_refused(resident):
    old = login(resident.user.email).json()["refresh"]
    first = refresh(old)
    assert first.status_code == 200 and first.json()["refresh"] != old
    assert refresh(old).status_code == 401
    assert refresh(first.json()["refresh"]).status_code == 200


def test_password_change_revokes_every_token(resident):
    session_a, session_b = login(resident.user.email).json(), login(resident.user.email).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {session_a['access']}")
    wrong = client.post("/api/v1/me/password", {"old_password": "nope-nope-1", "new_password": "n3w-secret-pass"},
                        format="json")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "wrong_password"
    changed = client.post("/api/v1/me/password", {"old_password": PASSWORD, "new_password": "n3w-secret-pass"},
                          format="json")
    assert changed.status_code == 204
    assert refresh(session_a["refresh"]).status_code == 401
    assert refresh(session_b["refresh"]).status_code == 401
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {session_b['access']}")
    assert other.get("/api/v1/me").status_code == 401
    assert login(resident.user.email, "n3w-secret-pass").status_code == 200
