from django.contrib import admin

from maas.accounts.models import Household, Resident


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["address", "postal_code", "block"]
    search_fields = ["address", "block"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["user", "household", "language"]
    search_fields = ["user__username"]
