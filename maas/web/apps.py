from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "maas.web"
    label = "web"
    verbose_name = "Resident web page"
