"""One language rule everywhere: explicit field > Accept-Language > profile > Finnish."""
import pytest
from rest_framework.test import APIClient

from tests.accounts.helpers import client_for

UNKNOWN = "/api/v1/parking/permits/999999"


@pytest.mark.parametrize("profile, header, expected", [
    ("sv", None, "Det finns inget sådant tillstånd."),            # profile
    ("sv", "en", "No such permit."),                     # Accept-Language beats the profile
    ("en", "fi-FI,fi;q=0.9", "Lupaa ei ole."),
    ("en", "de", "No such permit."),                     # unsupported header: the profile
])
def test_error_messages_follow_the_rule(make_resident, profile, header, expected):
    resident = make_resident(language=profile)
    response = client_for(resident.user).get(UNKNOWN, HTTP_ACCEPT_LANGUAGE=header or "")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == expected
    assert response["Content-Language"] == {"Det": "sv", "No": "en", "Lupaa": "fi"}[expected.split()[0]]


def test_anonymous_without_header_gets_finnish(db):
    response = APIClient().post("/api/v1/auth/token", {"username": "nobody@example.org", "password": "x"},
                                format="json", HTTP_ACCEPT_LANGUAGE="")
    assert response.status_code == 401 and response["Content-Language"] == "fi"
    assert response.json()["error"]["message"] == "Annetuilla tunnuksilla ei löytynyt aktiivista tiliä"
