"""The dialogues app's exports (kremlib/exports.py): the dialogue list, its attendance counts and the open
follow-up actions, each with what its page shows and the same visibility. The responsible person of an action is
named through the naming policy, as on the page; attendance is counts only, never names."""

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kremlib.exports import Column, approx_date, export_response, lazily
from participants.personal_data import PersonalData, with_name_consents
from participants.perspectives import Perspective

from .models import FollowUpAction, TimePrecision
from .views.followup import actions_in_visible_projects, mine_open
from .views.planning import filtered_dialogues


def starts(dialogue):
    """The start as exactly as it is known: date and time, the day, or the month, season or year as written."""
    if dialogue.time_precision == TimePrecision.EXACT:
        return dialogue.starts_at
    return approx_date(timezone.localtime(dialogue.starts_at).date(), dialogue.time_precision)


def ends(dialogue):
    return dialogue.ends_at if dialogue.time_precision == TimePrecision.EXACT else None


DIALOGUE_COLUMNS = [
    Column(_("Title"), lambda d: d.title),
    Column(_("Kind"), lambda d: d.get_kind_display()),
    Column(_("Status"), lambda d: d.get_status_display()),
    Column(_("Starts"), starts),
    Column(_("Ends"), ends),
    Column(_("Venue"), lambda d: d.venue),
    Column(_("Municipality"), lambda d: d.municipality.name if d.municipality else ""),
    Column(_("Project"), lambda d: d.project.title),
    Column(_("Purpose"), lambda d: d.purpose),
    Column(_("Source"), lambda d: d.source),
]


def dialogue_export(request, fmt):
    dialogues = filtered_dialogues(request).qs.order_by("-starts_at", "pk")
    return export_response(lazily(dialogues), DIALOGUE_COLUMNS, fmt=fmt, name="dialoger", sheet_title=_("Dialogues"))


# The counts are the dialogue's stored ones (dialogues/voice_counts.py): named_<perspective>, anonymous_<perspective>.


def _sum(dialogue, kind):
    return sum(getattr(dialogue, f"{kind}_{perspective.value}") for perspective in Perspective)


def _perspective_total(perspective):
    return lambda d: getattr(d, f"named_{perspective.value}") + getattr(d, f"anonymous_{perspective.value}")


ATTENDANCE_COLUMNS = [
    Column(_("Dialogue"), lambda d: d.title),
    Column(_("Kind"), lambda d: d.get_kind_display()),
    Column(_("Status"), lambda d: d.get_status_display()),
    Column(_("Starts"), starts),
    Column(_("Project"), lambda d: d.project.title),
    Column(_("Municipality"), lambda d: d.municipality.name if d.municipality else ""),
    *(Column(perspective.label, _perspective_total(perspective)) for perspective in Perspective),
    Column(_("Registered by name"), lambda d: _sum(d, "named")),
    Column(_("Counted anonymously"), lambda d: _sum(d, "anonymous")),
    Column(_("In all"), lambda d: _sum(d, "named") + _sum(d, "anonymous")),
]


def attendance_export(request, fmt):
    """Who was in the room, in numbers, per dialogue of the list: named attendees and anonymous headcounts by
    perspective (as the dialogue page counts them)."""
    dialogues = filtered_dialogues(request).qs.order_by("-starts_at", "pk")
    return export_response(lazily(dialogues), ATTENDANCE_COLUMNS, fmt=fmt, name="oppmote", sheet_title=_("Attendance"))


def action_columns(people):
    def responsible_person(action):
        if action.responsible_participant is None:
            return ""
        return people.name(action.responsible_participant, action.dialogue.project_id)

    return [
        Column(_("What"), lambda a: a.what),
        Column(_("Status"), lambda a: a.get_status_display()),
        Column(_("Due"), lambda a: a.due_date),
        Column(_("Overdue"), lambda a: a.is_overdue),
        Column(
            _("Responsible organisation"),
            lambda a: a.responsible_organisation.name if a.responsible_organisation else "",
        ),
        Column(_("Responsible person"), responsible_person),
        Column(_("Dialogue"), lambda a: a.dialogue.title),
        Column(_("Project"), lambda a: a.dialogue.project.title),
        Column(_("Mine"), lambda a: a.mine),
    ]


def action_export(request, fmt):
    """The open actions the follow-up page lists: the user's own and those of their projects (every project for
    coordinators), by project and due date."""
    user = request.user
    mine = mine_open(user)
    actions = (
        FollowUpAction.objects.filter(
            Q(pk__in=mine.values("pk")) | Q(pk__in=actions_in_visible_projects(user).values("pk"))
        )
        .for_list()
        .annotate(mine=Exists(mine.filter(pk=OuterRef("pk"))))
        .prefetch_related(with_name_consents("responsible_participant"))
        .order_by("dialogue__project__title", "dialogue__project_id", F("due_date").asc(nulls_last=True), "pk")
    )
    return export_response(
        lazily(actions),
        action_columns(PersonalData(user)),
        fmt=fmt,
        name="oppfolging",
        sheet_title=_("Follow-up actions"),
    )
