"""Attendance of a dialogue: by name, a quick add of a new person, headcounts, and removing someone."""

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participants.personal_data import PersonalData, with_name_consents

from .. import services
from ..forms_outcome import (
    AttendeeForm,
    HeadcountForm,
    NewParticipantForm,
)
from .common import CHANGE_DIALOGUE, get_dialogue_for_user

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
    new_form = NewParticipantForm(data_for("quick_add"), dialogue=dialogue, prefix="new")
    counts = dict(dialogue.headcounts.values_list("perspective", "count"))
    count_form = HeadcountForm(data_for("headcounts"), counts=counts, dialogue=dialogue, prefix="count")
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
