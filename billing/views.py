"""Billing API: plans, subscription, usage, invoices, payment methods, quotes, Stripe webhooks."""
import json
import uuid

import stripe
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response

from billing import discounts, selectors, services, test_cards, webhooks
from billing.api_shapes import (
    STRIPE_EVENT_SCHEMA,
    PriceSerializer,
    SetupIntentSerializer,
    UsageSerializer,
    WebhookAckSerializer,
)
from billing.serializers import (
    InvoiceSerializer,
    PaymentMethodSerializer,
    PlanChoiceSerializer,
    PlanSerializer,
    QuoteSerializer,
    SetupIntentChoiceSerializer,
    SubscriptionBodySerializer,
    SubscriptionSerializer,
)
from maas.api.errors import ApiError
from maas.api.schema import EnvelopeAPIView, ErrorEnvelopeSerializer, refusals


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _subscription_body(subscription):
    return {"subscription": SubscriptionSerializer(subscription).data if subscription else None}


class PlanListView(EnvelopeAPIView):
    """Plans on offer, with what each includes and its VAT."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=PlanSerializer(many=True))
    def get(self, request):
        context = {"discount": discounts.discount_for(request.user)}
        return Response(PlanSerializer(selectors.active_plans(), many=True, context=context).data)


class SubscriptionView(EnvelopeAPIView):
    """GET the current subscription; POST {"plan": code} to subscribe."""

    @extend_schema(responses=SubscriptionBodySerializer)
    def get(self, request):
        return Response(_subscription_body(selectors.latest_subscription(request.user)))

    @extend_schema(request=PlanChoiceSerializer, responses={201: SubscriptionBodySerializer, 400: refusals(
        "plan_is_payg: pay-as-you-go needs no subscription (cancel the plan instead).")})
    def post(self, request):
        data = _valid(PlanChoiceSerializer, request)
        subscription = services.subscribe(request.user, data["plan"],
                                          idempotency_key=request.headers.get("Idempotency-Key"))
        return Response(_subscription_body(subscription), status=status.HTTP_201_CREATED)


class SubscriptionChangeView(EnvelopeAPIView):
    """POST {"plan": code}: upgrade or downgrade with proration."""

    @extend_schema(request=PlanChoiceSerializer, responses=SubscriptionBodySerializer)
    def post(self, request):
        data = _valid(PlanChoiceSerializer, request)
        return Response(_subscription_body(services.change_plan(request.user, data["plan"])))


class SubscriptionCancelView(EnvelopeAPIView):
    """POST: cancel at the end of the current period."""

    @extend_schema(request=None, responses=SubscriptionBodySerializer)
    def post(self, request):
        return Response(_subscription_body(services.cancel_subscription(request.user)))


class SubscriptionResumeView(EnvelopeAPIView):
    """POST: undo a pending cancellation."""

    @extend_schema(request=None, responses=SubscriptionBodySerializer)
    def post(self, request):
        return Response(_subscription_body(services.resume_subscription(request.user)))


class UsageView(EnvelopeAPIView):
    """This period's usage against the plan."""

    @extend_schema(responses=UsageSerializer)
    def get(self, request):
        return Response(selectors.usage_summary(request.user))


class InvoiceListView(EnvelopeAPIView):
    """The resident's invoices (mirrored from Stripe)."""

    @extend_schema(responses=InvoiceSerializer(many=True))
    def get(self, request):
        invoices = list(selectors.invoices_of(request.user))
        context = {"vat_rates": selectors.vat_rates_of_invoices(invoices)}
        return Response(InvoiceSerializer(invoices, many=True, context=context).data)


class SetupIntentView(EnvelopeAPIView):
    """POST: a SetupIntent client secret for saving a card with Stripe.js."""

    @extend_schema(request=None, responses={201: SetupIntentSerializer})
    def post(self, request):
        key = request.headers.get("Idempotency-Key") or uuid.uuid4().hex
        return Response(services.create_setup_intent(request.user, idempotency_key=key),
                        status=status.HTTP_201_CREATED)


class PaymentMethodView(EnvelopeAPIView):
    """POST {"setup_intent": id}: make the confirmed card the default payment method
    (demo: {"test_card": "visa"} adds a Stripe test card)."""

    @extend_schema(request=SetupIntentChoiceSerializer, responses=PaymentMethodSerializer)
    def post(self, request):
        data = _valid(SetupIntentChoiceSerializer, request)
        if data.get("test_card"):
            account = test_cards.add_test_card(request.user, data["test_card"])
        else:
            account = services.save_payment_method(request.user, data["setup_intent"])
        return Response({"default_payment_method": account.default_payment_method})


class QuoteView(EnvelopeAPIView):
    """POST {"itinerary": {...}}: the price of an itinerary for this resident (read-only)."""

    @extend_schema(request=QuoteSerializer, responses={200: PriceSerializer, 400: refusals(
        "validation_error at end_time (of a leg): end_time is before start_time.")})
    def post(self, request):
        data = _valid(QuoteSerializer, request)
        return Response(selectors.price_itinerary(request.user, data["itinerary"]))


def _malformed_event_field(payload):
    """The first malformed part of a (signature-verified) event payload, or None."""
    try:
        doc = json.loads(payload)
    except ValueError:
        return "body"
    if not isinstance(doc, dict):
        return "body"
    for key in ("id", "type"):  # WebhookEvent stores both in 100 characters
        if not isinstance(doc.get(key), str) or not 0 < len(doc[key]) <= 100:
            return key
    created = doc.get("created", 0)
    if not isinstance(created, int) or isinstance(created, bool) or not 0 <= created < 2 ** 62:
        return "created"
    data = doc.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "data.object"
    return None


class StripeWebhookView(EnvelopeAPIView):
    """Stripe events: signature-verified, exactly once per event id; unknown types acknowledged."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request={"application/json": STRIPE_EVENT_SCHEMA},
        parameters=[OpenApiParameter("Stripe-Signature", str, OpenApiParameter.HEADER, required=True,
                                     description="Stripe's signature of the body with the endpoint's secret.")],
        responses={200: WebhookAckSerializer, 400: OpenApiResponse(
            ErrorEnvelopeSerializer,
            description="invalid_signature: the Stripe-Signature header does not sign this body with the "
                        "endpoint's secret (or is older than the tolerance, or in the future); invalid_event: "
                        "a signed body that is not a Stripe event (details.field names the part).")})
    def post(self, request):
        try:
            event = webhooks.verify(request.body, request.headers.get("Stripe-Signature"))
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise ApiError(_("Invalid webhook signature."), code="invalid_signature", status_code=400) from exc
        except (AttributeError, TypeError, KeyError) as exc:  # signature fine, payload not an event object
            raise ApiError(_("The webhook payload is not a Stripe event."), code="invalid_event",
                           details={"field": "body"}, status_code=400) from exc
        field = _malformed_event_field(request.body)
        if field is not None:
            raise ApiError(_("The webhook payload is not a Stripe event."), code="invalid_event",
                           details={"field": field}, status_code=400)
        try:
            outcome = webhooks.process_event(event)
        except webhooks.MalformedEvent as exc:
            raise ApiError(_("The webhook payload is not a Stripe event."), code="invalid_event",
                           details={"field": exc.field}, status_code=400) from exc
        return Response({"received": True, "event": event["id"], "outcome": outcome})
