"""OpenAPI shape of GET /me/export (docs/interfaces.md): the document's keys, `data` keyed by model label,
and each record's keys (the model's concrete fields, foreign keys as `<name>_id`). Record values are left
untyped (any JSON): they are the database values as DjangoJSONEncoder writes them. tests/api_contract checks
a real export against this, so a model or export change that adds or drops a key fails there."""
import re
from functools import cache

from django.apps import apps
from rest_framework import serializers

from maas.accounts.privacy.export import FORMAT

# Model label -> fields the export leaves out (secrets), as in each app's privacy.export_for.
EXPORTED = {
    "auth.User": ("password",),
    "accounts.Resident": (), "accounts.Household": (), "accounts.HouseholdChange": (),
    "accounts.JoinCode": ("code",), "accounts.ConsentEvent": (), "accounts.DiscountGrant": (),
    "accounts.StaffAccess": (), "admin.LogEntry": (), "token_blacklist.OutstandingToken": ("token",),
    "billing.BillingAccount": (), "billing.Subscription": (), "billing.Invoice": (),
    "billing.Payment": ("idempotency_key",), "billing.UsageRecord": (),
    "bookings.Booking": (), "bookings.BookingEvent": (), "bookings.IdempotencyRecord": ("response_body",),
    "parking.Permit": (), "parking.ParkAndRideReservation": (), "parking.Notification": (), "parking.CapChange": (),
}
EXTRA_FIELDS = {"bookings.Booking": ("events", "bookings.BookingEvent")}  # a booking's state history


@cache
def _record_serializer(label: str, excluded) -> type[serializers.Serializer]:
    model = apps.get_model(label)
    fields = {f.attname: serializers.JSONField(allow_null=True) for f in model._meta.concrete_fields
              if f.name not in excluded}
    if label in EXTRA_FIELDS:
        name, of = EXTRA_FIELDS[label]
        fields[name] = _record_serializer(of, EXPORTED[of])(many=True)
    fields["__doc__"] = f"One {label} row: its concrete fields, values as stored (any JSON)."
    name = "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", label))
    return type(f"Export{name}", (serializers.Serializer,), fields)


class ExportDataSerializer(serializers.Serializer):
    """The resident's rows by model label ("app_label.ModelName")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for label, excluded in EXPORTED.items():
            self.fields[label] = _record_serializer(label, excluded)(many=True)


class ExportSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=[FORMAT])
    generated_at = serializers.DateTimeField()
    user_id = serializers.IntegerField()
    data = ExportDataSerializer()
