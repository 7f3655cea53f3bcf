"""Booking endpoints: create (Idempotency-Key), list, retrieve, and lifecycle actions."""
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from maas.api.errors import ApiError, error_body
from maas.api.schema import refusals
from maas.bookings import config, idempotency, selectors, services
from maas.bookings.serializers import (
    ActionSerializer,
    BookingCreateSerializer,
    BookingDetailSerializer,
    BookingSerializer,
)
from maas.bookings.states import BookingState
from maas.bookings.states import BookingState as S

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH,
                        "pattern": idempotency.KEY_PATTERN}, OpenApiParameter.HEADER, required=True,
    description="Unique per booking attempt (printable ASCII, e.g. a UUID); repeating it replays the first "
                "answer.",
)


STATE_FILTER = OpenApiParameter("state", str, OpenApiParameter.QUERY, required=False, enum=BookingState.values)


class BookingListCreateView(generics.ListAPIView):
    serializer_class = BookingSerializer

    def get_queryset(self):
        state = self.request.query_params.get("state")
        if state is not None and state not in BookingState.values:  # "?state=" too: not a state
            raise ApiError(_("Unknown booking state."), code="invalid_state", details={"state": state})
        return selectors.bookings_visible_to(self.request.user, state=state)

    @extend_schema(parameters=[STATE_FILTER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=BookingCreateSerializer, parameters=[IDEMPOTENCY_HEADER],
                   responses={201: BookingSerializer, 202: BookingSerializer, 400: refusals(
                       "mode_mismatch: the leg's mode is not what its vehicle (or station) is.")})
    def post(self, request):
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        leg = serializer.validated_data["leg"]
        key = idempotency.check_key(request.headers.get("Idempotency-Key"))
        provider = services.bookable_provider(leg)

        def book(record):
            return _create_answer(request.user, leg, provider, record)

        status, body = idempotency.run_once(
            request.user, key, idempotency.request_hash({"leg": leg}), book,
            on_error=_answer_for_existing_booking, stale_after=config.idempotency_stale_seconds())
        return Response(body, status=status)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, idempotency.IdempotencyInProgress):
            response["Retry-After"] = str(exc.retry_after)
        return response


def _link(record, booking):
    record.booking = booking
    record.save(update_fields=["booking"])


def _create_answer(user, leg, provider, record):
    """(status, body, booking) of one booking attempt: what the Idempotency-Key answers from now on."""
    try:
        booking = services.create_booking(user, leg, provider, on_created=lambda booking: _link(record, booking))
    except services.BookingRefused as exc:
        return exc.status_code, error_body(exc.error_code, exc.detail, exc.details), exc.booking
    confirmed = booking.state in (S.CONFIRMED, S.CONDITIONAL_CONFIRMED)
    return (201 if confirmed else 202), BookingSerializer(booking).data, booking


def _answer_for_existing_booking(record):
    """After an unexpected failure: keep answering with the booking if one was made (never book twice)."""
    booking = selectors.booking_by_id(record.booking_id)
    return None if booking is None else (202, BookingSerializer(booking).data, booking)


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
        user, reason = request.user, serializer.validated_data.get("reason", "")
        actions = {
            "confirm": lambda: services.confirm_booking(user, pk),
            "decline": lambda: services.decline_booking(user, pk),
            "start": lambda: services.start_booking(user, pk),
            "finish": lambda: services.finish_booking(user, pk),
            "cancel": lambda: services.cancel_booking(user, pk, reason),
        }
        actions[self.action_name]()
        return Response(BookingDetailSerializer(selectors.booking_for(request.user, pk)).data)
