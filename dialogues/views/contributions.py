"""The participant role: a person's own contributions to a dialogue they attended.

Each view is POST-only and answers with a redirect back to the dialogue page at the form's section
(Post/Redirect/Get), where the confirmation is shown, in view. Input with errors is not redirected: the
dialogue page is shown again with the form as sent, its errors beside the fields, so nothing typed is lost. Fetch and authorise in one step: 404 for a dialogue the
user may not see, 403 when they may see it but not contribute (dialogues/rules.py: attended_dialogue)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms_contributions import OutcomeCommentForm, OwnFeedbackForm, OwnInsightForm
from ..models import Attendance, Outcome
from .common import get_dialogue_for_user
from .planning import dialogue_page


def own_attendance(user, dialogue):
    """The user's attendance of the dialogue. The permission checked before says there is one; should it be
    gone by now (removed in between), the answer is 404, never a 500."""
    return get_object_or_404(
        Attendance.objects.select_related("participant", "dialogue"), dialogue=dialogue, participant__user=user
    )


def back_to(dialogue, anchor="contribute"):
    return redirect(f"{dialogue.get_absolute_url()}#{anchor}")


def not_saved(request, dialogue, name, form, anchor="contribute"):
    """The dialogue page again, with `form` as sent (what was typed, and why it was not saved)."""
    errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
    messages.error(request, _("Nothing was saved: %(errors)s") % {"errors": errors}, extra_tags=anchor)
    return dialogue_page(request, dialogue, bound={name: form})


@require_POST
def add_insight(request, pk):
    dialogue = get_dialogue_for_user(request.user, pk, "dialogues.add_own_insight")
    form = OwnInsightForm(request.POST, prefix="insight")
    if form.is_valid():
        services.add_own_insight(
            attendance=own_attendance(request.user, dialogue),
            text=form.cleaned_data["text"],
            perspective=form.cleaned_data["perspective"],
        )
        messages.success(request, _("Your insight was added."), extra_tags="contribute")
        return back_to(dialogue)
    return not_saved(request, dialogue, "insight", form)


@require_POST
def add_feedback(request, pk):
    dialogue = get_dialogue_for_user(request.user, pk, "dialogues.add_own_feedback")
    form = OwnFeedbackForm(request.POST, prefix="feedback")
    if form.is_valid():
        services.give_own_feedback(
            attendance=own_attendance(request.user, dialogue),
            note=form.cleaned_data["note"],
            rating=form.cleaned_data["rating"],
        )
        messages.success(request, _("Thank you for your feedback."), extra_tags="contribute")
        return back_to(dialogue)
    return not_saved(request, dialogue, "feedback", form)


@require_POST
def comment_outcome(request, pk):
    dialogue = get_dialogue_for_user(request.user, pk, "dialogues.comment_outcome")
    form = OutcomeCommentForm(request.POST, prefix="comment")
    if form.is_valid():
        try:
            services.comment_on_outcome(
                outcome=Outcome.objects.get(dialogue=dialogue),
                participant=own_attendance(request.user, dialogue).participant,
                confirmed=form.cleaned_data["confirmed"],
                text=form.cleaned_data["text"],
            )
        except services.AlreadyConfirmed:
            messages.info(request, _("You have already confirmed this summary."), extra_tags="outcome")
        except services.OutcomeNotDraft:
            messages.error(request, _("The outcome was published meanwhile, so it is no longer open for comments."))
        else:
            messages.success(
                request, _("Thank you. The people who write the outcome will see your answer."), extra_tags="outcome"
            )
        return back_to(dialogue, "outcome")
    return not_saved(request, dialogue, "comment", form, anchor="outcome")
