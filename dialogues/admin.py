from django.contrib import admin

from participants.admin import AttendanceInline

from .models import Dialogue


@admin.register(Dialogue)
class DialogueAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "project", "starts_at", "municipality", "status"]
    list_select_related = ["project", "municipality"]
    list_filter = ["kind", "status", "municipality"]
    search_fields = ["title", "venue", "project__title"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["project", "municipality", "facilitators"]
    inlines = [AttendanceInline]
