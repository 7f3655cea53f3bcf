"""Plans, entitlements, pay-as-you-go tariffs, the usage ledger, and Stripe mirrors.

All money is integer euro cents, VAT included; VAT rates are integer basis points
(2550 = 25.5 %).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import get_language

MODE_CATEGORIES = [
    ("public_transport", "Public transport (HSL)"),
    ("city_bike", "City bike"),
    ("scooter", "E-scooter"),
    ("taxi", "Taxi"),
]


class Plan(models.Model):
    """A Whim-style mobility plan; pay-as-you-go is a plan with price 0 and no entitlements."""

    INTERVALS = [("month", "Monthly"), ("none", "No recurring fee")]

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, help_text="English name")
    description = models.TextField(blank=True, help_text="English description")
    names = models.JSONField(default=dict, blank=True, help_text='Translations: {"fi": ..., "sv": ...}')
    descriptions = models.JSONField(default=dict, blank=True, help_text='Translations: {"fi": ..., "sv": ...}')
    price_cents = models.PositiveIntegerField(default=0, help_text="Per period, VAT included")
    vat_rate_bp = models.PositiveIntegerField(default=2550, help_text="VAT rate in basis points (2550 = 25.5 %)")
    interval = models.CharField(max_length=10, choices=INTERVALS, default="month")
    is_payg = models.BooleanField(default=False, help_text="Pay-as-you-go: no subscription, every leg charged")
    active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)
    stripe_plan_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["sort_order", "price_cents"]

    def __str__(self):
        return self.name

    def name_in(self, language=None):
        """The name in `language` (default: the active one), English when not translated."""
        return (self.names or {}).get((language or get_language() or "en")[:2]) or self.name

    def description_in(self, language=None):
        return (self.descriptions or {}).get((language or get_language() or "en")[:2]) or self.description


class Entitlement(models.Model):
    """What a plan includes for one mode category per period.

    `rides_per_period` / `minutes_per_period` None = unlimited. A ride longer than
    `max_ride_minutes` is covered up to that limit; the overtime is charged pay-as-you-go.
    `discount_percent` applies to the pay-as-you-go price when the ride is not covered.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="entitlements")
    category = models.CharField(max_length=20, choices=MODE_CATEGORIES)
    zones = models.JSONField(default=list, blank=True, help_text='HSL zones covered, e.g. ["A", "B"]')
    rides_per_period = models.PositiveIntegerField(null=True, blank=True)
    minutes_per_period = models.PositiveIntegerField(null=True, blank=True)
    max_ride_minutes = models.PositiveIntegerField(null=True, blank=True)
    discount_percent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "category"], name="billing_one_entitlement_per_mode")]

    def __str__(self):
        return f"{self.plan.code}: {self.category}"


class Tariff(models.Model):
    """A pay-as-you-go price for one mode category (and, for transit, a zone set).

    price = start_cents + per_minute_cents * billable minutes + per_km_cents * km, where the
    first `included_minutes` are free; `overtime_cents` is charged per started
    `overtime_block_minutes` beyond `included_minutes` (HSL city-bike style).
    """

    code = models.SlugField(max_length=40, unique=True)
    category = models.CharField(max_length=20, choices=MODE_CATEGORIES)
    name = models.CharField(max_length=80)
    zones = models.JSONField(default=list, blank=True)
    start_cents = models.PositiveIntegerField(default=0)
    per_minute_cents = models.PositiveIntegerField(default=0)
    per_km_cents = models.PositiveIntegerField(default=0)
    included_minutes = models.PositiveIntegerField(default=0)
    overtime_cents = models.PositiveIntegerField(default=0)
    overtime_block_minutes = models.PositiveIntegerField(default=30)
    validity_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="Transfers allowed within")
    vat_rate_bp = models.PositiveIntegerField(default=2550)
    source = models.TextField(blank=True, help_text="Where the price comes from, or 'illustrative'")

    class Meta:
        ordering = ["category", "start_cents"]

    def __str__(self):
        return self.name


class BillingAccount(models.Model):
    """A resident's Stripe customer and default payment method."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_account")
    stripe_customer_id = models.CharField(max_length=100, unique=True)
    default_payment_method = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.stripe_customer_id


class Subscription(models.Model):
    """Local mirror of a Stripe subscription; `state_version` orders updates (event `created`)."""

    LIVE_STATUSES = ("active", "trialing", "past_due")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    stripe_subscription_id = models.CharField(max_length=100, unique=True)
    stripe_item_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=30)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    cancel_at_period_end = models.BooleanField(default=False)
    state_version = models.BigIntegerField(default=0, help_text="Unix time of the newest state applied")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} {self.plan.code} ({self.status})"


class UsageRecord(models.Model):
    """Entitlement ledger: one used leg, what the plan covered and what was charged."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="usage_records")
    subscription = models.ForeignKey(Subscription, null=True, blank=True, on_delete=models.SET_NULL)
    leg_ref = models.CharField(max_length=200)
    mode = models.CharField(max_length=20)
    category = models.CharField(max_length=20, choices=MODE_CATEGORIES)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    rides = models.PositiveIntegerField(default=1)
    minutes = models.PositiveIntegerField(default=0)
    covered_rides = models.PositiveIntegerField(default=0)
    covered_minutes = models.PositiveIntegerField(default=0)
    price_cents = models.PositiveIntegerField(default=0)
    charge_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "leg_ref"], name="billing_usage_once_per_leg")]
        indexes = [models.Index(fields=["user", "period_start", "category"])]


class Payment(models.Model):
    """A one-off Stripe PaymentIntent (manual capture) for a pay-as-you-go leg or booking."""

    STATUSES = [
        ("requires_capture", "Authorized"), ("succeeded", "Captured"), ("canceled", "Canceled"),
        ("failed", "Failed"), ("processing", "Processing"),
    ]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payments")
    idempotency_key = models.CharField(max_length=200, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=200, blank=True)
    amount_cents = models.PositiveIntegerField(help_text="Authorized")
    captured_cents = models.PositiveIntegerField(default=0)
    refunded_cents = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=30, choices=STATUSES)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.stripe_payment_intent_id} {self.amount_cents}c {self.status}"


class Invoice(models.Model):
    """Local mirror of a Stripe invoice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invoices")
    stripe_invoice_id = models.CharField(max_length=100, unique=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=30)
    currency = models.CharField(max_length=3, default="eur")
    total_cents = models.IntegerField(default=0)
    amount_paid_cents = models.IntegerField(default=0)
    tax_cents = models.IntegerField(default=0)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    lines = models.JSONField(default=list, blank=True)
    stripe_created = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-stripe_created", "-id"]


class WebhookEvent(models.Model):
    """A processed Stripe event; the unique id makes processing exactly-once."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    created = models.BigIntegerField(help_text="Stripe event `created` (unix time)")
    applied = models.BooleanField(default=True, help_text="False when ignored as stale or unknown")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
