"""Billing API shapes (integer cents everywhere)."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from billing import discounts
from billing.models import Entitlement, Invoice, Plan, Subscription
from billing.money import vat_included
from billing.pricing import CATEGORY_BY_MODE
from billing.test_cards import TEST_CARDS
from maas.api.fields import StrictCharField, StrictStringsMixin
from maas.api.schema import requires_one


class EntitlementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Entitlement
        fields = ["category", "zones", "rides_per_period", "minutes_per_period", "max_ride_minutes",
                  "discount_percent"]


class YourPriceSerializer(serializers.Serializer):
    price_cents = serializers.IntegerField()
    discount_cents = serializers.IntegerField()
    discount = serializers.JSONField(allow_null=True)


class PlanSerializer(serializers.ModelSerializer):
    """A plan in the request's language; `your_price` is the fee after the resident's discount group
    (context "discount"), equal to price_cents without one."""

    name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    entitlements = EntitlementSerializer(many=True, read_only=True)
    vat_cents = serializers.SerializerMethodField()
    vat_rate_percent = serializers.SerializerMethodField()
    your_price = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["code", "name", "description", "price_cents", "vat_cents", "vat_rate_percent", "interval",
                  "is_payg", "entitlements", "your_price"]

    def get_name(self, plan) -> str:
        return plan.name_in()

    def get_description(self, plan) -> str:
        return plan.description_in()

    def get_your_price(self, plan) -> YourPriceSerializer:
        return discounts.plan_fee(plan, self.context.get("discount"))

    def get_vat_cents(self, plan) -> int:
        return vat_included(plan.price_cents, plan.vat_rate_bp)

    def get_vat_rate_percent(self, plan) -> str:
        return f"{plan.vat_rate_bp / 100:g}"


class SubscriptionSerializer(serializers.ModelSerializer):
    plan = PlanSerializer(read_only=True)

    class Meta:
        model = Subscription
        fields = ["id", "plan", "status", "current_period_start", "current_period_end", "cancel_at_period_end"]


class SubscriptionBodySerializer(serializers.Serializer):
    """{"subscription": Subscription | null}: the body of the subscription endpoints."""

    subscription = SubscriptionSerializer(allow_null=True)


class InvoiceSerializer(serializers.ModelSerializer):
    vat_cents = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = ["stripe_invoice_id", "status", "currency", "total_cents", "amount_paid_cents", "tax_cents",
                  "vat_cents", "vat_rate_percent", "period_start", "period_end", "lines", "stripe_created"]

    vat_rate_percent = serializers.SerializerMethodField()

    def _rate_bp(self, invoice):
        """The plan's VAT rate from context["vat_rates"] (billing.selectors.vat_rates_of_invoices)."""
        rates = self.context.get("vat_rates")
        if rates is None:  # a lone invoice: look it up
            from billing.selectors import vat_rates_of_invoices

            rates = self.context["vat_rates"] = vat_rates_of_invoices([invoice])
        return rates.get(invoice.stripe_subscription_id, 0)

    def get_vat_cents(self, invoice) -> int:
        """VAT inside the (VAT-inclusive) total: Stripe's tax when it computed one, else the plan's rate."""
        return invoice.tax_cents or vat_included(invoice.total_cents, self._rate_bp(invoice))

    def get_vat_rate_percent(self, invoice) -> str:
        return f"{self._rate_bp(invoice) / 100:g}"


class PlanChoiceSerializer(StrictStringsMixin, serializers.Serializer):
    plan = serializers.SlugField(max_length=40)


class SetupIntentChoiceSerializer(serializers.Serializer):
    """{"setup_intent": id} of a confirmed SetupIntent, or (demo only) {"test_card": "visa"}."""

    openapi_extra = requires_one("setup_intent", "test_card")

    setup_intent = serializers.RegexField(r"^seti_[A-Za-z0-9_]+$", max_length=100, required=False,
                                          help_text="A SetupIntent confirmed with Stripe.js.")
    test_card = serializers.ChoiceField(
        choices=sorted(TEST_CARDS), required=False,
        help_text="Demo only (DEBUG with a Stripe test key; else 403 test_cards_disabled): add this Stripe "
                  "test card without Stripe.js.")

    def validate(self, attrs):
        if bool(attrs.get("setup_intent")) == bool(attrs.get("test_card")):
            raise serializers.ValidationError(_("Give exactly one of setup_intent and test_card."),
                                              code="setup_intent_or_test_card")
        return attrs


class PaymentMethodSerializer(serializers.Serializer):
    default_payment_method = serializers.CharField(help_text="Stripe payment method id, e.g. pm_…")


# Quote input bounds: a leg is at most a week and 2,000 km; an itinerary at most 30 legs.
QUOTE_MAX_LEGS = 30
QUOTE_MAX_LEG_SECONDS = 7 * 24 * 3600
QUOTE_MAX_LEG_METRES = 2_000_000
QUOTE_LEG_MODES = sorted({"walk", "bike", "car"} | set(CATEGORY_BY_MODE))


class QuoteLegSerializer(serializers.Serializer):
    """The leg fields pricing reads (an itinerary leg from POST /plans; other keys are ignored)."""

    mode = serializers.ChoiceField(choices=QUOTE_LEG_MODES)
    transit = serializers.BooleanField(required=False)
    zones = serializers.ListField(child=StrictCharField(max_length=8), max_length=10, required=False,
                                  allow_null=True)
    start_time = serializers.DateTimeField(required=False, allow_null=True,
                                           help_text="ISO-8601; without an offset it is Helsinki time.")
    end_time = serializers.DateTimeField(required=False, allow_null=True)
    duration_s = serializers.IntegerField(min_value=0, max_value=QUOTE_MAX_LEG_SECONDS, required=False,
                                          allow_null=True)
    distance_m = serializers.IntegerField(min_value=0, max_value=QUOTE_MAX_LEG_METRES, required=False,
                                          allow_null=True)

    def validate(self, attrs):
        start, end = attrs.get("start_time"), attrs.get("end_time")
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"end_time": _("end_time is before start_time.")},
                                              code="end_before_start")
        for key in ("start_time", "end_time"):  # pricing reads ISO strings (offset-aware after validation)
            if attrs.get(key) is not None:
                attrs[key] = attrs[key].isoformat()
        return attrs


class QuoteItinerarySerializer(serializers.Serializer):
    legs = QuoteLegSerializer(many=True, max_length=QUOTE_MAX_LEGS)


class QuoteSerializer(serializers.Serializer):
    itinerary = QuoteItinerarySerializer()
