"""The Django admin keeps the app's promises about edits and deletions (krem/versioning.py).

- `VersionedAdminMixin`: an admin edit opened on an old version is refused with the same message as in the app,
  and nothing is saved.
- `SoftDeleteAdminMixin`: deleting (one row, or the "delete selected" action) moves rows to "Deleted items"
  through the app's own service, so a coordinator can restore them and `manage.py purge_deleted` removes them
  later; the admin never removes them for good. Change lists mark deleted rows and filter by them.

Django imports this module as the krem app's admin module; it registers nothing.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .softdelete import RESTORE_DAYS
from .versioning import VERSION_FIELD, VersionedFormMixin


class VersionedAdminForm(VersionedFormMixin, forms.ModelForm):
    """The admin saves inside its own transaction, with no place to catch VersionConflict (it would be a 500).
    So the versions are compared here, in clean(), under the row lock: a conflict becomes an error on the form
    and nothing is saved. save() then claims the version as usual; the row cannot move in between, since the
    lock (on SQLite the write transaction) is held until the request's transaction ends."""

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get(VERSION_FIELD)
        if opened is not None and not self.instance._state.adding:
            current = type(self.instance)._base_manager.select_for_update().get(pk=self.instance.pk)
            if current.version != opened:
                self.note_conflict(opened, current)
        return cleaned


class VersionedAdminMixin:
    """For the ModelAdmin of a Versioned model. The template renders the hidden version field and the conflict."""

    form = VersionedAdminForm
    change_form_template = "admin/versioned_change_form.html"


class DeletedFilter(admin.SimpleListFilter):
    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(deleted_at__isnull=self.value() == "no")
        return queryset


class SoftDeleteAdminMixin:
    """For the ModelAdmin of a SoftDeletable model. Define `soft_delete(self, obj)`, calling the app's service."""

    def soft_delete(self, obj):
        raise NotImplementedError

    def get_list_display(self, request):
        return [*super().get_list_display(request), "deleted_column"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), DeletedFilter]

    @admin.display(description=_("deleted"), boolean=True, ordering="deleted_at")
    def deleted_column(self, obj):
        return obj.is_deleted

    def get_deleted_objects(self, objs, request):
        # Only the rows themselves: what belongs to them stays with them, so nothing is protected or lost.
        objs = list(objs)
        return [str(obj) for obj in objs], {self.opts.verbose_name_plural: len(objs)}, set(), []

    def delete_model(self, request, obj):
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            if not obj.is_deleted:  # deleting again would restart its RESTORE_DAYS
                self.soft_delete(obj)
        self.message_user(
            request,
            _("Deleted items keeps what you deleted for %(days)s days; a coordinator can restore it from there.")
            % {"days": RESTORE_DAYS},
            messages.INFO,
        )
