from django.contrib import admin

from .models import Notice, NoticeLanguage, OptOut


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient_key", "due_on", "state", "attempts", "sent_at"]
    list_filter = ["kind", "state"]
    readonly_fields = [f.name for f in Notice._meta.fields]
    exclude = ["body"]  # kept only until sent; may name people the admin reader need not see


admin.site.register(OptOut)
admin.site.register(NoticeLanguage)
