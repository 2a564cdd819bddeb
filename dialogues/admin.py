from django.contrib import admin

from kremlib.admin import SoftDeleteAdminMixin, VersionedAdminMixin
from participants.admin import AttendanceInline

from .models import Dialogue
from .services import delete_dialogue


@admin.register(Dialogue)
class DialogueAdmin(SoftDeleteAdminMixin, VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "project", "starts_at", "municipality", "status"]
    list_select_related = ["project", "municipality"]
    list_filter = ["kind", "status", "municipality"]
    search_fields = ["title", "venue", "project__title"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["project", "municipality", "facilitators"]
    inlines = [AttendanceInline]

    def soft_delete(self, obj):
        delete_dialogue(dialogue=obj)
