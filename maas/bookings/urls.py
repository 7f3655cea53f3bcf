from django.urls import path

from maas.bookings.views import BookingActionView, BookingDetailView, BookingListCreateView

urlpatterns = [
    path("bookings", BookingListCreateView.as_view(), name="bookings"),
    path("bookings/<int:pk>", BookingDetailView.as_view(), name="booking-detail"),
    *[
        path(f"bookings/<int:pk>/{action}", BookingActionView.as_view(action_name=action), name=f"booking-{action}")
        for action in ("confirm", "decline", "start", "finish", "cancel")
    ],
]
