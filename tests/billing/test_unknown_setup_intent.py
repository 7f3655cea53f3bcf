"""POST /billing/payment-methods with a well-formed SetupIntent id Stripe does not know."""
import pytest

from tests.api_fuzz.helpers import assert_envelope

pytestmark = pytest.mark.django_db


def test_unknown_setup_intent_is_404(localstripe, resident_client):
    """Was 400 payment_provider_rejected ("Not Found"): a schema-valid request refused as malformed. Like
    someone else's intent, it names no intent of yours: 404."""
    response = resident_client.post("/api/v1/billing/payment-methods", {"setup_intent": "seti_0"}, format="json")
    assert_envelope(response, 404, "unknown_setup_intent")
