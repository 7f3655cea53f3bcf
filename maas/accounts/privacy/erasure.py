"""GDPR Art. 17: erasing a resident's account.

Login stops at once and every token is revoked; live bookings, permits and reservations are ended the way the
resident would end them; the Stripe customer is deleted; personal data is erased or anonymised. Bookkeeping
records (invoices, payments, the usage ledger, booking amounts) stay, tied only to the anonymised user row.
Refused while a trip is in progress or money is owed.
"""
import secrets

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import privacy as billing_privacy
from maas.accounts.auth import revoke_all_tokens
from maas.accounts.models import DiscountGrant, Resident
from maas.api.errors import ApiError, Conflict
from maas.bookings import privacy as bookings_privacy
from maas.parking import privacy as parking_privacy


def check_erasable(user):
    """409 trip_in_progress / money_owed when the account cannot be erased now."""
    trips = bookings_privacy.trips_in_progress(user)
    if trips:
        raise Conflict(_("Your account cannot be deleted while a trip is in progress: finish it first."),
                       code="trip_in_progress", details={"bookings": trips})
    owed = billing_privacy.money_owed(user)
    if owed:
        raise Conflict(_("Your account cannot be deleted while money is owed: settle the open invoices and "
                         "payments first."), code="money_owed", details={"owed": owed})


@transaction.atomic
def _disable_login(user):
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    revoke_all_tokens(user)
    return user


@transaction.atomic
def _anonymise(user):
    label = f"erased-{user.pk}-{secrets.token_hex(4)}"
    resident = Resident.objects.filter(user=user).first()
    for obj in (user, resident):  # admin history names the object: drop its description
        if obj is not None:
            LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)) \
                .update(object_repr=label, change_message="")
    user.username, user.email, user.first_name, user.last_name = label, "", "", ""
    user.save(update_fields=["username", "email", "first_name", "last_name"])
    if resident is not None:
        DiscountGrant.objects.filter(resident=resident).delete()
        resident.phone, resident.household, resident.preferred_modes = "", None, []
        resident.max_walk_m, resident.wheelchair, resident.location_consent = None, False, False
        resident.erased_at = timezone.now()
        resident.save()


def erase_account(user, password):
    """Erase `user`'s account after checking `password`; returns the anonymised user."""
    if not user.check_password(password):
        raise ApiError(_("The password is wrong."), code="wrong_password", status_code=400)
    check_erasable(user)
    bookings_privacy.end_live_bookings(user)  # may fail at the provider: nothing erased yet, the resident retries
    billing_privacy.erase_for(user)  # the Stripe customer first, for the same reason
    with transaction.atomic():
        user = _disable_login(user)
        parking_privacy.erase_for(user)
        bookings_privacy.erase_for(user)
        _anonymise(user)
    return user
