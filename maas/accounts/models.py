"""Residents and the households they live in."""
from django.conf import settings
from django.db import models


class Household(models.Model):
    """A dwelling in Kalasatama; the unit parking caps are counted in."""

    address = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=10, default="00540")
    block = models.CharField(max_length=50, blank=True, help_text="City block / area code")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]

    def __str__(self):
        return self.address


class Resident(models.Model):
    """A user of the mobility app, optionally linked to a household."""

    LANGUAGES = [("fi", "suomi"), ("sv", "svenska"), ("en", "English")]

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="residents"
    )
    language = models.CharField(max_length=2, choices=LANGUAGES, default="fi")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.user.get_username()
