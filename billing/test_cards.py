"""Demo test cards: in DEBUG with a Stripe test key, a card is added through the API without Stripe.js
(SetupIntent created, confirmed with a Stripe test payment method, saved as the default)."""
import uuid

from django.conf import settings
from django.utils.translation import gettext as _

from billing import services
from billing.stripe_api import client, stripe_errors
from maas.api.errors import ApiError

# name -> Stripe test payment method (both Stripe and localstripe know these).
TEST_CARDS = {"visa": "pm_card_visa", "visa_charge_declined": "pm_card_visa_chargeDeclined"}


def test_cards_enabled() -> bool:
    return bool(settings.DEBUG) and str(getattr(settings, "STRIPE_API_KEY", "")).startswith("sk_test_")


def add_test_card(user, name):
    """Save Stripe test card `name` as the user's default payment method (DEBUG + test key only)."""
    if not test_cards_enabled():
        raise ApiError(_("Test cards can only be added in the demo (DEBUG with a Stripe test key)."),
                       code="test_cards_disabled", status_code=403)
    intent = services.create_setup_intent(user, idempotency_key=uuid.uuid4().hex)
    with stripe_errors():
        client().v1.setup_intents.confirm(intent["id"], params={"payment_method": TEST_CARDS[name]})
    return services.save_payment_method(user, intent["id"])
