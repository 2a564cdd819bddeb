"""Attendance, outcome and follow-up of a dialogue. Views: see dialogues/urls.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import F, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kremlib.formsets import requested_index, with_one_more_row
from kremlib.http import is_htmx, paginate
from kremlib.permissions import can
from kremlib.versioning import save_or_conflict
from participants.personal_data import PersonalData, with_name_consents
from projects.models import Project

from .. import services
from ..forms_outcome import (
    OUTCOME_FORMSETS,
    ActionDoneForm,
    AttendeeForm,
    HeadcountForm,
    NewParticipantForm,
    NextForm,
    OutcomeForm,
    empty_outcome_row,
    outcome_formsets,
)
from ..models import (
    ActionStatus,
    Dialogue,
    DialogueStatus,
    FollowUpAction,
    Outcome,
    Proposal,
)
from ..naming import with_responsible_names
from .common import get_dialogue_for_user

CHANGE_DIALOGUE = "dialogues.change_dialogue"


def safe_next(request, url, fallback):
    """`url` if it is an address on this site, else `fallback`: never send people to another site."""
    # Only a path ("/..."): redirect() would take any other string for the name of a view, and fail.
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    ):
        return url
    return fallback


# Attendance

ATTENDANCE_ACTIONS = ("add", "quick_add", "headcounts")


def attendance(request, pk):
    """Register who attended: named people, new people added on the spot, and anonymous headcounts.

    The page has three forms that post here; the hidden field `action` says which one was sent."""
    dialogue = get_dialogue_for_user(request.user, pk, CHANGE_DIALOGUE)
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST" and action not in ATTENDANCE_ACTIONS:
        return HttpResponseBadRequest(_("Unknown form."))

    def data_for(name):
        return request.POST if action == name else None

    add_form = AttendeeForm(data_for("add"), dialogue=dialogue, user=request.user, prefix="add")
    new_form = NewParticipantForm(data_for("quick_add"), prefix="new")
    counts = dict(dialogue.headcounts.values_list("perspective", "count"))
    count_form = HeadcountForm(data_for("headcounts"), counts=counts, prefix="count")
    here = reverse("dialogues:attendance", args=[dialogue.pk])

    if action == "add" and add_form.is_valid():
        participant = add_form.cleaned_data["participant"]
        try:
            services.register_attendance(
                dialogue=dialogue, participant=participant, perspective=add_form.cleaned_data["perspective"]
            )
        except services.AlreadyAttending:
            add_form.add_error(
                "participant",
                _("%(name)s is already registered as attending this dialogue.")
                % {"name": PersonalData(request.user).name(participant, dialogue.project_id)},
            )
        else:
            messages.success(
                request,
                _("%(name)s was registered as attending.")
                % {"name": PersonalData(request.user).name(participant, dialogue.project_id)},
            )
            return redirect(here)
    elif action == "quick_add" and new_form.is_valid():
        attendance = services.register_new_attendee(dialogue=dialogue, **new_form.cleaned_data)
        messages.success(
            request,
            _("%(name)s was added and registered as attending.") % {"name": attendance.participant.display_name},
        )
        return redirect(here)
    elif action == "headcounts" and count_form.is_valid():
        services.save_headcounts(dialogue=dialogue, counts=count_form.counts())
        messages.success(request, _("The anonymous headcounts were saved."))
        return redirect(here)

    context = {
        "dialogue": dialogue,
        "add_form": add_form,
        "new_form": new_form,
        "count_form": count_form,
        **shown_attendees(request.user, dialogue),
        "attendance_totals": services.attendance_totals(dialogue),
    }
    return render(request, "dialogues/attendance.html", context)


def shown_attendees(user, dialogue):
    """The attendees whose names the user may see (participants.services.PersonalData), and how many others."""
    people = PersonalData(user)
    attendances = list(
        dialogue.attendances.select_related("participant__organisation").prefetch_related(
            with_name_consents("participant")
        )
    )
    shown = [a for a in attendances if people.shows_name(a.participant, dialogue.project_id)]
    return {"attendees": shown, "attendees_hidden": len(attendances) - len(shown)}


@require_POST
def attendance_remove(request, pk, attendance_pk):
    """Remove a named attendee. Only those the page lists (names the user may see) can be removed here: an
    attendance the user may not see named is not found (404), whatever its id."""
    dialogue = get_dialogue_for_user(request.user, pk, CHANGE_DIALOGUE)
    people = PersonalData(request.user)
    attendance = get_object_or_404(
        dialogue.attendances.select_related("participant").prefetch_related(with_name_consents("participant")),
        pk=attendance_pk,
    )
    if not people.shows_name(attendance.participant, dialogue.project_id):
        raise Http404
    attendance.delete()
    messages.success(
        request,
        _("%(name)s is no longer registered as attending.")
        % {"name": people.name(attendance.participant, dialogue.project_id)},
    )
    return redirect("dialogues:attendance", pk=dialogue.pk)


# Outcome


def get_or_start_outcome(dialogue):
    """The dialogue's outcome, or a new one that starts and ends when the dialogue was planned to."""
    try:
        return dialogue.outcome  # the reverse accessor also sets outcome.dialogue: no second query
    except Outcome.DoesNotExist:
        return Outcome(dialogue=dialogue, actual_start=dialogue.starts_at, actual_end=dialogue.ends_at)


