"""Reads about residents and households (nothing here writes)."""
from django.utils import timezone

from maas.accounts.models import DiscountGrant, Household, HouseholdChange, Resident


def resident_of(user):
    """The user's resident profile; an unsaved default one for users without (e.g. admin-made), never writes."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    resident = Resident.objects.select_related("household").filter(user=user).first()
    return resident or Resident(user=user)


def households_in_blocks(blocks):
    """Number of households whose block is one of `blocks` (parking caps count households)."""
    return Household.objects.filter(block__in=list(blocks)).count() if blocks else 0


def household_table():
    """The household table's name, for allocation SQL that counts households in the same statement."""
    return Household._meta.db_table


def household_members(household):
    return list(Resident.objects.filter(household=household).select_related("user").order_by("id"))


def household_changes(household, limit=20):
    return list(HouseholdChange.objects.filter(household=household).select_related("resident__user")[:limit])


def plan_defaults(user):
    """Travel preferences of the user's profile as trip-plan parameters ({} without a profile).
    """
    resident = resident_of(user)
    if resident is None or resident.pk is None:
        return {}
    defaults = {"wheelchair": resident.wheelchair, "walk_speed": resident.walking_speed}
    if resident.max_walk_m is not None:
        defaults["max_walk_m"] = resident.max_walk_m
    if resident.preferred_modes:
        defaults["modes"] = list(resident.preferred_modes)
    return defaults


def active_discount(user, day=None):
    """The user's discount grant valid on `day` (default today, Helsinki), best percentage first, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    day = day or timezone.localdate()
    return (DiscountGrant.objects.select_related("group")
            .filter(resident__user=user, valid_from__lte=day, valid_until__gte=day)
            .order_by("-group__percent", "-valid_until").first())
