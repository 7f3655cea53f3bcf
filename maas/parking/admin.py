"""Django admin: facilities, capped areas (with over-cap warnings, audit log, utilization charts), permits."""
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _

from maas.accounts.staff_access import LogsStaffAccess
from maas.api.errors import ApiError
from maas.parking import charts, selectors, services
from maas.parking.models import (
    CapChange,
    Facility,
    FacilityCapacity,
    Notification,
    ParkAndRideReservation,
    ParkingArea,
    Permit,
    UtilizationSnapshot,
)


class FacilityCapacityInline(admin.TabularInline):
    model = FacilityCapacity
    extra = 0


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "liipi_id", "status", "capacity_summary", "lat", "lon"]
    list_filter = ["status"]
    search_fields = ["name", "name_fi", "name_sv"]
    inlines = [FacilityCapacityInline]

    @admin.display(description="capacity")
    def capacity_summary(self, obj):
        return ", ".join(f"{c.capacity_type} {c.capacity}" for c in obj.capacities.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("capacities")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.facility_changed(form.instance)  # more capacity or a reopening may fit waitlisted permits


class CapChangeInline(admin.TabularInline):
    model = CapChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "old_rule", "new_rule", "old_cap", "new_cap", "used_at_change"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _over_cap_message(usage):
    return _(
        "%(name)s: the cap (%(cap)s) is below current use (%(used)s granted, %(over)s over cap). "
        "Existing permits stay valid, but no new permits will be granted until use drops below the cap."
    ) % {"name": usage["name"], "cap": usage["cap"], "used": usage["used"], "over": usage["over_cap"]}


@admin.register(ParkingArea)
class ParkingAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "cap_rule_display", "cap", "used", "waitlist", "over_cap"]
    search_fields = ["name", "code", "blocks"]
    readonly_fields = ["usage_now"]
    inlines = [CapChangeInline]
    change_list_template = "admin/parking/parkingarea/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "code", "blocks", "facility", "capacity_type", "max_permits_per_household"]}),
        (_("Cap"), {"fields": ["cap_rule", "spaces_per_household", "absolute_cap", "usage_now"]}),
    ]

    def _usage(self, obj):
        if not hasattr(obj, "_usage"):  # memo on the row object, which lives for one request
            obj._usage = selectors.area_usage(obj)
        return obj._usage

    @admin.display(description="rule")
    def cap_rule_display(self, obj):
        return obj.rule_label()

    @admin.display(description="cap")
    def cap(self, obj):
        return self._usage(obj)["cap"]

    @admin.display(description="used")
    def used(self, obj):
        return self._usage(obj)["used"]

    @admin.display(description="waitlist")
    def waitlist(self, obj):
        return self._usage(obj)["waitlist"]

    @admin.display(description="over cap")
    def over_cap(self, obj):
        over = self._usage(obj)["over_cap"]
        if over:
            return format_html('<strong class="over-cap" style="color:#ba2121">OVER CAP by {}</strong>', over)
        return "—"

    @admin.display(description="current use")
    def usage_now(self, obj):
        if obj.pk is None:
            return "—"
        u = selectors.area_usage(obj)
        text = f"{u['households']} households → cap {u['cap']}; granted {u['used']}; waitlist {u['waitlist']}"
        if u["over_cap"]:
            return format_html('{} <strong style="color:#ba2121">(over cap by {})</strong>', text, u["over_cap"])
        return text

    def save_model(self, request, obj, form, change):
        usage = services.save_area(obj, user=request.user)
        if usage["over_cap"]:
            messages.warning(request, _over_cap_message(usage))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            area = self.get_object(request, object_id)
            if area is not None:
                usage = selectors.area_usage(area)
                if usage["over_cap"]:
                    messages.warning(request, _over_cap_message(usage))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        custom = [path("utilization/", self.admin_site.admin_view(self.utilization_view),
                       name="parking_parkingarea_utilization")]
        return custom + super().get_urls()

    def utilization_view(self, request):
        """Per area: cap vs used vs waitlist over time (daily snapshots + live today), as SVG."""
        areas = [{"area": row["area"], "usage": row["usage"],
                  "chart": charts.area_chart(row["usage"], row["snapshots"])}
                 for row in selectors.utilization_series()]
        context = {**self.admin_site.each_context(request), "title": _("Parking utilization"),
                   "areas": areas, "opts": self.model._meta,
                   "cap_changes": CapChange.objects.select_related("area", "changed_by")[:20]}
        return TemplateResponse(request, "admin/parking/utilization.html", context)


@admin.register(Permit)
class PermitAdmin(LogsStaffAccess, admin.ModelAdmin):
    list_display = ["plate", "area", "household", "resident", "status", "valid_from", "valid_until",
                    "requested_at", "granted_at"]
    list_filter = ["status", "area"]
    search_fields = ["plate", "household__address", "resident__user__username"]
    # Allocation fields change only through the services (apply / cancel / promote).
    readonly_fields = ["resident", "household", "area", "facility", "status", "requested_at", "granted_at",
                       "ended_at"]
    actions = ["cancel_permits"]

    def has_add_permission(self, request):
        return False  # permits come from the allocation service (resident API)

    @admin.action(description="Cancel selected permits (promotes the waitlist)")
    def cancel_permits(self, request, queryset):
        done = 0
        for permit in queryset:
            try:
                services.cancel_permit(permit)
                done += 1
            except ApiError as exc:
                messages.warning(request, f"{permit}: {exc.detail}")
        messages.success(request, f"Cancelled {done} permit(s).")


@admin.register(CapChange)
class CapChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "area", "changed_by", "old_rule", "new_rule", "old_cap", "new_cap",
                    "used_at_change"]
    list_filter = ["area"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UtilizationSnapshot)
class UtilizationSnapshotAdmin(admin.ModelAdmin):
    list_display = ["day", "area", "cap", "used", "waitlist"]
    list_filter = ["area"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ParkAndRideReservation)
class ParkAndRideReservationAdmin(LogsStaffAccess, admin.ModelAdmin):
    list_display = ["day", "facility", "plate", "resident", "status"]
    list_filter = ["status", "facility", "day"]


@admin.register(Notification)
class NotificationAdmin(LogsStaffAccess, admin.ModelAdmin):
    list_display = ["created_at", "resident", "kind", "emailed"]
    list_filter = ["kind"]
