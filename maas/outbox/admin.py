from django.contrib import admin

from maas.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "args", "eta", "sent_at", "attempts", "last_error"]
    list_filter = ["task"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
