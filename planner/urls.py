"""Planner API routes (included at /api/v1/)."""
from django.urls import path

from planner import views
from planner.timetable import views as timetable_views

urlpatterns = [
    path("plans", views.PlanView.as_view(), name="plans"),
    path("accessibility", views.AccessibilityView.as_view(), name="accessibility"),
    path("stops", timetable_views.StopsView.as_view(), name="stops"),
    path("stops/<path:stop_id>/departures", timetable_views.DeparturesView.as_view(), name="stop-departures"),
]
