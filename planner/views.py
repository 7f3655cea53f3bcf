"""Planner API: trip plans and 15-minute-city accessibility (thin views over planner.plan)."""
from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from maas.accounts import selectors as accounts
from maas.accounts.language import request_language
from planner.api_shapes import (
    ACCESSIBILITY_ANSWER,
    ACCESSIBILITY_EXAMPLES,
    PLAN_ERRORS,
    PLAN_EXAMPLES,
    PlanResponseSerializer,
)
from planner.plan.accessibility import accessibility
from planner.plan.pipeline import plan_trip
from planner.realtime.selectors import realtime_available
from planner.serializers import AccessibilityRequestSerializer, PlanRequestSerializer, validated


class PlanView(APIView):
    """POST /api/v1/plans: itineraries from A to B for the signed-in resident."""

    @extend_schema(request=PlanRequestSerializer, responses={200: PlanResponseSerializer, **PLAN_ERRORS},
                   examples=PLAN_EXAMPLES)
    def post(self, request):
        params = validated(PlanRequestSerializer, request.data)
        for key, value in accounts.plan_defaults(request.user).items():  # the profile's travel preferences
            if key not in request.data:
                params[key] = value
        params["language"] = request_language(request, params.get("language"))
        with translation.override(params["language"]):
            return Response({**plan_trip(request.user, params), "realtime": realtime_available()})


class AccessibilityView(APIView):
    """POST /api/v1/accessibility: destinations reachable from an origin within N minutes."""

    @extend_schema(request=AccessibilityRequestSerializer,
                   responses={200: ACCESSIBILITY_ANSWER, **PLAN_ERRORS}, examples=ACCESSIBILITY_EXAMPLES,
                   description="`format: geojson` answers the `geojson` FeatureCollection alone.")
    def post(self, request):
        params = validated(AccessibilityRequestSerializer, request.data)
        result = accessibility(request.user, params)
        if params.get("format") == "geojson":
            return Response(result["geojson"])
        return Response(result)
