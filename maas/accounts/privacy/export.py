"""GDPR Art. 15/20: one machine-readable document of everything held about a resident, across apps.

`data` is keyed by model label ("app_label.ModelName"): every model with a foreign key to the user or the
resident has its key (tests/accounts/test_export.py checks this against the model registry).
"""
from django.contrib.admin.models import LogEntry
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from billing import privacy as billing_privacy
from maas.accounts.models import (
    ConsentEvent,
    DiscountGrant,
    HouseholdChange,
    JoinCode,
    Resident,
    StaffAccess,
)
from maas.accounts.privacy.rows import row, rows
from maas.bookings import privacy as bookings_privacy
from maas.parking import privacy as parking_privacy

FORMAT = "kalasatama-maas-export/1"
USER_FIELDS_LEFT_OUT = ("password",)


def _accounts_part(user):
    resident = Resident.objects.filter(user=user).select_related("household").first()
    household = resident.household if resident else None
    return {
        "auth.User": [row(user, exclude=USER_FIELDS_LEFT_OUT)],
        "accounts.Resident": [row(resident)] if resident else [],
        "accounts.Household": [row(household)] if household else [],
        "accounts.HouseholdChange": rows(HouseholdChange.objects.filter(resident__user=user)),
        "accounts.JoinCode": rows(JoinCode.objects.filter(used_by=user) | JoinCode.objects.filter(created_by=user),
                                  exclude=("code",)),
        "accounts.ConsentEvent": rows(ConsentEvent.objects.filter(resident__user=user)),
        "accounts.DiscountGrant": rows(DiscountGrant.objects.filter(resident__user=user)),
        "accounts.StaffAccess": rows(StaffAccess.objects.filter(resident__user=user)),
        "admin.LogEntry": rows(LogEntry.objects.filter(user=user)),
        "token_blacklist.OutstandingToken": rows(OutstandingToken.objects.filter(user=user), exclude=("token",)),
    }


def export_for(user):
    """{"format", "generated_at", "user_id", "data": {model label: [rows]}} for `user`."""
    data = _accounts_part(user)
    data |= billing_privacy.export_for(user)
    data |= bookings_privacy.export_for(user)
    data |= parking_privacy.export_for(user)
    return {"format": FORMAT, "generated_at": timezone.now().isoformat(), "user_id": user.pk, "data": data}
