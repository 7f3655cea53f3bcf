"""Billing API under /api/v1/billing/."""
from django.urls import path

from billing import views

urlpatterns = [
    path("plans", views.PlanListView.as_view(), name="billing-plans"),
    path("subscription", views.SubscriptionView.as_view(), name="billing-subscription"),
    path("subscription/change", views.SubscriptionChangeView.as_view(), name="billing-subscription-change"),
    path("subscription/cancel", views.SubscriptionCancelView.as_view(), name="billing-subscription-cancel"),
    path("subscription/resume", views.SubscriptionResumeView.as_view(), name="billing-subscription-resume"),
    path("usage", views.UsageView.as_view(), name="billing-usage"),
    path("invoices", views.InvoiceListView.as_view(), name="billing-invoices"),
    path("payment-methods/setup-intent", views.SetupIntentView.as_view(), name="billing-setup-intent"),
    path("payment-methods", views.PaymentMethodView.as_view(), name="billing-payment-methods"),
    path("quote", views.QuoteView.as_view(), name="billing-quote"),
    path("webhooks/stripe", views.StripeWebhookView.as_view(), name="billing-stripe-webhook"),
]
