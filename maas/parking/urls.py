from django.urls import path

from maas.parking import views

urlpatterns = [
    path("parking/areas", views.AreaListView.as_view(), name="parking-areas"),
    path("parking/facilities", views.FacilityListView.as_view(), name="parking-facilities"),
    path("parking/permits", views.PermitListView.as_view(), name="parking-permits"),
    path("parking/permits/<int:pk>", views.PermitDetailView.as_view(), name="parking-permit"),
    path("parking/permits/<int:pk>/cancel", views.PermitCancelView.as_view(), name="parking-permit-cancel"),
    path("parking/park-and-ride", views.ParkAndRideView.as_view(), name="parking-park-and-ride"),
    path("parking/park-and-ride/reservations", views.ReservationListView.as_view(),
         name="parking-reservations"),
    path("parking/park-and-ride/reservations/<int:pk>/cancel", views.ReservationCancelView.as_view(),
         name="parking-reservation-cancel"),
]
