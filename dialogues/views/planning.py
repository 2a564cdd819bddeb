"""Plan dialogues: list, page, create, edit, cancel, duplicate and delete."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kremlib.formsets import empty_row, requested_index, with_one_more_row
from kremlib.http import PAGE_SIZE, is_htmx, paginate
from kremlib.permissions import can
from kremlib.softdelete import RESTORE_DAYS
from kremlib.versioning import save_or_conflict
from participants.personal_data import PersonalData, with_name_consents, with_quoting_consents
from projects.panels import BLOCK_LIMIT
from projects.views import get_project_for_user

from .. import services
from ..filters import DialogueFilter
from ..forms import (
    AgendaFormSet,
    CancelForm,
    DialogueForm,
    DuplicateForm,
    initial_duplicate_start,
)
from ..forms_contributions import OutcomeCommentForm, OwnFeedbackForm, OwnInsightForm
from ..models import Dialogue, Outcome
from ..naming import with_responsible_names
from ..rules import is_responsible
from .common import get_dialogue_for_user


def filtered_dialogues(request):
    """The dialogue list's filter over the dialogues the user sees (the page and its exports)."""
    dialogues = Dialogue.objects.visible_to(request.user).for_list().with_attended(request.user)
    return DialogueFilter(request.GET, queryset=dialogues, user=request.user)


def dialogue_list(request):
    """Upcoming dialogues first (soonest first), then past ones (latest first), across visible projects."""
    dialogue_filter = filtered_dialogues(request)
    filtered = dialogue_filter.qs
    upcoming = filtered.upcoming().soonest_first()
    past = filtered.exclude(pk__in=upcoming.values("pk")).latest_first()
    context = {
        "filter": dialogue_filter,
        "upcoming": upcoming[:PAGE_SIZE],
        "upcoming_count": upcoming.count(),
        "page": paginate(request, past),
        "filtered": any(value for key, value in request.GET.items() if key in dialogue_filter.filters),
    }
    template = "dialogues/dialogue_list.html#results" if is_htmx(request) else "dialogues/dialogue_list.html"
    return render(request, template, context)


def dialogue_detail(request, pk):
    """The dialogue, its attendance (counts; names as PersonalData allows) and its outcome.

    A participant who attended also finds the forms for their own insight, feedback and comment here."""
    return dialogue_page(request, get_dialogue_for_user(request.user, pk))


def dialogue_page(request, dialogue, *, bound=None):
    """The dialogue page; `bound` holds a contribution form sent with errors (views/contributions.py), shown
    with what the person typed and why it was not saved, in place of the empty one."""
    user = request.user
    can_change = can(user, "dialogues.change_dialogue", dialogue)
    people = PersonalData(user)
    project_id = dialogue.project_id
    attendances = list(
        dialogue.attendances.select_related("participant").prefetch_related(with_name_consents("participant"))
    )
    attendees = [a for a in attendances if people.shows_name(a.participant, project_id)]
    facilitating = list(dialogue.facilitating_participants.prefetch_related(with_name_consents("")))
    facilitating_shown = [p for p in facilitating if people.shows_name(p, project_id)]
    outcome = Outcome.objects.filter(dialogue=dialogue).first()
    context = {
        "dialogue": dialogue,
        "agenda": dialogue.agenda.all(),
        "facilitators": dialogue.facilitators.all(),
        "facilitating_participants": facilitating_shown,
        "facilitating_hidden": len(facilitating) - len(facilitating_shown),
        "can_change": can_change,
        "can_delete": can(user, "dialogues.delete_dialogue", dialogue),
        "can_view_project": can(user, "projects.view_project", dialogue.project),
        "can_see_names": bool(attendees),
        "outcome": outcome,
        "insights": with_quotes_shown(people, dialogue.insights.select_related("participant")),
        "proposals": dialogue.proposals.all(),
        "actions": with_names_and_rights(people, dialogue.actions.for_list(), user=user, can_change=can_change),
        "links": dialogue.documentation.all(),
        "files": dialogue.files.all(),
        "feedback": dialogue.feedback.all(),
        "balance": services.voice_balance([dialogue]),
        "attendance_totals": services.attendance_totals(dialogue),
        # A gathering of 400 shows the first BLOCK_LIMIT names, with the count of all and a link to all of them:
        # the attendance page for those who register it, else this page with ?alle=attendees.
        "attendees": attendees if request.GET.get("alle") == "attendees" else attendees[:BLOCK_LIMIT],
        "attendee_count": len(attendees),
        "attendees_url": reverse("dialogues:attendance", args=[dialogue.pk])
        if can_change
        else "?alle=attendees#attendance",
        "attendees_hidden": len(attendances) - len(attendees),
        **contribution_context(user, dialogue, outcome, attendances, people, bound or {}),
    }
    return render(request, "dialogues/dialogue_detail.html", context)


