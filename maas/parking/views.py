"""Resident parking API: areas, permit apply/status/cancel, P+R availability and reservations."""
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from maas.accounts.services import resident_for
from maas.api.errors import ApiError
from maas.api.schema import refusals
from maas.parking import selectors, services
from maas.parking.serializers import (
    AreaSerializer,
    FacilitySerializer,
    ParkAndRideOptionSerializer,
    ParkAndRideQuerySerializer,
    PermitApplySerializer,
    PermitSerializer,
    ReservationRequestSerializer,
    ReservationSerializer,
)

DATE_FIELDS = ("valid_from", "valid_until", "day")


def validated(serializer_class, data):
    """Validated input; a malformed date answers invalid_date, anything else validation_error (400)."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        for field in DATE_FIELDS:
            if any(getattr(e, "code", None) in ("invalid", "datetime") for e in serializer.errors.get(field, [])):
                raise ApiError(_("Give the date as YYYY-MM-DD."), code="invalid_date",
                               details={field: data.get(field)})
        if "radius_m" in serializer.errors:
            field = serializer.fields["radius_m"]
            raise ApiError(_("Give radius_m in whole metres from %(min)s to %(max)s.")
                           % {"min": field.min_value, "max": field.max_value}, code="invalid_radius",
                           details={"radius_m": data.get("radius_m"), "min": field.min_value,
                                    "max": field.max_value})
        raise ValidationError(serializer.errors)
    return serializer.validated_data


def reject_unknown_parameters(query_params, serializer_class):
    """400 unknown_parameter naming every query parameter the serializer does not know (e.g. radius for radius_m);
    400 validation_error for a known one sent empty (`?day=` is not "no day")."""
    known = set(serializer_class().fields) | {api_settings.URL_FORMAT_OVERRIDE}
    unknown = sorted(set(query_params) - known)
    if unknown:
        raise ApiError(_("Unknown query parameter(s): %(names)s.") % {"names": ", ".join(unknown)},
                       code="unknown_parameter", details={"unknown": unknown, "allowed": sorted(known - {None})})
    blank = sorted(name for name, values in query_params.lists() if any(v == "" for v in values))
    if blank:
        raise ValidationError({name: [_("This field may not be blank.")] for name in blank})


def own_permit(request, pk):
    """The caller's permit, or 404 permit_not_found (also for other residents' permits)."""
    permit = selectors.permit_of(request.user, pk)
    if permit is None:
        raise ApiError(_("No such permit."), code="permit_not_found", status_code=404, details={"id": pk})
    return permit


def own_reservation(request, pk):
    """The caller's reservation, or 404 reservation_not_found (also for other residents' reservations)."""
    row = selectors.reservation_of(request.user, pk)
    if row is None:
        raise ApiError(_("No such reservation."), code="reservation_not_found", status_code=404, details={"id": pk})
    return row


class AreaListView(APIView):
    @extend_schema(responses=AreaSerializer(many=True))
    def get(self, request):
        return Response(selectors.areas_usage())


class FacilityListView(APIView):
    @extend_schema(responses=FacilitySerializer(many=True))
    def get(self, request):
        return Response(FacilitySerializer(selectors.facilities(), many=True).data)


class PermitListView(APIView):
    @extend_schema(responses=PermitSerializer(many=True))
    def get(self, request):
        return Response(PermitSerializer(selectors.permits_of(request.user), many=True).data)

    @extend_schema(request=PermitApplySerializer, responses={201: PermitSerializer, 400: refusals(
        "invalid_period: the permit starts in the past or ends before it starts; day_too_far: it starts too far "
        "ahead (details.latest); invalid_plate: not a registration plate.")})
    def post(self, request):
        data = validated(PermitApplySerializer, request.data)
        permit = services.apply_for_permit(resident_for(request.user), **data)
        return Response(PermitSerializer(permit).data, status=status.HTTP_201_CREATED)


class PermitDetailView(APIView):
    @extend_schema(responses=PermitSerializer)
    def get(self, request, pk):
        return Response(PermitSerializer(own_permit(request, pk)).data)


class PermitCancelView(APIView):
    @extend_schema(request=None, responses=PermitSerializer)
    def post(self, request, pk):
        permit = services.cancel_permit(own_permit(request, pk))
        return Response(PermitSerializer(permit).data)


class ParkAndRideView(APIView):
    @extend_schema(parameters=[ParkAndRideQuerySerializer], responses=ParkAndRideOptionSerializer(many=True))
    def get(self, request):
        reject_unknown_parameters(request.query_params, ParkAndRideQuerySerializer)
        q = validated(ParkAndRideQuerySerializer, request.query_params)
        return Response(selectors.park_and_ride_options(
            q["lat"], q["lon"], q["radius_m"], q.get("day") or timezone.localdate()))


class ReservationListView(APIView):
    @extend_schema(responses=ReservationSerializer(many=True))
    def get(self, request):
        return Response(ReservationSerializer(selectors.reservations_of(request.user), many=True).data)

    @extend_schema(request=ReservationRequestSerializer, responses={201: ReservationSerializer, 400: refusals(
        "invalid_day: the day is in the past; day_too_far: too far ahead (details.latest); invalid_plate: not a "
        "registration plate.")})
    def post(self, request):
        v = validated(ReservationRequestSerializer, request.data)
        reservation = services.reserve_park_and_ride(resident_for(request.user), v["facility_id"],
                                                     day=v["day"], plate=v["plate"])
        return Response(ReservationSerializer(reservation).data, status=status.HTTP_201_CREATED)


class ReservationCancelView(APIView):
    @extend_schema(request=None, responses=ReservationSerializer)
    def post(self, request, pk):
        row = own_reservation(request, pk)
        return Response(ReservationSerializer(services.cancel_reservation(row)).data)
