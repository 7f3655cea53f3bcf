"""Writes for residents: registration, profile, password, consent."""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from maas.accounts.auth import revoke_all_tokens
from maas.accounts.households import create_household  # noqa: F401 - part of the accounts contract
from maas.accounts.models import ConsentEvent, Resident
from maas.api.errors import ApiError

PROFILE_USER_FIELDS = ("first_name", "last_name")
PROFILE_FIELDS = ("language", "phone", "wheelchair", "walking_speed", "max_walk_m", "preferred_modes")


@transaction.atomic
def register_resident(*, email, password, first_name="", last_name="", language="fi", household=None):
    """Create a user and their resident profile; the email (lower-cased) is the login name."""
    user = get_user_model().objects.create_user(
        username=email.lower(), email=email.lower(), password=password,
        first_name=first_name, last_name=last_name,
    )
    return Resident.objects.create(user=user, language=language, household=household)


def resident_for(user):
    """The user's resident profile, created on first use (e.g. for admin-made users). Writes: call it from
    requests that change something; reads use `selectors.resident_of`."""
    try:
        return user.resident  # no query when authentication fetched it with the user
    except Resident.DoesNotExist:
        return Resident.objects.get_or_create(user=user)[0]


@transaction.atomic
def update_profile(user, changes):
    """Apply validated profile `changes` (user names, language, phone, travel preferences, location consent)."""
    resident = Resident.objects.select_for_update().get(pk=resident_for(user).pk)
    user_fields = [f for f in PROFILE_USER_FIELDS if f in changes]
    for field in user_fields:
        setattr(user, field, changes[field])
    if user_fields:
        user.save(update_fields=user_fields)
    fields = [f for f in PROFILE_FIELDS if f in changes]
    for field in fields:
        setattr(resident, field, changes[field])
    if "location_consent" in changes and changes["location_consent"] != resident.location_consent:
        resident.location_consent = changes["location_consent"]
        fields.append("location_consent")
        ConsentEvent.objects.create(resident=resident, consent="location", granted=resident.location_consent)
    if fields:
        resident.save(update_fields=fields)
    return resident


@transaction.atomic
def change_password(user, *, old_password, new_password):
    """Set a new password after checking the old one; every refresh and access token is revoked."""
    from django.contrib.auth import password_validation

    if not user.check_password(old_password):
        raise ApiError(_("The current password is wrong."), code="wrong_password", status_code=400)
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    revoke_all_tokens(user)
    return user
