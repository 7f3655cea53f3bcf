"""Admin: real-time sources per feed, their last poll's outcome, and a "poll now" action."""
from django.contrib import admin, messages

from planner.realtime import services
from planner.realtime.models import RealtimeSource


@admin.register(RealtimeSource)
class RealtimeSourceAdmin(admin.ModelAdmin):
    list_display = ("feed_name", "enabled", "interval_s", "trip_updates_url", "alerts_url",
                    "vehicle_positions_url", "last_polled_at")
    readonly_fields = ("last_polled_at", "last_status")
    actions = ["poll_now"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.schedule_polling(obj)

    def delete_model(self, request, obj):
        services.remove_source(obj)

    @admin.action(description="Poll the selected sources now")
    def poll_now(self, request, queryset):
        for source in queryset:
            result = services.poll_feed(source.feed_name)
            level = messages.SUCCESS if all(r.get("ok") for r in result.values()) else messages.WARNING
            self.message_user(request, f"{source.feed_name}: {services.describe(result)}", level)
