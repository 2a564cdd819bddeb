"""The participant registry as CSV or XLSX (kremlib/exports.py), for coordinators, with the list's filters.

Only what the registry list shows, plus when the record was made and anonymised: no contact details (a list of
emails is for a mailing, which needs the contact consent and is not this download). Downloading the list is an
access to the personal data of everyone in it, so it is written in the access log first: one entry per person
(action "exported", reason "download of the registry list"), all at the same moment, so that each person sees it
in their own "who has looked at my data" and a coordinator sees the count in the access log."""

from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from kremlib.exports import Column, export_response, lazily
from kremlib.permissions import require

from . import services
from .filters import ParticipantFilter
from .models import Participant
from .queries import for_registry_list, with_attendance_count


def account(participant):
    if participant.user is None:
        return ""
    return _("yes") if participant.user.is_active else _("deactivated")


REGISTRY_COLUMNS = [
    Column(_("Name"), lambda p: p.display_name),
    Column(_("Usual perspective"), lambda p: p.get_perspective_display()),
    Column(_("Organisation"), lambda p: p.organisation.name if p.organisation else ""),
    Column(_("Attendances"), lambda p: p.attendance_count),
    Column(_("Account"), account),
    Column(_("Created"), lambda p: p.created_at),
    Column(_("Anonymised"), lambda p: p.anonymised_at),
]


@require_safe
def registry_export(request, fmt):
    require(request.user, "participants.view_registry")
    participants = ParticipantFilter(
        request.GET, queryset=with_attendance_count(for_registry_list(Participant.objects.all()))
    ).qs.order_by("display_name", "pk")
    services.log_bulk_access(
        actor=request.user,
        participant_ids=participants.values_list("pk", flat=True),
        action=services.AccessAction.EXPORT,
        reason=services.AccessReason.REGISTRY_EXPORT,
    )
    return export_response(
        lazily(participants), REGISTRY_COLUMNS, fmt=fmt, name="deltakere", sheet_title=_("Participants")
    )
