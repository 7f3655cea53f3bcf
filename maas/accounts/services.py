"""Writes for residents and households."""
from django.contrib.auth import get_user_model
from django.db import transaction

from maas.accounts.models import Household, Resident


@transaction.atomic
def register_resident(*, email, password, first_name="", last_name="", language="fi", household=None):
    """Create a user and their resident profile; the email is the login name."""
    user = get_user_model().objects.create_user(
        username=email.lower(), email=email.lower(), password=password,
        first_name=first_name, last_name=last_name,
    )
    return Resident.objects.create(user=user, language=language, household=household)


def create_household(*, address, postal_code="00540", block=""):
    """Create a household."""
    return Household.objects.create(address=address, postal_code=postal_code, block=block)


def resident_for(user):
    """The user's resident profile, created on first use (e.g. for admin-made users)."""
    resident, _ = Resident.objects.get_or_create(user=user)
    return resident
