"""What the dialogues app holds about a person, registered for participants' merge, export, erasure and retention.

`register_personal_data()` runs once, from DialoguesConfig.ready(); participants/registry.py says what each
field means. Nothing here runs a query until a service walks the registry.
"""

from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext, gettext_lazy

from participants.registry import AccountRows, OwnItem, OwnPart, Rows, SharedTexts, TookPart, register

from .models import (
    ActionStatus,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Dialogue,
    DocumentationLink,
    Feedback,
    FollowUpAction,
    Insight,
    InsightPerspective,
    Outcome,
    OutcomeComment,
    Proposal,
)


def _move_attendances(keep, duplicate):
    kept_dialogues = set(keep.attendances.values_list("dialogue_id", flat=True))
    for attendance in duplicate.attendances.all():
        if attendance.dialogue_id in kept_dialogues:
            # Both records attended: one person, one row. The kept record's row (and perspective) stays.
            attendance.delete()
        else:
            attendance.participant = keep
            attendance.save(update_fields=["participant"])


def _move_facilitation(keep, duplicate):
    for dialogue in duplicate.facilitated_dialogues.all():
        dialogue.facilitating_participants.add(keep)
        dialogue.facilitating_participants.remove(duplicate)


def _attendances(participant):
    return [
        {
            "dialogue": a.dialogue.title,
            "dialogue_id": a.dialogue_id,
            "project": a.dialogue.project.title,
            "starts_at": a.dialogue.starts_at,
            "time_precision": a.dialogue.time_precision,
            "perspective": a.perspective,
        }
        for a in participant.attendances.select_related("dialogue__project").order_by("dialogue__starts_at")
    ]


def _facilitated_dialogues(participant):
    return [
        {"dialogue": d.title, "dialogue_id": d.pk, "starts_at": d.starts_at, "time_precision": d.time_precision}
        for d in participant.facilitated_dialogues.order_by("starts_at")
    ]


def _insights(participant):
    return [
        {
            "id": i.pk,
            "dialogue": i.dialogue.title,
            "text": i.text,
            "perspective": i.perspective,
            "created_at": i.created_at,
        }
        for i in participant.insights.select_related("dialogue").order_by("created_at", "pk")
    ]


def _feedback(participant):
    return [
        {"id": f.pk, "dialogue": f.dialogue.title, "perspective": f.perspective, "note": f.note, "rating": f.rating}
        for f in participant.feedback.select_related("dialogue").order_by("pk")
    ]


def _outcome_comments(participant):
    return [
        {
            "id": c.pk,
            "dialogue": c.outcome.dialogue.title,
            "confirmed": c.confirmed,
            "text": c.text,
            "created_at": c.created_at,
        }
        for c in participant.outcome_comments.select_related("outcome__dialogue").order_by("created_at", "pk")
    ]


def _follow_up_actions(participant):
    return [
        {"id": a.pk, "dialogue": a.dialogue.title, "what": a.what, "due_date": a.due_date, "status": a.status}
        for a in participant.follow_up_actions.select_related("dialogue").order_by("pk")
    ]


def _dialogues_and_projects(ids) -> dict[str, set[int]]:
    """The dialogues the person (any of `ids`) attended (also where the attendance was removed since),
    facilitated, answers an action in or wrote an insight, feedback or comment in; and those dialogues' projects."""
    sources = [
        Attendance.objects.filter(participant_id__in=ids).values_list("dialogue_id", flat=True),
        Attendance.history.filter(participant_id__in=ids).values_list("dialogue_id", flat=True),
        Dialogue.facilitating_participants.through.objects.filter(participant_id__in=ids).values_list(
            "dialogue_id", flat=True
        ),
        FollowUpAction.objects.filter(responsible_participant_id__in=ids).values_list("dialogue_id", flat=True),
        Insight.objects.filter(participant_id__in=ids).values_list("dialogue_id", flat=True),
        Feedback.objects.filter(participant_id__in=ids).values_list("dialogue_id", flat=True),
        OutcomeComment.objects.filter(participant_id__in=ids).values_list("outcome__dialogue_id", flat=True),
    ]
    dialogues = {pk for source in sources for pk in source}
    projects = set(Dialogue._base_manager.filter(pk__in=dialogues).values_list("project_id", flat=True))
    return {"dialogue": dialogues, "project": projects}


def _visible(user, dialogue_path="dialogue"):
    """Annotates each row with whether the user may open its dialogue, so a link is never a 404."""
    return Exists(Dialogue.objects.visible_to(user).filter(pk=OuterRef(f"{dialogue_path}_id")))


def _link(row, dialogue):
    return dialogue.get_absolute_url() if row.may_open else ""


def _own_attendances(participant, user, limit=None):
    rows = participant.attendances.select_related("dialogue").annotate(may_open=_visible(user))
    return [
        OwnItem(
            a.dialogue.title,
            _link(a, a.dialogue),
            a.dialogue.starts_at,
            detail=a.get_perspective_display(),
            when_text=a.dialogue.when_display,
        )
        for a in rows.order_by(F("dialogue__starts_at").desc(nulls_last=True), "-pk")[:limit]
    ]


