"""Resident parking API: areas, permit apply/status/cancel, P+R availability and reservations."""
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from maas.accounts.services import resident_for
from maas.parking import selectors, services
from maas.parking.models import Facility, ParkAndRideReservation, ParkingArea, Permit
from maas.parking.serializers import (
    AreaSerializer, FacilitySerializer, ParkAndRideOptionSerializer, ParkAndRideQuerySerializer,
    PermitApplySerializer, PermitSerializer, ReservationRequestSerializer, ReservationSerializer,
)


class AreaListView(APIView):
    @extend_schema(responses=AreaSerializer(many=True))
    def get(self, request):
        return Response([selectors.area_usage(a) for a in ParkingArea.objects.all()])


class FacilityListView(APIView):
    @extend_schema(responses=FacilitySerializer(many=True))
    def get(self, request):
        return Response(FacilitySerializer(Facility.objects.prefetch_related("capacities"), many=True).data)


class PermitListView(APIView):
    @extend_schema(responses=PermitSerializer(many=True))
    def get(self, request):
        permits = Permit.objects.filter(resident=resident_for(request.user)).select_related("area")
        return Response(PermitSerializer(permits.order_by("-requested_at", "-id"), many=True).data)

    @extend_schema(request=PermitApplySerializer, responses={201: PermitSerializer})
    def post(self, request):
        data = PermitApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        permit = services.apply_for_permit(resident_for(request.user), **data.validated_data)
        return Response(PermitSerializer(permit).data, status=status.HTTP_201_CREATED)


class PermitDetailView(APIView):
    @extend_schema(responses=PermitSerializer)
    def get(self, request, pk):
        return Response(PermitSerializer(get_object_or_404(Permit, pk=pk, resident__user=request.user)).data)


class PermitCancelView(APIView):
    @extend_schema(request=None, responses=PermitSerializer)
    def post(self, request, pk):
        permit = services.cancel_permit(get_object_or_404(Permit, pk=pk, resident__user=request.user))
        return Response(PermitSerializer(permit).data)


class ParkAndRideView(APIView):
    @extend_schema(parameters=[ParkAndRideQuerySerializer], responses=ParkAndRideOptionSerializer(many=True))
    def get(self, request):
        query = ParkAndRideQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        return Response(selectors.park_and_ride_options(
            q["lat"], q["lon"], q["radius_m"], q.get("day") or timezone.localdate()))


class ReservationListView(APIView):
    @extend_schema(responses=ReservationSerializer(many=True))
    def get(self, request):
        rows = ParkAndRideReservation.objects.filter(resident__user=request.user).select_related("facility")
        return Response(ReservationSerializer(rows, many=True).data)

    @extend_schema(request=ReservationRequestSerializer, responses={201: ReservationSerializer})
    def post(self, request):
        data = ReservationRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        reservation = services.reserve_park_and_ride(resident_for(request.user), v["facility_id"],
                                                     day=v["day"], plate=v["plate"])
        return Response(ReservationSerializer(reservation).data, status=status.HTTP_201_CREATED)


class ReservationCancelView(APIView):
    @extend_schema(request=None, responses=ReservationSerializer)
    def post(self, request, pk):
        row = get_object_or_404(ParkAndRideReservation, pk=pk, resident__user=request.user)
        return Response(ReservationSerializer(services.cancel_reservation(row)).data)
