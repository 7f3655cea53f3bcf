"""Booking endpoints: create (Idempotency-Key), list, retrieve, and lifecycle actions."""
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from maas.api.errors import ApiError
from maas.bookings import idempotency, selectors, services
from maas.bookings.serializers import (
    ActionSerializer,
    BookingCreateSerializer,
    BookingDetailSerializer,
    BookingSerializer,
)
from maas.bookings.states import BookingState

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True,
    description="Unique per booking attempt; repeating it replays the first answer.",
)


STATE_FILTER = OpenApiParameter("state", str, OpenApiParameter.QUERY, required=False, enum=BookingState.values)


class BookingListCreateView(generics.ListAPIView):
    serializer_class = BookingSerializer

    def get_queryset(self):
        state = self.request.query_params.get("state")
        if state and state not in BookingState.values:
            raise ApiError(_("Unknown booking state."), code="invalid_state", details={"state": state})
        return selectors.bookings_visible_to(self.request.user, state=state)

    @extend_schema(parameters=[STATE_FILTER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=BookingCreateSerializer, parameters=[IDEMPOTENCY_HEADER],
                   responses={201: BookingSerializer, 202: BookingSerializer})
    def post(self, request):
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        status, body = services.create_booking(
            request.user, serializer.validated_data["leg"], request.headers.get("Idempotency-Key"))
        return Response(body, status=status)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, idempotency.IdempotencyInProgress):
            response["Retry-After"] = str(exc.retry_after)
        return response


class BookingDetailView(APIView):
    @extend_schema(responses=BookingDetailSerializer)
    def get(self, request, pk):
        return Response(BookingDetailSerializer(selectors.booking_for(request.user, pk)).data)


class BookingActionView(APIView):
    """POST /bookings/<id>/<action>: confirm, decline, start, finish, cancel."""

    action_name = None

    @extend_schema(request=ActionSerializer, responses=BookingDetailSerializer)
    def post(self, request, pk):
        serializer = ActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if self.action_name == "cancel":
            services.cancel_booking(request.user, pk, serializer.validated_data.get("reason", ""))
        else:
            getattr(services, f"{self.action_name}_booking")(request.user, pk)
        return Response(BookingDetailSerializer(selectors.booking_for(request.user, pk)).data)
