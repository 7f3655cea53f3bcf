"""Admin: plans, entitlements and tariffs are edited here; Stripe mirrors are read-only views."""
from django.contrib import admin

from billing.models import (
    BillingAccount,
    Entitlement,
    Invoice,
    Payment,
    Plan,
    Subscription,
    Tariff,
    UsageRecord,
    WebhookEvent,
)
from maas.accounts.staff_access import LogsStaffAccess


class EntitlementInline(admin.TabularInline):
    model = Entitlement
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "price_cents", "vat_rate_bp", "interval", "is_payg", "active")
    inlines = [EntitlementInline]
    readonly_fields = ("stripe_plan_id",)


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ("code", "category", "name", "zones", "start_cents", "per_minute_cents", "per_km_cents",
                    "vat_rate_bp")
    list_filter = ("category",)


@admin.register(Subscription)
class SubscriptionAdmin(LogsStaffAccess, admin.ModelAdmin):
    list_display = ("user", "plan", "status", "current_period_end", "cancel_at_period_end")
    list_filter = ("status", "plan")
    readonly_fields = [f.name for f in Subscription._meta.fields]


@admin.register(UsageRecord)
class UsageRecordAdmin(LogsStaffAccess, admin.ModelAdmin):
    list_display = ("user", "leg_ref", "category", "covered_rides", "covered_minutes", "charge_cents", "created_at")
    list_filter = ("category",)


@admin.register(Payment)
class PaymentAdmin(LogsStaffAccess, admin.ModelAdmin):
    list_display = ("stripe_payment_intent_id", "user", "amount_cents", "captured_cents", "refunded_cents", "status")
    readonly_fields = [f.name for f in Payment._meta.fields]


@admin.register(Invoice)
class InvoiceAdmin(LogsStaffAccess, admin.ModelAdmin):
    list_display = ("stripe_invoice_id", "user", "status", "total_cents", "tax_cents", "stripe_created")
    readonly_fields = [f.name for f in Invoice._meta.fields]


admin.site.register(BillingAccount)
admin.site.register(WebhookEvent, list_display=("event_id", "type", "created", "applied", "received_at"))
