from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "maas.accounts"
    label = "accounts"
    verbose_name = "Residents and households"
