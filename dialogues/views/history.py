"""Change history of dialogues and outcomes, and restoring an earlier version."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kremlib.history import Source
from kremlib.history_views import render_history, restore_version
from kremlib.permissions import can

from ..models import (
    AgendaItem,
    Dialogue,
    DocumentationLink,
    Feedback,
    FollowUpAction,
    Headcount,
    Insight,
    Outcome,
    Proposal,
)
from .common import get_dialogue_for_user

# A dialogue's status and cancel reason move through their own steps (cancel, register the outcome), and an
# outcome stays published once published: restoring an earlier version leaves these as they are.
DIALOGUE_KEEP = ("project", "status", "cancel_reason")
OUTCOME_KEEP = ("dialogue", "status", "published_at")
# Who raised an insight or gave feedback is never shown on the dialogue's pages; nor in its history.
NOT_SHOWN = ("dialogue", "participant")


def dialogue_crumbs(dialogue):
    return [
        (gettext_lazy("Dialogues"), reverse("dialogues:dialogue_list")),
        (dialogue.project.title, dialogue.project.get_absolute_url()),
        (dialogue.title, dialogue.get_absolute_url()),
    ]


# History shows drafts and every earlier wording, so only those who plan and record the dialogue see it:
# a participant sees the published outcome, not how it was written.
def dialogue_history(request, pk):
    dialogue = get_dialogue_for_user(request.user, pk, "dialogues.change_dialogue")
    of_dialogue = {"dialogue_id": dialogue.pk}
    may_restore = can(request.user, "dialogues.restore_dialogue", dialogue)
    return render_history(
        request,
        obj=dialogue,
        sources=[
            Source(Dialogue, {"id": dialogue.pk}, exclude=("project",)),  # never changes; in the breadcrumbs
            Source(AgendaItem, of_dialogue, gettext_lazy("Agenda item"), "title", exclude=NOT_SHOWN),
            Source(Headcount, of_dialogue, gettext_lazy("Anonymous headcount"), "perspective", exclude=NOT_SHOWN),
        ],
        heading=dialogue.title,
        crumbs=dialogue_crumbs(dialogue),
        restore_url=(lambda record: reverse("dialogues:dialogue_restore", args=[dialogue.pk, record.history_id]))
        if may_restore
        else None,
        project_id=dialogue.project_id,
    )


def dialogue_restore(request, pk, history_id):
    dialogue = get_dialogue_for_user(request.user, pk)
    return restore_version(
        request,
        obj=dialogue,
        history_id=history_id,
        may_restore=can(request.user, "dialogues.restore_dialogue", dialogue),
        keep=DIALOGUE_KEEP,
        history_url=reverse("dialogues:dialogue_history", args=[dialogue.pk]),
        heading=dialogue.title,
        crumbs=dialogue_crumbs(dialogue),
    )


def outcome_crumbs(dialogue):
    return dialogue_crumbs(dialogue) + [(gettext_lazy("Outcome"), f"{dialogue.get_absolute_url()}#outcome")]


def outcome_history(request, pk):
    """The outcome and its five lists, for those who plan and record the dialogue."""
    dialogue = get_dialogue_for_user(request.user, pk, "dialogues.change_dialogue")
    outcome = Outcome.objects.filter(dialogue=dialogue).first()
    of_dialogue = {"dialogue_id": dialogue.pk}
    may_restore = outcome is not None and can(request.user, "dialogues.restore_outcome", outcome)
    return render_history(
        request,
        obj=outcome or Outcome(dialogue=dialogue),
        sources=[
            Source(Outcome, of_dialogue, exclude=("dialogue",)),
            Source(
                Insight,
                of_dialogue,
                gettext_lazy("Insight"),
                "text",
                exclude=NOT_SHOWN,
                quote_of="participant_id",
                quote_fields=("text",),
            ),
            Source(Proposal, of_dialogue, gettext_lazy("Proposal"), "text", exclude=NOT_SHOWN),
            Source(FollowUpAction, of_dialogue, gettext_lazy("Follow-up action"), "what", exclude=NOT_SHOWN),
            Source(DocumentationLink, of_dialogue, gettext_lazy("Documentation link"), "title", exclude=NOT_SHOWN),
            Source(Feedback, of_dialogue, gettext_lazy("Feedback"), "perspective", exclude=NOT_SHOWN),
        ],
        heading=_("Outcome of %(dialogue)s") % {"dialogue": dialogue.title},
        crumbs=outcome_crumbs(dialogue),
        restore_url=(lambda record: reverse("dialogues:outcome_restore", args=[dialogue.pk, record.history_id]))
        if may_restore
        else None,
        project_id=dialogue.project_id,
    )


def outcome_restore(request, pk, history_id):
    dialogue = get_dialogue_for_user(request.user, pk)
    outcome = get_object_or_404(Outcome, dialogue=dialogue)
    return restore_version(
        request,
        obj=outcome,
        history_id=history_id,
        may_restore=can(request.user, "dialogues.restore_outcome", outcome),
        keep=OUTCOME_KEEP,
        history_url=reverse("dialogues:outcome_history", args=[dialogue.pk]),
        heading=_("Outcome of %(dialogue)s") % {"dialogue": dialogue.title},
        crumbs=outcome_crumbs(dialogue),
    )
