"""Admin: households and their join codes, residents (staff access logged), discounts, consent and access logs."""
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from maas.accounts import households
from maas.accounts.models import (
    ConsentEvent,
    DiscountGrant,
    DiscountGroup,
    Household,
    HouseholdChange,
    JoinCode,
    Resident,
    StaffAccess,
)
from maas.accounts.staff_access import LogsStaffAccess


class JoinCodeInline(admin.TabularInline):
    model = JoinCode
    extra = 0
    fields = ["code", "created_at", "used_at"]
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False


class HouseholdChangeInline(admin.TabularInline):
    model = HouseholdChange
    extra = 0
    fields = ["at", "resident", "action", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["address", "apartment", "postal_code", "block"]
    search_fields = ["address", "apartment", "block"]
    inlines = [JoinCodeInline, HouseholdChangeInline]
    actions = ["issue_join_codes"]

    @admin.action(description="Issue a one-time join code")
    def issue_join_codes(self, request, queryset):
        for household in queryset:
            row = households.issue_join_code(household, created_by=request.user)
            self.message_user(request, f"{household}: {row.code}", messages.SUCCESS)


class DiscountGrantInline(admin.TabularInline):
    model = DiscountGrant
    extra = 0
    fields = ["group", "valid_from", "valid_until", "proof_note", "granted_by"]
    readonly_fields = ["granted_by"]


@admin.register(Resident)
class ResidentAdmin(LogsStaffAccess, admin.ModelAdmin):
    list_display = ["user", "household", "language", "erased_at"]
    search_fields = ["user__username"]
    list_select_related = ["user", "household"]
    inlines = [DiscountGrantInline]
    readonly_fields = ["erased_at", "location_consent"]

    def resident_of_object(self, obj):
        return obj

    def save_formset(self, request, form, formset, change):
        for grant in formset.save(commit=False):
            if isinstance(grant, DiscountGrant) and grant.granted_by_id is None:
                grant.granted_by = request.user
            grant.save()
        for obj in formset.deleted_objects:
            obj.delete()


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class LoggedUserAdmin(LogsStaffAccess, UserAdmin):
    """Django's user admin; opening a resident's user is logged like the resident page."""

    def resident_of_object(self, obj):
        return Resident.objects.filter(user=obj).first()


@admin.register(DiscountGroup)
class DiscountGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "percent", "names"]


@admin.register(StaffAccess)
class StaffAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "staff_label", "resident", "what"]
    list_filter = ["staff_label"]
    readonly_fields = ["at", "staff", "staff_label", "resident", "what"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    list_display = ["at", "resident", "consent", "granted"]
    readonly_fields = ["at", "resident", "consent", "granted"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
