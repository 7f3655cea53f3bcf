"""Planner errors come back in the resident's language (Accept-Language fi / sv / en)."""
import pytest

KALASATAMA = {"lat": 60.18761, "lon": 24.97721}
KAMPPI = {"lat": 60.16885, "lon": 24.93118}


@pytest.mark.parametrize("language, message", [
    ("en", "The date is outside the timetable's service dates."),
    ("fi", "Päivämäärä on aikataulun voimassaolon ulkopuolella."),
    ("sv", "Datumet ligger utanför tidtabellens giltighetstid."),
])
def test_outside_service_dates_message_is_translated(routed_feed, resident_client, language, message):
    response = resident_client.post(
        "/api/v1/plans",
        {"from": KALASATAMA, "to": KAMPPI, "departure": "2026-11-25T08:30:00+02:00"},
        format="json", HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "outside_service_dates"
    assert response.json()["error"]["message"] == message


def test_same_place_message_in_swedish(routed_feed, resident_client):
    response = resident_client.post(
        "/api/v1/plans", {"from": KALASATAMA, "to": KALASATAMA, "departure": "2022-03-02T08:30:00+02:00"},
        format="json", HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.json()["error"] == {
        "code": "same_origin_destination", "message": "Start och mål är samma plats.",
        "details": response.json()["error"]["details"],
    }


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_price_label_follows_the_requested_language(routed_feed, resident_client, language):
    """The body's `language` (not only Accept-Language) picks the stop names and the price label."""
    from django.core.management import call_command
    from django.utils import translation

    from billing.money import format_eur

    call_command("load_billing_plans", verbosity=0)
    response = resident_client.post(
        "/api/v1/plans",
        {"from": KALASATAMA, "to": KAMPPI, "departure": "2022-03-02T08:30:00+02:00", "language": language},
        format="json",
    )
    assert response.status_code == 200, response.content
    price = response.json()["itineraries"][0]["price"]
    with translation.override(language):
        expected = translation.gettext("%(amount)s pay-as-you-go") % {"amount": format_eur(295, language)}
    assert price["total_cents"] == 295
    assert price["label"] == expected
    if language == "sv":
        assert expected == "2,95\xa0€ betalning per resa"
