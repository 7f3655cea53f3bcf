"""Residents, the households they live in, and what the resident controls: consents, discounts, logs."""
from django.conf import settings
from django.db import models

LANGUAGES = [("fi", "suomi"), ("sv", "svenska"), ("en", "English")]


class Household(models.Model):
    """A dwelling (apartment) in Kalasatama; the unit parking caps are counted in."""

    address = models.CharField(max_length=200)
    apartment = models.CharField(max_length=20, blank=True, help_text="Staircase and apartment, e.g. A 12")
    postal_code = models.CharField(max_length=10, default="00540")
    block = models.CharField(max_length=50, blank=True, help_text="City block / area code")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address", "apartment"]

    def __str__(self):
        return f"{self.address} {self.apartment}".strip()


class Resident(models.Model):
    """A user of the mobility app: profile, travel preferences, optionally a household."""

    LANGUAGES = LANGUAGES
    WALKING_SPEEDS = [("slow", "slow"), ("normal", "normal"), ("fast", "fast")]

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="residents"
    )
    language = models.CharField(max_length=2, choices=LANGUAGES, default="fi")
    phone = models.CharField(max_length=30, blank=True)
    # Travel preferences: defaults of a trip plan when the request leaves them out.
    wheelchair = models.BooleanField(default=False)
    walking_speed = models.CharField(max_length=6, choices=WALKING_SPEEDS, default="normal")
    max_walk_m = models.PositiveIntegerField(null=True, blank=True)
    preferred_modes = models.JSONField(default=list, blank=True)
    location_consent = models.BooleanField(
        default=False, help_text="Location data in booking logs and plan history may be kept (for the retention)")
    erased_at = models.DateTimeField(null=True, blank=True, help_text="Set when the account was erased (GDPR 17)")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.user.get_username()


class JoinCode(models.Model):
    """A one-time code that lets one resident join a household (from the housing company or an invite)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="join_codes")
    code = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.household}: {'used' if self.used_at else 'open'}"


class HouseholdChange(models.Model):
    """A resident joining or leaving a household (shown to admins)."""

    JOINED, LEFT = "joined", "left"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="changes")
    resident = models.ForeignKey(Resident, null=True, on_delete=models.SET_NULL, related_name="household_changes")
    action = models.CharField(max_length=10, choices=[(JOINED, "joined"), (LEFT, "left")])
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]


class ConsentEvent(models.Model):
    """A change of a resident's consent (GDPR: consent changes are logged)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="consent_events")
    consent = models.CharField(max_length=30, default="location")
    granted = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class StaffAccess(models.Model):
    """Staff looked at a resident's personal data in the admin: who, when, what."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    staff_label = models.CharField(max_length=150)
    resident = models.ForeignKey(Resident, null=True, on_delete=models.CASCADE, related_name="staff_accesses")
    what = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "staff accesses"


class DiscountGroup(models.Model):
    """A subsidized-fare group (HSL's discount categories): child, student, senior, low income."""

    code = models.SlugField(max_length=20, unique=True)
    names = models.JSONField(default=dict, help_text='{"fi": ..., "sv": ..., "en": ...}')
    percent = models.PositiveSmallIntegerField(help_text="Off pay-as-you-go legs and plan fees")

    def __str__(self):
        return self.names.get("en") or self.code


class DiscountGrant(models.Model):
    """Staff granted a resident a discount group for a period, on the proof noted."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="discount_grants")
    group = models.ForeignKey(DiscountGroup, on_delete=models.PROTECT, related_name="grants")
    valid_from = models.DateField()
    valid_until = models.DateField(help_text="Last day the discount applies")
    proof_note = models.CharField(max_length=200, help_text="What proof was seen, e.g. student card 2026-27")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_until", "-id"]

    def __str__(self):
        return f"{self.group.code} {self.valid_from}..{self.valid_until}"