def error_summary(form, formsets):
    """Every error of the page, each with the id of the field (or row) it belongs to, for the summary at the top."""
    errors = [("", error) for error in form.non_field_errors()]
    errors += [
        (form[name].auto_id, f"{form[name].label}: {error}")
        for name in form.errors
        if name != "__all__"
        for error in form.errors[name]
    ]
    for formset in formsets.values():
        errors += [(f"rows-{formset.prefix}", f"{formset.title}: {error}") for error in formset.non_form_errors()]
        for number, row in enumerate(formset.forms, start=1):
            if formset.can_delete and formset._should_delete_form(row):
                continue
            where = f"{formset.row_label} {number}"
            errors += [(f"row-{row.prefix}", f"{where}: {error}") for error in row.non_field_errors()]
            errors += [
                (row[name].auto_id, f"{where}, {row[name].label.lower()}: {error}")
                for name in row.errors
                if name != "__all__" and name in row.fields
                for error in row.errors[name]
            ]
    return errors


def outcome_edit(request, pk):
    """Register what came out of the dialogue, on one page: times, summary, the framework question and five lists.

    Without JavaScript, an "add row" button posts the page back with one more row of its list and saves nothing."""
    dialogue = get_dialogue_for_user(request.user, pk, CHANGE_DIALOGUE)
    if dialogue.status == DialogueStatus.CANCELLED:
        messages.error(request, _("A cancelled dialogue has no outcome. Plan it again with “Duplicate”."))
        return redirect(dialogue)
    outcome = get_or_start_outcome(dialogue)
    data = request.POST if request.method == "POST" else None
    form = OutcomeForm(data, instance=outcome)
    formsets = outcome_formsets(dialogue, data, user=request.user)
    submitted = False
    if data is not None and "add_row" in data:
        if data["add_row"] in formsets:
            formsets[data["add_row"]] = with_one_more_row(formsets[data["add_row"]])
    elif data is not None:
        submitted = True
        if form.is_valid() and all([formset.is_valid() for formset in formsets.values()]):
            publish = "publish" in data
            was_published = outcome.is_published

            def save():
                # The outcome and its five lists are one edit: a conflict on the outcome refuses all of it.
                saved = services.save_outcome(outcome=form.save(commit=False), publish=publish)
                for formset in formsets.values():
                    formset.save()
                return saved

            try:
                saved = save_or_conflict(save)
            except IntegrityError:
                # Two people registered the first outcome at the same moment; the other one was first.
                saved = None
                form.add_error(
                    None,
                    _(
                        "Someone else registered the outcome at the same time, so nothing was saved. "
                        "Open the outcome again to see theirs; what you typed is still below."
                    ),
                )
            if saved is not None:
                if saved.is_published and not was_published:
                    messages.success(request, _("The outcome was published."))
                elif saved.is_published:
                    messages.success(
                        request, _("The changes were saved. Earlier versions are kept in the change history.")
                    )
                else:
                    messages.success(request, _("The draft was saved."))
                return redirect("dialogues:outcome_edit", pk=dialogue.pk)
    context = {
        "dialogue": dialogue,
        "outcome": outcome,
        "form": form,
        "formsets": formsets.values(),
        "errors": error_summary(form, formsets) if submitted else [],
        "history": outcome_history_entries(request.user, outcome),
    }
    return render(request, "dialogues/outcome_form.html", context)


def outcome_history_entries(user, outcome):
    """The outcome's latest 20 versions, each with who saved it as the naming policy lets the user see them."""
    if not outcome.pk:
        return []
    people = PersonalData(user)
    records = list(people.prefetch_accounts(outcome.history.select_related("history_user"), "history_user")[:20])
    for record in records:
        record.who = people.user_label(record.history_user)
    return records


