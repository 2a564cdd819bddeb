"""The History page and "restore this version" of any versioned object; the apps' views call these two.

The caller has fetched and authorised the object (404 outside what the user may see) and says whether the
user may restore; restoring goes through the version check of kremlib.versioning like any edit."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .history import Values, attach_links, field_changes, history_page, raw_changes, record_of
from .http import PAGE_PARAM
from .naming import names_for
from .versioning import restore_form_class, restore_record, save_or_conflict


def render_history(request, *, obj, sources, heading, crumbs, restore_url=None, project_id=None):
    """The history of `obj` (sources[0]) and the rows that belong to it, newest first, a page at a time.

    `restore_url(record)` gives the address of "restore this version" for a record of `obj` itself, or is
    None when the user may not restore. People are named as the naming policy lets the user see them in the
    project `project_id` (none: outside any project)."""
    page = history_page(sources, request.GET.get(PAGE_PARAM), names=names_for(request.user), project_id=project_id)
    if restore_url is not None:
        for entry in page.object_list:
            if entry.is_main and entry.action != "deleted" and entry.record.version < obj.version:
                entry.restore_url = restore_url(entry.record)
    context = {"object": obj, "page": page, "heading": heading, "crumbs": crumbs}
    return render(request, "history/history.html", context)


def restore_version(request, *, obj, history_id, may_restore, keep=(), history_url, heading, crumbs):
    """Confirm (GET) and restore (POST) an earlier version of `obj`. The restore is a new version in history."""
    if not may_restore:
        raise PermissionDenied
    record = get_object_or_404(obj.history.select_related("history_user"), history_id=history_id)
    attach_links(type(obj).history.model, [record])
    form = restore_form_class(type(obj))(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        # On a conflict the page says what changed since it was opened, and carries the new version.
        try:
            restored = save_or_conflict(lambda: restore_record(form=form, record=record, keep=keep))
        except ValidationError as error:
            restored = None
            for message in error.messages:
                form.add_error(None, message)
        if restored is not None:
            messages.success(request, _("The version of %(when)s was restored.") % {"when": _when(record)})
            return redirect(history_url)
    excluded = set(keep) | {"deleted_at"}
    current = record_of(type(obj)._base_manager.get(pk=obj.pk))
    raw = raw_changes(record, current, excluded)
    names = names_for(request.user)
    values = Values(names, getattr(obj, "project_id", None))
    values.want_all(raw)
    values.load()
    context = {
        "object": obj,
        "record": record,
        "who": names.user_label(record.history_user),
        "changes": field_changes(raw, values),
        "form": form,
        "history_url": history_url,
        "heading": heading,
        "crumbs": crumbs,
    }
    return render(request, "history/restore.html", context)


def _when(record):
    return formats.date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