def contribution_context(user, dialogue, outcome, attendances, people, bound):
    """The participant role's forms, for whoever may use them, and the comments on a draft outcome.

    The feedback form shows the feedback already given (sending again replaces it). A confirmation or error
    after sending is shown in the form's own section (`message_anchors`), where the page lands."""
    mine = next((a for a in attendances if user.is_authenticated and a.participant.user_id == user.pk), None)
    context = {
        "my_attendance": mine,
        "insight_form": None,
        "feedback_form": None,
        "my_feedback": None,
        "comment_form": None,
        "comments": [],
        "my_confirmation": None,
        "message_anchors": [],
    }
    if can(user, "dialogues.add_own_insight", dialogue):
        context["insight_form"] = bound.get("insight") or OwnInsightForm(prefix="insight")
    if can(user, "dialogues.add_own_feedback", dialogue):
        given = dialogue.feedback.filter(participant=mine.participant).first()
        initial = {"note": given.note, "rating": given.rating} if given else None
        context["my_feedback"] = given
        context["feedback_form"] = bound.get("feedback") or OwnFeedbackForm(prefix="feedback", initial=initial)
    if context["insight_form"] or context["feedback_form"]:
        context["message_anchors"].append("contribute")
    if outcome is None or outcome.is_published:
        return context
    if can(user, "dialogues.comment_outcome", dialogue):
        context["comment_form"] = bound.get("comment") or OutcomeCommentForm(prefix="comment")
        context["message_anchors"].append("outcome")
        context["my_confirmation"] = outcome.comments.filter(participant=mine.participant, confirmed=True).first()
    if can(user, "dialogues.view_outcome_comments", dialogue):
        comments = list(
            outcome.comments.select_related("participant").prefetch_related(with_name_consents("participant"))
        )
        for comment in comments:
            comment.author_shown = people.shows_name(comment.participant, dialogue.project_id)
        context["comments"] = comments
    return context


def with_quotes_shown(people, insights):
    """The insights, each with `quote_shown`: False when its author withdrew their consent to quoting."""
    insights = list(insights.prefetch_related(with_quoting_consents("participant")))
    for insight in insights:
        insight.quote_shown = people.shows_quote(insight.participant)
    return insights


def with_names_and_rights(people, actions, *, user, can_change):
    """The actions, each with `responsible_name_shown` and `can_mark_done` (no query per row)."""
    actions = with_responsible_names(people, actions)
    for action in actions:
        action.can_mark_done = can_change or is_responsible(user, action)
    return actions


def dialogue_create(request, slug):
    project = get_project_for_user(request.user, slug)
    if not can(request.user, "dialogues.add_dialogue", project):
        raise PermissionDenied
    return dialogue_form(request, Dialogue(project=project, municipality=project.municipalities.first()))


def dialogue_edit(request, pk):
    return dialogue_form(request, get_dialogue_for_user(request.user, pk, "dialogues.change_dialogue"))


def dialogue_form(request, dialogue):
    data = request.POST if request.method == "POST" else None
    form = DialogueForm(data, instance=dialogue, project=dialogue.project, user=request.user)
    formset = AgendaFormSet(data, instance=dialogue, prefix="agenda")
    if data is not None and "add_agenda_row" in data:
        formset = with_one_more_row(formset)
    elif data is not None and form.is_valid() and formset.is_valid():

        def save():
            return save_agenda(formset, form.save())

        if saved := save_or_conflict(save):
            messages.success(request, _("The dialogue “%(title)s” was saved.") % {"title": saved.title})
            return redirect(saved)
    return render(request, "dialogues/dialogue_form.html", {"form": form, "formset": formset, "dialogue": dialogue})


def save_agenda(formset, dialogue):
    """Save the agenda rows in the order the user gave them, and delete the rows marked for deletion."""
    formset.instance = dialogue
    formset.save(commit=False)
    for item in formset.deleted_objects:
        item.delete()
    for position, agenda_form in enumerate(formset.ordered_forms):
        agenda_form.instance.dialogue = dialogue
        agenda_form.instance.order = position
        agenda_form.instance.save()
    return dialogue


def agenda_row(request):
    """One empty agenda row for the htmx 'add item' button."""
    form = empty_row(AgendaFormSet(prefix="agenda"), requested_index(request, AgendaFormSet))
    return render(request, "dialogues/partials/agenda_row.html", {"form": form})


def dialogue_cancel(request, pk):
    dialogue = get_dialogue_for_user(request.user, pk, "dialogues.change_dialogue")
    form = CancelForm(request.POST or None, instance=dialogue)
    if request.method == "POST" and form.is_valid():

        def save():
            return services.cancel_dialogue(dialogue=form.save(commit=False), reason=form.cleaned_data["cancel_reason"])

        if save_or_conflict(save):
            messages.success(request, _("The dialogue was cancelled."))
            return redirect(dialogue)
    return render(request, "dialogues/dialogue_cancel.html", {"form": form, "dialogue": dialogue})


def dialogue_duplicate(request, pk):
    dialogue = get_dialogue_for_user(request.user, pk, "dialogues.change_dialogue")
    form = DuplicateForm(request.POST or None, initial={"starts_at": initial_duplicate_start(dialogue)})
    if request.method == "POST" and form.is_valid():
        copy = services.duplicate_dialogue(dialogue=dialogue, starts_at=form.cleaned_data["starts_at"])
        messages.success(request, _("A copy was planned. Check the details below."))
        return redirect("dialogues:dialogue_edit", pk=copy.pk)
    return render(request, "dialogues/dialogue_duplicate.html", {"form": form, "dialogue": dialogue})


def dialogue_delete(request, pk):
    """Ask first (GET); delete on POST. The dialogue goes to "Deleted items", where a coordinator can restore it."""
    dialogue = get_dialogue_for_user(request.user, pk, "dialogues.delete_dialogue")
    if request.method == "POST":
        services.delete_dialogue(dialogue=dialogue)
        messages.success(
            request,
            _(
                "The dialogue “%(title)s” was deleted. A coordinator can restore it from “Deleted items” for %(days)s days."
            )
            % {"title": dialogue.title, "days": RESTORE_DAYS},
        )
        return redirect(dialogue.project)
    return render(request, "dialogues/dialogue_delete.html", {"dialogue": dialogue, "days": RESTORE_DAYS})