def _own_insights(participant, user, limit=None):
    rows = participant.insights.select_related("dialogue").annotate(may_open=_visible(user))
    return [
        OwnItem(i.dialogue.title, _link(i, i.dialogue), i.created_at, i.text, i.get_perspective_display())
        for i in rows.order_by("-created_at", "-pk")[:limit]
    ]


def _own_feedback(participant, user, limit=None):
    rows = participant.feedback.select_related("dialogue").annotate(may_open=_visible(user))
    return [
        OwnItem(
            f.dialogue.title,
            _link(f, f.dialogue),
            f.dialogue.starts_at,
            f.note,
            gettext("Rating %(rating)s of 5") % {"rating": f.rating} if f.rating else "",
            when_text=f.dialogue.when_display,
        )
        for f in rows.order_by(F("dialogue__starts_at").desc(nulls_last=True), "-pk")[:limit]
    ]


def _own_comments(participant, user, limit=None):
    rows = participant.outcome_comments.select_related("outcome__dialogue").annotate(
        may_open=_visible(user, "outcome__dialogue")
    )
    return [
        OwnItem(
            c.outcome.dialogue.title,
            _link(c, c.outcome.dialogue),
            c.created_at,
            c.text,
            gettext("Confirmed the summary") if c.confirmed else "",
        )
        for c in rows.order_by("-created_at", "-pk")[:limit]
    ]


def _own_actions(participant, user, limit=None):
    rows = participant.follow_up_actions.select_related("dialogue").annotate(may_open=_visible(user))
    return [
        OwnItem(a.dialogue.title, _link(a, a.dialogue), a.due_date, a.what, a.get_status_display())
        for a in rows.order_by("status", "due_date", "pk")[:limit]
    ]


def register_personal_data():
    register(
        # Merge moves these in this order; export lists them in this order.
        Rows(
            Attendance,
            "participant",
            move=_move_attendances,
            section="attendances",
            heading=gettext_lazy("Gatherings attended"),
            export=_attendances,
            unlink_history=True,
            activity=("dialogue__ends_at",),
        ),
        Rows(
            Dialogue.facilitating_participants.through,
            "participant",
            move=_move_facilitation,
            section="facilitated_dialogues",
            heading=gettext_lazy("Gatherings facilitated"),
            export=_facilitated_dialogues,
        ),
        Rows(
            Insight,
            "participant",
            section="insights",
            heading=gettext_lazy("Insights"),
            export=_insights,
            labels=(("perspective", [(InsightPerspective.JOINT.value, InsightPerspective.JOINT.label)]),),
            history=("id", "dialogue_id", "text", "perspective"),
            text="text",
            activity=("created_at",),
        ),
        Rows(
            Feedback,
            "participant",
            section="feedback",
            heading=gettext_lazy("Feedback"),
            export=_feedback,
            history=("id", "dialogue_id", "perspective", "note", "rating"),
            text="note",
            # Feedback has no date of its own: its dialogue's end and its change history.
            activity=("dialogue__ends_at",),
            activity_in_history=True,
        ),
        Rows(
            OutcomeComment,
            "participant",
            section="outcome_comments",
            heading=gettext_lazy("Comments on summaries"),
            export=_outcome_comments,
            history=("id", "outcome_id", "confirmed", "text"),
            text="text",
            activity=("created_at",),
        ),
        Rows(
            FollowUpAction,
            "responsible_participant",
            section="follow_up_actions",
            heading=gettext_lazy("Follow-up actions"),
            labels=(("status", ActionStatus.choices),),
            export=_follow_up_actions,
            text="what",
        ),
        TookPart(_dialogues_and_projects),
        # Free text that anyone may write about a dialogue, and so may name a person who took part.
        SharedTexts(Dialogue, ("title", "purpose", "cancel_reason", "venue"), "dialogue", "id"),
        SharedTexts(AgendaItem, ("title",), "dialogue", "dialogue"),
        SharedTexts(Outcome, ("summary", "framework_answer"), "dialogue", "dialogue"),
        SharedTexts(Insight, ("text",), "dialogue", "dialogue"),
        SharedTexts(Proposal, ("text",), "dialogue", "dialogue"),
        SharedTexts(FollowUpAction, ("what",), "dialogue", "dialogue"),
        SharedTexts(DocumentationLink, ("title",), "dialogue", "dialogue"),
        SharedTexts(Feedback, ("note",), "dialogue", "dialogue"),
        SharedTexts(OutcomeComment, ("text",), "dialogue", "outcome__dialogue"),
        AccountRows(CalendarFeed, "user"),
        # "Min side": what the person took part in, in this order.
        OwnPart("attended", gettext_lazy("Gatherings I attended"), _own_attendances),
        OwnPart("insights", gettext_lazy("My insights"), _own_insights),
        OwnPart("feedback", gettext_lazy("My feedback"), _own_feedback),
        OwnPart("comments", gettext_lazy("My comments on summaries"), _own_comments),
        OwnPart("actions", gettext_lazy("Follow-up actions I answer for"), _own_actions),
    )
