"""Every plan/accessibility field error message exists in fi and sv (a message in English only was a miss)."""
import pytest
from django.utils import translation

from planner.serializers import FIELD_CODES


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_field_message_is_translated(language):
    messages = {message for _code, message in FIELD_CODES.values() if message}
    with translation.override(language):
        untranslated = sorted(m for m in messages if translation.gettext(m) == m)
    assert untranslated == []


def test_bad_coordinates_answer_in_swedish(resident_client):
    resp = resident_client.post("/api/v1/plans", {"from": {"lat": 91, "lon": 24.9}, "to": {"lat": 60.17, "lon": 24.93}},
                           format="json", HTTP_ACCEPT_LANGUAGE="sv")
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "invalid_coordinates"
    assert resp.json()["error"]["message"] == \
        "from: ange numeriska lat (-90..90) och lon (-180..180) eller ett stop_id."
