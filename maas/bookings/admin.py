from django.contrib import admin

from maas.accounts.staff_access import LogsStaffAccess
from maas.bookings.models import Booking, BookingEvent


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "actor_label", "reason", "details", "created_at"]
    exclude = ["actor"]


@admin.register(Booking)
class BookingAdmin(LogsStaffAccess, admin.ModelAdmin):
    """Read-only view: state changes go through the lifecycle services, never direct edits."""

    list_display = ["id", "user", "mode", "provider_id", "state", "charge_cents", "captured_cents", "created_at"]
    list_filter = ["state", "mode"]
    search_fields = ["user__username", "vehicle_id", "external_id"]
    inlines = [BookingEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
