from django.urls import path

from providers.views import AvailabilityPushView, StationListView, VehicleListView

urlpatterns = [
    path("providers/<int:provider_id>/availability", AvailabilityPushView.as_view(), name="provider-availability"),
    path("vehicles", VehicleListView.as_view(), name="vehicles"),
    path("stations", StationListView.as_view(), name="stations"),
]
