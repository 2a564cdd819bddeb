"""The outcome of a dialogue: register and publish it, add rows, turn a proposal into a system change."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kremlib.formsets import requested_index, with_one_more_row
from kremlib.http import safe_next
from kremlib.permissions import can
from kremlib.versioning import save_or_conflict
from participants.personal_data import PersonalData

from .. import services
from ..forms_outcome import (
    OUTCOME_FORMSETS,
    NextForm,
    OutcomeForm,
    empty_outcome_row,
    outcome_formsets,
)
from ..models import (
    Dialogue,
    DialogueStatus,
    Outcome,
    Proposal,
)
from .common import CHANGE_DIALOGUE, get_dialogue_for_user


def get_or_start_outcome(dialogue):
    """The dialogue's outcome, or a new one that starts and ends when the dialogue was planned to."""
    try:
        return dialogue.outcome  # the reverse accessor also sets outcome.dialogue: no second query
    except Outcome.DoesNotExist:
        # The planned time only once it has passed: pre-filled with a future time, the form invited the error
        # "cannot have been held in the future".
        if not dialogue.has_begun():
            return Outcome(dialogue=dialogue)
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
