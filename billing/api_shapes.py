"""OpenAPI shapes of billing's answers that are plain dicts (price breakdown, usage, setup intent,
webhook acknowledgement): documentation for generated clients; tests/api_contract checks real answers."""
from rest_framework import serializers

LEG_PRICE_REASONS = ("own_means", "pay_as_you_go", "covered", "covered_partly", "transfer", "zones_not_covered",
                     "rides_used_up", "minutes_used_up", "plan_discount", "no_tariff")


class LegPriceSerializer(serializers.Serializer):
    leg_index = serializers.IntegerField()
    mode = serializers.CharField(allow_null=True)
    price_cents = serializers.IntegerField()
    covered = serializers.BooleanField()
    covered_cents = serializers.IntegerField()
    charge_cents = serializers.IntegerField()
    vat_cents = serializers.IntegerField()
    tariff = serializers.CharField(allow_null=True)
    reason = serializers.ChoiceField(choices=LEG_PRICE_REASONS)
    discount_cents = serializers.IntegerField(help_text="Taken off the charge by the resident's discount group.")


class PriceDiscountSerializer(serializers.Serializer):
    """The resident's discount group (billing.discounts) and what it took off this itinerary."""

    group = serializers.CharField(help_text="child, student, senior, low_income, ...")
    name = serializers.CharField(help_text="In the request's language.")
    percent = serializers.IntegerField()
    cents = serializers.IntegerField()


class PriceSerializer(serializers.Serializer):
    """An itinerary's price under the resident's plan (integer cents, VAT included). When pricing failed,
    only `total_cents: null` and `reason` are present."""

    currency = serializers.CharField(required=False, help_text="EUR")
    total_cents = serializers.IntegerField(allow_null=True)
    charge_cents = serializers.IntegerField(required=False, help_text="What the resident pays.")
    covered_cents = serializers.IntegerField(required=False, help_text="What the plan covers.")
    vat_cents = serializers.IntegerField(required=False)
    plan = serializers.CharField(allow_null=True, required=False, help_text="Plan name.")
    plan_code = serializers.CharField(allow_null=True, required=False)
    priced = serializers.BooleanField(required=False, help_text="False: a leg had no tariff.")
    label = serializers.CharField(required=False, help_text="e.g. \"Covered by your Urban plan\" (fi/sv/en).")
    discount = PriceDiscountSerializer(allow_null=True, required=False,
                                       help_text="Null when no discount applied.")
    legs = LegPriceSerializer(many=True, required=False)
    reason = serializers.CharField(required=False, help_text="Why there is no price (pricing failed).")


class UsageCategorySerializer(serializers.Serializer):
    category = serializers.CharField(help_text="public_transport, city_bike, scooter, taxi, ...")
    rides = serializers.IntegerField()
    covered_rides = serializers.IntegerField()
    covered_minutes = serializers.IntegerField()
    charged_cents = serializers.IntegerField()
    rides_included = serializers.IntegerField(allow_null=True, help_text="null: unlimited")
    minutes_included = serializers.IntegerField(allow_null=True, help_text="null: unlimited")
    rides_left = serializers.IntegerField(allow_null=True, help_text="null: unlimited")
    minutes_left = serializers.IntegerField(allow_null=True, help_text="null: unlimited")


class UsageSerializer(serializers.Serializer):
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    plan = serializers.CharField(allow_null=True, help_text="Plan code, null without a plan.")
    charged_cents = serializers.IntegerField()
    categories = UsageCategorySerializer(many=True)


class SetupIntentSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="seti_…")
    client_secret = serializers.CharField(help_text="For Stripe.js confirmCardSetup.")
    status = serializers.CharField()


# What POST /billing/webhooks/stripe reads of an event before it trusts it (views._malformed_event_field):
# anything else is 400 invalid_event naming the field.
_EVENT_TEXT = {"type": "string", "minLength": 1, "maxLength": 100}
STRIPE_EVENT_SCHEMA = {
    "type": "object",
    "description": "A Stripe event, as Stripe sends it (only these fields are read before the type's handler).",
    "required": ["id", "type", "data"],
    "properties": {"id": _EVENT_TEXT, "type": _EVENT_TEXT,
                   "created": {"type": "integer", "minimum": 0, "maximum": 2 ** 62 - 1},
                   "data": {"type": "object", "required": ["object"], "properties": {"object": {"type": "object"}}}},
}


class WebhookAckSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    event = serializers.CharField()
    outcome = serializers.CharField()
