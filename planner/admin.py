"""Admin: each feed's versions (service dates, which is active; activate one, atomic swap), where each feed is
refreshed from and how its last refresh went."""
from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html

from planner import services
from planner.models import FeedSource, FeedVersion, OsmNetwork, Route, Stop


@admin.register(FeedVersion)
class FeedVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "is_active", "service_start", "service_end", "size", "created_at",
                    "activated_at", "last_refresh")
    list_filter = ("name", "is_active")
    search_fields = ("name",)
    readonly_fields = ("created_at", "activated_at", "is_active", "gtfs_path", "content_hash", "stats", "repairs")
    actions = ["activate", "deactivate"]

    @admin.action(description="Activate the selected version (one per feed name; its routing network built first)")
    def activate(self, request, queryset):
        from planner.refresh.service import activate_feed

        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to activate.", messages.ERROR)
            return
        try:
            feed = activate_feed(queryset.get())
        except (ValueError, OSError) as exc:
            self.message_user(request, f"Not activated: {exc}", messages.ERROR)
            return
        self.message_user(request, f"{feed} is now active.")

    @admin.action(description="Deactivate the selected feeds (the others keep routing; their network built first)")
    def deactivate(self, request, queryset):
        from planner.refresh.service import deactivate_feed

        for name in sorted({f.name for f in queryset if f.is_active}):
            try:
                feed = deactivate_feed(name)
            except (ValueError, OSError) as exc:
                self.message_user(request, f"{name} not deactivated: {exc}", messages.ERROR)
                continue
            self.message_user(request, f"Deactivated {feed}.")

    @admin.display(description="stops / trips / stop times")
    def size(self, obj):
        stats = obj.stats or {}
        return " / ".join(str(stats.get(key, "-")) for key in ("stops", "trips", "stop_times"))

    @admin.display(description="last refresh of the feed")
    def last_refresh(self, obj):
        if obj.source_outcome is None:
            return "- (no source)"
        outcome = obj.source_outcome or "never"
        return f"{outcome}: {obj.source_error}" if obj.source_error else outcome

    def get_queryset(self, request):
        sources = FeedSource.objects.filter(name=OuterRef("name"))
        return super().get_queryset(request).annotate(  # the feed's source in the same query
            source_outcome=Subquery(sources.values("last_outcome")[:1]),
            source_error=Subquery(sources.values("last_error")[:1]))

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk-loaded rows need services.delete_feed_version
        return actions

    def delete_model(self, request, obj):
        services.delete_feed_version(obj)


@admin.register(Stop)
class StopAdmin(admin.ModelAdmin):
    list_display = ("stop_id", "name", "feed", "lat", "lon", "wheelchair_boarding", "zone_id")
    list_filter = ("feed",)
    search_fields = ("stop_id", "name")


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ("route_id", "short_name", "long_name", "route_type", "feed")
    list_filter = ("feed", "route_type")
    search_fields = ("route_id", "short_name", "long_name")


@admin.register(OsmNetwork)
class OsmNetworkAdmin(admin.ModelAdmin):
    list_display = ("name", "pk", "is_active", "created_at", "pbf_path")


@admin.register(FeedSource)
class FeedSourceAdmin(admin.ModelAdmin):
    """Where each feed is refreshed from; the last refresh's outcome and, after a failure, why."""

    list_display = ("name", "url", "refresh_every", "active_version", "versions", "last_outcome", "last_checked_at",
                    "last_error_at", "last_error")
    list_filter = ("last_outcome",)
    readonly_fields = ("etag", "last_modified", "last_checked_at", "last_changed_at", "last_outcome", "last_error",
                       "last_error_at")
    actions = ["refresh_now"]

    @admin.display(description="active version")
    def active_version(self, obj):
        feed = FeedVersion.objects.filter(name=obj.name, is_active=True).first()
        return f"v{feed.version} ({feed.service_start} .. {feed.service_end})" if feed else "-"

    @admin.display(description="versions")
    def versions(self, obj):
        count = FeedVersion.objects.filter(name=obj.name).count()
        url = reverse("admin:planner_feedversion_changelist") + f"?name={obj.name}"
        return format_html('<a href="{}">{} version{}</a>', url, count, "" if count == 1 else "s")

    @admin.action(description="Refresh now (download if changed, import, build, activate)")
    def refresh_now(self, request, queryset):
        from planner.refresh.service import refresh_source

        for source in queryset:
            outcome = refresh_source(source)
            self.message_user(request, str(outcome), messages.ERROR if outcome.outcome == "failed" else messages.INFO)
