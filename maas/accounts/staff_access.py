"""Logging staff access to residents' personal data in the admin (who, when, what)."""
from maas.accounts.models import StaffAccess


def log_access(staff, resident, what):
    """Record that `staff` saw `what` of `resident` (None = no resident behind it: nothing to log)."""
    if resident is None or resident.pk is None:
        return None
    return StaffAccess.objects.create(staff=staff, staff_label=staff.get_username()[:150], resident=resident,
                                      what=what[:200])


class LogsStaffAccess:
    """ModelAdmin mixin: opening an object's page (view or change) logs an access to its resident.

    The resident is the object's `resident`, else the resident of its `user`; override
    `resident_of_object(obj)` for anything else.
    """

    def resident_of_object(self, obj):
        if getattr(obj, "resident_id", None) is not None:
            return obj.resident
        if getattr(obj, "user_id", None) is not None:
            from maas.accounts.selectors import resident_of

            return resident_of(obj.user)
        return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 200) == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                page = "change" if self.has_change_permission(request, obj) else "view"
                log_access(request.user, self.resident_of_object(obj),
                           f"admin {self.model._meta.label} #{obj.pk} ({page} page)")
        return response
