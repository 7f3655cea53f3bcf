"""The resident web page at / and the map data it draws (the street network from the project's OSM data)."""
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers

from maas.api.errors import ServiceUnavailable
from maas.api.schema import EnvelopeAPIView
from maas.web.street_map import street_network_json
from maas.web.ui_strings import LANGUAGES, strings_for


def index(request):
    """Plan, book and see bookings/permits on a map (Django template + plain JavaScript, Leaflet vendored)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)  # the page's language switch (set_language)
    language = chosen if chosen in dict(LANGUAGES) else (translation.get_language() or "fi")[:2]
    language = language if language in dict(LANGUAGES) else "fi"
    return render(request, "web/index.html", {"ui": strings_for(language), "language": language,
                                              "languages": LANGUAGES})


class StreetFeatureCollectionSerializer(serializers.Serializer):
    """GeoJSON FeatureCollection of LineString features, properties {"class": "major"|"minor"}."""

    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = serializers.ListField(child=serializers.DictField())


class StreetMapView(EnvelopeAPIView):
    """GET /map/streets: the active OSM network's roads, the base layer of the resident page's map."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=StreetFeatureCollectionSerializer)
    def get(self, request):
        body = street_network_json()
        if body is None:
            raise ServiceUnavailable(_("No street network is loaded."), code="no_street_network")
        response = HttpResponse(body, content_type="application/json")
        response["Cache-Control"] = "max-age=3600"
        return response
