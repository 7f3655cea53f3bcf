"""Household writes: creating households, one-time join codes, invites, joining and leaving."""
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maas.accounts.models import Household, HouseholdChange, JoinCode, Resident
from maas.api.errors import ApiError, Conflict

# Unambiguous upper-case letters and digits (no 0/O, 1/I/L): easy to read aloud and type.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def normalize_code(code):
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())


def _new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_household(*, address, apartment="", postal_code="00540", block=""):
    """Create a household (an apartment)."""
    return Household.objects.create(address=address, apartment=apartment, postal_code=postal_code, block=block)


def issue_join_code(household, *, created_by=None):
    """A new one-time join code for `household` (the previous open codes stay valid until used)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return JoinCode.objects.create(household=household, code=_new_code(), created_by=created_by)
        except IntegrityError:  # a collision in 31^10 codes: draw again
            continue
    raise RuntimeError("could not draw a unique join code")


def invite(resident):
    """A household member invites another resident: a one-time code for the member's household."""
    if resident.household_id is None:
        raise ApiError(_("You do not belong to a household."), code="no_household", status_code=403)
    return issue_join_code(resident.household, created_by=resident.user)


@transaction.atomic
def join_household(resident, code):
    """Join the household of a one-time code; the code is used up. 400 invalid_join_code if unknown or used."""
    row = JoinCode.objects.select_for_update().select_related("household").filter(code=normalize_code(code)).first()
    if row is None or row.used_at is not None:
        raise ApiError(_("This join code is not valid or has already been used."), code="invalid_join_code",
                       details={"code": code})
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.household_id == row.household_id:
        raise Conflict(_("You already belong to this household."), code="already_in_household")
    if resident.household_id is not None:
        raise Conflict(_("Leave your current household before joining another."), code="already_in_household",
                       details={"household": str(resident.household)})
    row.used_at, row.used_by = timezone.now(), resident.user
    row.save(update_fields=["used_at", "used_by"])
    resident.household = row.household
    resident.save(update_fields=["household"])
    HouseholdChange.objects.create(household=row.household, resident=resident, action=HouseholdChange.JOINED,
                                   note=f"code {row.code[:3]}…")
    return resident


@transaction.atomic
def leave_household(resident, note=""):
    """Leave the household. Permits held by the household stay with it; the change is logged for admins."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.household_id is None:
        raise ApiError(_("You do not belong to a household."), code="no_household", status_code=403)
    household = resident.household
    from maas.parking.selectors import active_permits_of_household

    held = active_permits_of_household(household.pk)
    if held:
        note = (note + " " if note else "") + f"{held} permit(s) stay with the household"
    resident.household = None
    resident.save(update_fields=["household"])
    HouseholdChange.objects.create(household=household, resident=resident, action=HouseholdChange.LEFT, note=note)
    return resident
