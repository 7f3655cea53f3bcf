"""Root URLs: admin, probes, and the versioned API under /api/v1/."""
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import permissions
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response
from rest_framework.reverse import reverse

from maas.api.errors import api_not_found
from maas.api.health import healthz, readyz
from maas.web import urls as web_urls

handler400 = "maas.api.errors.handler400"
handler404 = "maas.api.errors.handler404"
handler500 = "maas.api.errors.handler500"


@extend_schema(responses={200: {"type": "object", "properties": {
    name: {"type": "string", "format": "uri"} for name in ("schema", "docs", "signup", "token", "me")},
    "required": ["schema", "docs", "signup", "token", "me"]}})
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def api_root(request):
    """Entry point listing the main resources."""
    links = {name: reverse(name, request=request) for name in ("schema", "docs", "signup", "token", "me")}
    return Response(links)


api_v1 = [
    path("", api_root, name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("maas.accounts.urls")),
    path("", include("planner.urls")),
    path("", include("planner.realtime.urls")),
    path("", include("providers.urls")),
    path("billing/", include("billing.urls")),
    path("", include("maas.bookings.urls")),
    path("", include("maas.parking.urls")),
    path("", include(web_urls.api_urlpatterns)),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the resident page's language switch
    path("", include(web_urls.urlpatterns)),
    # Any other /api/ path: the JSON error envelope, also in DEBUG (where Django would show its HTML 404 page).
    re_path(r"^api/", api_not_found),
]
