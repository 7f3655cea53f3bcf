"""maas.urls plus the Django-level error handlers maas.api.errors provides (handler400).

Used with override_settings(ROOT_URLCONF=...) to test those handlers until maas/urls.py wires them.
"""
from maas.urls import handler404, handler500, urlpatterns  # noqa: F401

handler400 = "maas.api.errors.handler400"
