"""Parking facilities (HSL Liipi), capped areas, permits, waitlists and park-and-ride reservations."""
import math
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CAPACITY_TYPES = [
    ("CAR", "Car"),
    ("ELECTRIC_CAR", "Electric car"),
    ("DISABLED", "Disabled"),
    ("MOTORCYCLE", "Motorcycle"),
    ("BICYCLE", "Bicycle"),
    ("BICYCLE_SECURE_SPACE", "Bicycle (secure space)"),
]


class Facility(models.Model):
    """A parking facility; imported from HSL Liipi or created by an admin."""

    STATUSES = [
        ("IN_OPERATION", "In operation"),
        ("EXCEPTIONAL_SITUATION", "Exceptional situation"),
        ("TEMPORARILY_CLOSED", "Temporarily closed"),
        ("INACTIVE", "Inactive"),
    ]

    liipi_id = models.IntegerField(null=True, blank=True, unique=True, help_text="HSL Liipi facility id")
    name = models.CharField(max_length=200)
    name_fi = models.CharField(max_length=200, blank=True)
    name_sv = models.CharField(max_length=200, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    polygon = models.JSONField(null=True, blank=True, help_text="GeoJSON Polygon (EPSG:4326)")
    status = models.CharField(max_length=30, choices=STATUSES, default="IN_OPERATION")
    usages = models.JSONField(default=list, blank=True, help_text='e.g. ["PARK_AND_RIDE"]')
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"

    def __str__(self):
        return self.name

    @property
    def is_park_and_ride(self):
        return "PARK_AND_RIDE" in (self.usages or [])

    def capacity_for(self, capacity_type="CAR"):
        """Built capacity of one type (0 if the facility has none of it)."""
        row = self.capacities.filter(capacity_type=capacity_type).first()
        return row.capacity if row else 0


class FacilityCapacity(models.Model):
    """Built capacity per vehicle type, with the last reported real-time availability."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="capacities")
    capacity_type = models.CharField(max_length=30, choices=CAPACITY_TYPES)
    capacity = models.PositiveIntegerField()
    spaces_available = models.PositiveIntegerField(null=True, blank=True, help_text="Last Liipi utilization")
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["facility", "capacity_type"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "capacity_type"], name="parking_capacity_unique_type"),
        ]

    def __str__(self):
        return f"{self.facility} {self.capacity_type} {self.capacity}"


class ParkingArea(models.Model):
    """An area (one or more city blocks) whose resident permits are capped."""

    PER_HOUSEHOLD = "per_household"
    ABSOLUTE = "absolute"
    CAP_RULES = [(PER_HOUSEHOLD, _("Spaces per household")), (ABSOLUTE, _("Absolute number of spaces"))]

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    blocks = models.CharField(
        max_length=500, blank=True,
        help_text="Comma-separated household block codes in this area (Household.block), e.g. KS-1,KS-2",
    )
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="areas",
        help_text="Where the permits park; its capacity also limits grants",
    )
    capacity_type = models.CharField(max_length=30, choices=CAPACITY_TYPES, default="CAR")
    cap_rule = models.CharField(max_length=20, choices=CAP_RULES, default=PER_HOUSEHOLD)
    spaces_per_household = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))],
    )
    absolute_cap = models.PositiveIntegerField(null=True, blank=True)
    max_permits_per_household = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.cap_rule == self.PER_HOUSEHOLD and self.spaces_per_household is None:
            raise ValidationError({"spaces_per_household": _("Required for the per-household rule.")})
        if self.cap_rule == self.ABSOLUTE and self.absolute_cap is None:
            raise ValidationError({"absolute_cap": _("Required for the absolute rule.")})

    def block_list(self):
        return [b.strip() for b in self.blocks.split(",") if b.strip()]

    def rule_label(self):
        if self.cap_rule == self.PER_HOUSEHOLD:
            return f"{self.spaces_per_household} per household"
        return f"absolute {self.absolute_cap}"

    def cap_for(self, households):
        """The number of spaces this area may hand out, given its household count."""
        if self.cap_rule == self.ABSOLUTE:
            return int(self.absolute_cap or 0)
        return math.floor(Decimal(households) * (self.spaces_per_household or Decimal("0")))


class Permit(models.Model):
    """A resident's parking permit in an area: waitlisted, then granted, then cancelled/expired."""

    WAITLISTED, GRANTED, CANCELLED, EXPIRED = "waitlisted", "granted", "cancelled", "expired"
    STATUSES = [(WAITLISTED, _("Waitlisted")), (GRANTED, _("Granted")), (CANCELLED, _("Cancelled")),
                (EXPIRED, _("Expired"))]

    resident = models.ForeignKey("accounts.Resident", on_delete=models.CASCADE, related_name="parking_permits")
    household = models.ForeignKey("accounts.Household", on_delete=models.PROTECT, related_name="parking_permits")
    area = models.ForeignKey(ParkingArea, on_delete=models.PROTECT, related_name="permits")
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="permits")
    plate = models.CharField(max_length=12)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=STATUSES, default=WAITLISTED, db_index=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    granted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["area", "status", "requested_at", "id"], name="parking_permit_queue")]

    def __str__(self):
        return f"{self.plate} @ {self.area} ({self.status})"

    @property
    def area_code(self):
        """The area's code: as the allocation answered it (no query), else from the area."""
        return self.__dict__.get("_area_code") or self.area.code

    @area_code.setter
    def area_code(self, value):
        self.__dict__["_area_code"] = value


class ParkAndRideReservation(models.Model):
    """One park-and-ride space at a facility for one day."""

    RESERVED, CANCELLED = "reserved", "cancelled"
    STATUSES = [(RESERVED, _("Reserved")), (CANCELLED, _("Cancelled"))]

    resident = models.ForeignKey("accounts.Resident", on_delete=models.CASCADE, related_name="pr_reservations")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="reservations")
    capacity_type = models.CharField(max_length=30, choices=CAPACITY_TYPES, default="CAR")
    day = models.DateField()
    plate = models.CharField(max_length=12)
    status = models.CharField(max_length=12, choices=STATUSES, default=RESERVED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "facility", "day"], condition=Q(status="reserved"),
                name="parking_one_reservation_per_day",
            ),
        ]

    def __str__(self):
        return f"{self.plate} @ {self.facility} {self.day}"


class CapChange(models.Model):
    """Audit log: who changed an area's cap rule, when, old -> new."""

    area = models.ForeignKey(ParkingArea, on_delete=models.CASCADE, related_name="cap_changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(auto_now_add=True)
    old_rule = models.CharField(max_length=100)
    new_rule = models.CharField(max_length=100)
    old_cap = models.IntegerField()
    new_cap = models.IntegerField()
    used_at_change = models.IntegerField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.area}: {self.old_rule} -> {self.new_rule}"


class UtilizationSnapshot(models.Model):
    """Daily record of an area's cap, granted permits and waitlist length."""

    area = models.ForeignKey(ParkingArea, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    cap = models.IntegerField()
    used = models.IntegerField()
    waitlist = models.IntegerField()
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area", "day"]
        constraints = [models.UniqueConstraint(fields=["area", "day"], name="parking_snapshot_one_per_day")]


class Notification(models.Model):
    """A message to a resident about their permit (also sent by email)."""

    resident = models.ForeignKey("accounts.Resident", on_delete=models.CASCADE, related_name="parking_notifications")
    permit = models.ForeignKey(Permit, null=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
