"""Real-time API routes (included at /api/v1/)."""
from django.urls import path

from planner.realtime import views

urlpatterns = [
    path("alerts", views.AlertListView.as_view(), name="alerts"),
    path("transit/vehicles", views.TransitVehicleListView.as_view(), name="transit-vehicles"),
]