@require_GET
def outcome_row(request, formset):
    """One empty row of the named list, for the htmx "add row" buttons. Needs ?dialogue=<pk>&index=<n>."""
    if formset not in OUTCOME_FORMSETS:
        raise Http404
    try:
        dialogue_pk = int(request.GET.get("dialogue", ""))
    except ValueError:
        raise Http404 from None
    dialogue = get_dialogue_for_user(request.user, dialogue_pk, CHANGE_DIALOGUE)
    index = requested_index(request, OUTCOME_FORMSETS[formset])
    rows, form = empty_outcome_row(dialogue, formset, index, user=request.user)
    return render(request, "dialogues/partials/outcome_row.html", {"form": form, "formset": rows, "number": index + 1})


@require_POST
def adopt_proposal(request, proposal_pk):
    """Make a system-change proposal a system change of the project. A second click changes nothing."""
    proposal = get_object_or_404(
        Proposal.objects.filter(dialogue__in=Dialogue.objects.visible_to(request.user)).select_related(
            "dialogue__project"
        ),
        pk=proposal_pk,
    )
    dialogue = proposal.dialogue
    if not can(request.user, CHANGE_DIALOGUE, dialogue):
        raise PermissionDenied
    form = NextForm(request.POST)
    form.is_valid()
    next_url = safe_next(request, form.cleaned_data.get("next"), f"{dialogue.get_absolute_url()}#outcome")
    if not proposal.level:
        messages.error(
            request,
            _("Only a proposal with a system level (framework, guideline or practice) can become a system change."),
        )
    elif proposal.system_change_id:
        messages.info(request, _("This proposal is already a system change of the project."))
    else:
        services.adopt_proposal(proposal=proposal)
        messages.success(
            request, _("The proposal is now a system change of “%(project)s”.") % {"project": dialogue.project.title}
        )
    return redirect(next_url)


# Follow-up actions


def actions_in_visible_projects(user):
    """Open actions of the projects the user is a member of (every project for coordinators), ordered by project
    and due date, for grouping. Not those of dialogues a participant merely attended: they find their own
    actions under "mine", and may not mark the others done."""
    return (
        FollowUpAction.objects.open()
        .filter(dialogue__in=Dialogue.objects.visible_to(user), dialogue__project__in=Project.objects.visible_to(user))
        .for_list()
        .order_by("dialogue__project__title", "dialogue__project_id", F("due_date").asc(nulls_last=True), "pk")
    )


def action_overview(request):
    """My open actions, and the open actions of every project I may see (every project for coordinators).

    Every action on this page may be marked done by the user: they answer for it, or they are a member of
    its project (or a coordinator), so the rows need no permission query each."""
    people = PersonalData(request.user)
    mine = with_responsible_names(
        people,
        FollowUpAction.objects.responsible(request.user)
        .open()
        .filter(dialogue__in=Dialogue.objects.alive())
        .for_list(),
    )
    page = paginate(request, actions_in_visible_projects(request.user))
    page.object_list = with_responsible_names(people, page.object_list)
    return render(request, "dialogues/action_overview.html", {"mine": mine, "page": page})


@require_POST
def action_done(request, action_pk):
    """Mark a follow-up action done. With htmx the answer is the updated row; otherwise a redirect back."""
    visible = Q(dialogue__in=Dialogue.objects.visible_to(request.user))
    mine = Q(
        pk__in=FollowUpAction.objects.responsible(request.user)
        .filter(dialogue__in=Dialogue.objects.alive())
        .values("pk")
    )
    action = get_object_or_404(FollowUpAction.objects.filter(visible | mine).for_list(), pk=action_pk)
    if not can(request.user, "dialogues.change_followupaction", action):
        raise PermissionDenied
    was_open = action.status == ActionStatus.OPEN
    services.complete_action(action=action)
    form = ActionDoneForm(request.POST)
    form.is_valid()
    if is_htmx(request):
        with_responsible_names(PersonalData(request.user), [action])
        context = {"action": action, "show_dialogue": form.cleaned_data.get("show_dialogue"), "can_change": True}
        return render(request, "dialogues/partials/action_row.html", context)
    if was_open:
        messages.success(request, _("The action was marked done."))
    return redirect(safe_next(request, form.cleaned_data.get("next"), reverse("dialogues:action_overview")))
