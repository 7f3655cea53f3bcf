"""Planner API routes (included at /api/v1/)."""
from django.urls import path

from planner import views

urlpatterns = [
    path("plans", views.PlanView.as_view(), name="plans"),
    path("accessibility", views.AccessibilityView.as_view(), name="accessibility"),
]
