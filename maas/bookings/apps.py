from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "maas.bookings"
    label = "bookings"
