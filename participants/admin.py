from django.contrib import admin

from kremlib.admin import VersionedAdminMixin

from .models import Participant


def is_anonymised(participant):
    """An erased person's record: the admin shows it but changes nothing of it, so no erasure is undone."""
    return participant is not None and participant.anonymised_at is not None


@admin.register(Participant)
class ParticipantAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["display_name", "perspective", "organisation", "user", "anonymised_at"]
    list_select_related = ["organisation", "user"]
    list_filter = ["perspective", "organisation__sector"]
    search_fields = ["display_name", "organisation__name", "user__username"]
    autocomplete_fields = ["organisation", "user"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_anonymised(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not is_anonymised(obj)

    def get_deleted_objects(self, objs, request):
        # "Delete selected" asks without a record; anonymised ones among the selection block the deletion.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, [*protected, *(str(obj) for obj in objs if is_anonymised(obj))]
