from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from kremlib.admin import SoftDeleteAdminMixin, VersionedAdminMixin
from participants.admin import ParticipantAdmin, is_anonymised
from participants.models import Participant

from .models import Attendance, Dialogue, Series
from .services import delete_dialogue


class AttendanceInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # On a dialogue's page the rows of anonymised people stay as they are (not moved to someone, not removed).
        if form.instance.pk is not None and is_anonymised(form.instance.participant):
            for field in form.fields.values():
                field.disabled = True


class AttendanceInline(admin.TabularInline):
    model = Attendance
    formset = AttendanceInlineFormSet
    extra = 0
    autocomplete_fields = ["participant", "dialogue"]
    readonly_fields = ["registered_by"]  # who registered it on the attendance page: a record, not to be edited

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant", "registered_by")


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "source"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Dialogue)
class DialogueAdmin(SoftDeleteAdminMixin, VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "project", "starts_at", "time_precision", "series", "municipality", "status"]
    list_select_related = ["project", "municipality", "series"]
    list_filter = ["kind", "status", "time_precision", "series", "municipality"]
    search_fields = ["title", "venue", "project__title"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["project", "municipality", "facilitators", "series"]
    inlines = [AttendanceInline]

    def soft_delete(self, obj):
        delete_dialogue(dialogue=obj)


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["participant", "dialogue", "perspective"]
    list_select_related = ["participant", "dialogue"]
    list_filter = ["perspective", "dialogue__kind"]
    search_fields = ["participant__display_name", "dialogue__title"]
    autocomplete_fields = ["participant", "dialogue"]
    readonly_fields = ["registered_by"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and is_anonymised(obj.participant))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and is_anonymised(obj.participant))

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return (
            deleted,
            counts,
            perms_needed,
            [*protected, *(str(obj) for obj in objs if is_anonymised(obj.participant))],
        )


# A participant's attendances are edited on their admin page too. The participants app cannot know of
# dialogues (it sits below them), so the app that owns attendance adds the inline to its admin.
admin.site.unregister(Participant)


@admin.register(Participant)
class ParticipantWithAttendanceAdmin(ParticipantAdmin):
    inlines = [AttendanceInline]
