from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "maas.parking"
    label = "parking"
