"""Provider registry in the admin: providers, their API keys (shown once) and snapshots."""
from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from maas import outbound
from providers import services
from providers.models import Provider, ProviderApiKey, Snapshot


class ApiKeyInline(admin.TabularInline):
    model = ProviderApiKey
    extra = 0
    can_delete = False
    fields = ("prefix", "label", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # keys are issued with the "Issue a new API key" action, which shows the key once


def _show_key(modeladmin, request, provider, raw):
    modeladmin.message_user(
        request, _("New API key for %(provider)s (shown only now, store it safely): %(key)s")
        % {"provider": provider, "key": raw}, level=messages.WARNING)


def _outbound_url(value):
    """The URL if maas.outbound would fetch it; a form error naming why not."""
    if value:
        try:
            outbound.check_url(value)
        except outbound.OutboundError as exc:
            raise forms.ValidationError(_("This URL cannot be used: %(reason)s.") % {"reason": exc},
                                        code="url_refused") from None
    return value


class ProviderForm(forms.ModelForm):
    gbfs_url = forms.URLField(required=False, max_length=500, assume_scheme="https",
                              help_text=Provider._meta.get_field("gbfs_url").help_text)
    booking_api_url = forms.URLField(required=False, max_length=500, assume_scheme="https",
                                     help_text=Provider._meta.get_field("booking_api_url").help_text)

    class Meta:
        model = Provider
        fields = "__all__"

    def clean_gbfs_url(self):
        return _outbound_url(self.cleaned_data.get("gbfs_url"))

    def clean_booking_api_url(self):
        return _outbound_url(self.cleaned_data.get("booking_api_url"))


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ("name", "kind", "active", "push_only", "gbfs_version", "last_updated", "stale", "ttl_s")
    list_filter = ("kind", "active", "stale")
    search_fields = ("name",)
    readonly_fields = ("current_snapshot", "last_updated", "last_checked_at", "ttl_s", "gbfs_version", "stale",
                       "last_error", "created_at")
    inlines = [ApiKeyInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["issue_api_key", "sync_now"]

    @admin.display(boolean=True, description=_("push only"))
    def push_only(self, obj):
        return obj.push_only

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.schedule_sync(obj)

    @admin.action(description=_("Issue a new API key"))
    def issue_api_key(self, request, queryset):
        for provider in queryset:
            _record, raw = services.create_api_key(provider, label=f"admin:{request.user}")
            _show_key(self, request, provider, raw)

    @admin.action(description=_("Sync GBFS now"))
    def sync_now(self, request, queryset):
        from providers.tasks import sync_provider

        for provider in queryset.exclude(gbfs_url=""):
            sync_provider.delay(provider.pk)
        self.message_user(request, _("Sync queued."))


@admin.register(ProviderApiKey)
class ProviderApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "provider", "label", "created_at", "last_used_at", "revoked_at")
    list_filter = ("provider",)
    readonly_fields = ("provider", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    fields = ("provider", "label", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    actions = ["rotate", "revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Rotate (issue a replacement, revoke this key)"))
    def rotate(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            _record, raw = services.rotate_api_key(key)
            _show_key(self, request, key.provider, raw)

    @admin.action(description=_("Revoke"))
    def revoke(self, request, queryset):
        for key in queryset:
            services.revoke_api_key(key)


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ("pk", "provider", "source", "created_at", "last_updated", "station_count", "vehicle_count")
    list_filter = ("provider", "source")
    readonly_fields = [f.name for f in Snapshot._meta.fields]

    def has_add_permission(self, request):
        return False
