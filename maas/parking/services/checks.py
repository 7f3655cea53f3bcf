"""Input rules shared by permits and reservations: vehicle plates, how far ahead a day may lie."""
import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from maas.api.errors import ApiError

PLATE_RE = re.compile(r"^[A-ZÅÄÖ0-9]{1,4}-?[A-ZÅÄÖ0-9]{1,4}$")
# A plate as a resident may type it (any case, a space or hyphen): the API schema's pattern, checked as written
# before normalizing (str.upper() and str.strip() know more characters than the pattern: "ß" → "SS").
PLATE_INPUT_PATTERN = r"^ *[A-Za-zÅÄÖåäö0-9]{1,4}[- ]?[A-Za-zÅÄÖåäö0-9]{1,4} *$"
LETTERS_DIGITS_RE = re.compile(r"^([A-ZÅÄÖ]{1,3})-?([0-9]{1,3})$")  # the common Finnish form, ABC-123


def normalize_plate(plate):
    """Upper-case, trimmed vehicle plate (ABC123 and abc 123 become ABC-123); ApiError if it is not a plate."""
    value = (plate or "").strip().upper().replace(" ", "-")
    if not re.fullmatch(PLATE_INPUT_PATTERN, plate or "") or not PLATE_RE.match(value):
        raise ApiError(_("Enter a vehicle registration plate such as ABC-123."), code="invalid_plate",
                       details={"plate": plate})
    letters_digits = LETTERS_DIGITS_RE.match(value)
    return "-".join(letters_digits.groups()) if letters_digits else value


def max_days_ahead():
    """How many days ahead a P+R reservation or a permit start may lie (setting PARKING_MAX_DAYS_AHEAD, 90)."""
    return int(getattr(settings, "PARKING_MAX_DAYS_AHEAD", 90))


def check_not_too_far(day, field, message):
    """ApiError day_too_far when `day` lies more than max_days_ahead() days after today."""
    days = max_days_ahead()
    latest = timezone.localdate() + timedelta(days=days)
    if day > latest:
        raise ApiError(message % {"days": days}, code="day_too_far", details={field: str(day), "latest": str(latest)})
