from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from kremlib.admin import VersionedAdminMixin

from .models import Attendance, Participant


def is_anonymised(participant):
    """An erased person's record: the admin shows it but changes nothing of it, so no erasure is undone."""
    return participant is not None and participant.anonymised_at is not None


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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant")


@admin.register(Participant)
class ParticipantAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["display_name", "perspective", "organisation", "user", "anonymised_at"]
    list_select_related = ["organisation", "user"]
    list_filter = ["perspective", "organisation__sector"]
    search_fields = ["display_name", "organisation__name", "user__username"]
    autocomplete_fields = ["organisation", "user"]
    inlines = [AttendanceInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_anonymised(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not is_anonymised(obj)

    def get_deleted_objects(self, objs, request):
        # "Delete selected" asks without a record; anonymised ones among the selection block the deletion.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, [*protected, *(str(obj) for obj in objs if is_anonymised(obj))]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["participant", "dialogue", "perspective"]
    list_select_related = ["participant", "dialogue"]
    list_filter = ["perspective", "dialogue__kind"]
    search_fields = ["participant__display_name", "dialogue__title"]
    autocomplete_fields = ["participant", "dialogue"]

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
