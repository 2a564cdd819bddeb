"""Attendance of a dialogue: by name, a quick add of a new person, headcounts, and removing someone."""

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participants.personal_data import PersonalData, with_name_consents

from .. import services
from ..forms_outcome import (
    AttendanceCorrectionForm,
    AttendeeForm,
    HeadcountForm,
    NewParticipantForm,
)
from ..rules import registered_attendance
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
            registered = services.register_attendance(
                dialogue=dialogue,
                participant=participant,
                perspective=add_form.cleaned_data["perspective"],
                registered_by=request.user,
            )
        except services.AlreadyAttending:
            add_form.add_error(
                "participant",
                _("%(name)s is already registered as attending this dialogue.")
                % {"name": PersonalData(request.user).name(participant, dialogue.project_id)},
            )
        else:
            consented = consents_given_here(request, registered, add_form)
            messages.success(
                request,
                _("%(name)s was registered as attending.")
                % {"name": PersonalData(request.user).name(participant, dialogue.project_id)}
                + consented,
            )
            return redirect(here)
    elif action == "quick_add" and new_form.is_valid():
        registered = services.register_new_attendee(
            dialogue=dialogue,
            display_name=new_form.cleaned_data["display_name"],
            perspective=new_form.cleaned_data["perspective"],
            registered_by=request.user,
        )
        consented = consents_given_here(request, registered, new_form)
        # The adder typed the name, but says it back only where the naming policy lets them see it from now on.
        messages.success(
            request,
            _("%(name)s was added and registered as attending.")
            % {"name": attendee_label(PersonalData(request.user), registered)}
            + consented,
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


def consents_given_here(request, attendance, form) -> str:
    """Record the consents ticked in `form` for the attendee; the words to add to the message ("" for none)."""
    purposes = form.cleaned_data.get("consents") or []
    if not purposes:
        return ""
    services.record_consents_given_here(
        attendance=attendance,
        purposes=purposes,
        method=form.cleaned_data["consent_method"],
        recorded_by=request.user,
    )
    return " " + _("The consent given here was recorded.")


def numbered(attendances):
    """Each attendance with `number`: its place among the dialogue's rows, in the order they were registered."""
    for number, attendance in enumerate(sorted(attendances, key=lambda a: a.pk), start=1):
        attendance.number = number
    return attendances


def attendee_label(people, attendance):
    """The attendee as the naming policy lets the reader see them: a name, or "Participant 3 (staff)"."""
    number = getattr(attendance, "number", None)
    if number is None:
        number = attendance.dialogue.attendances.filter(pk__lte=attendance.pk).count()
    return people.attendee_label(attendance.participant, attendance.dialogue.project_id, number)


def dialogue_attendances(dialogue):
    return dialogue.attendances.select_related("participant__organisation", "dialogue").prefetch_related(
        with_name_consents("participant")
    )


def shown_attendees(user, dialogue):
    """The attendees whose names the user may see (participants.services.PersonalData); those the user
    registered but may not name, under a numbered neutral label, so they can still correct or remove them; and
    how many others there are. Each row the user may correct has its correction form."""
    people = PersonalData(user)
    attendances = numbered(list(dialogue_attendances(dialogue)))
    rows = []
    for attendance in attendances:
        attendance.name_shown = people.shows_name(attendance.participant, dialogue.project_id)
        if attendance.name_shown or registered_attendance(user, attendance):
            attendance.label = attendee_label(people, attendance)
            attendance.correction_form = AttendanceCorrectionForm(attendance=attendance)
            rows.append(attendance)
    return {"attendees": rows, "attendees_hidden": len(attendances) - len(rows)}


def correctable_attendance(request, pk, attendance_pk):
    """The dialogue and one of its attendances the user may correct or remove: a row whose person they may see
    named, or a row they registered themself. Any other row is not found (404), whatever its id."""
    dialogue = get_dialogue_for_user(request.user, pk, CHANGE_DIALOGUE)
    people = PersonalData(request.user)
    attendances = numbered(list(dialogue_attendances(dialogue)))
    attendance = next((a for a in attendances if a.pk == attendance_pk), None)
    if attendance is None or not (
        people.shows_name(attendance.participant, dialogue.project_id)
        or registered_attendance(request.user, attendance)
    ):
        raise Http404
    return dialogue, people, attendance


@require_POST
def attendance_remove(request, pk, attendance_pk):
    """Remove an attendee the page lists: one whose name the user may see, or one they registered."""
    dialogue, people, attendance = correctable_attendance(request, pk, attendance_pk)
    label = attendee_label(people, attendance)
    attendance.delete()
    messages.success(request, _("%(name)s is no longer registered as attending.") % {"name": label})
    return redirect("dialogues:attendance", pk=dialogue.pk)


@require_POST
def attendance_correct(request, pk, attendance_pk):
    """Correct a row the page lists: the perspective brought, and a consent the person gave here since."""
    dialogue, people, attendance = correctable_attendance(request, pk, attendance_pk)
    form = AttendanceCorrectionForm(request.POST, attendance=attendance)
    label = attendee_label(people, attendance)
    if not form.is_valid():
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        messages.error(request, _("%(name)s was not changed: %(errors)s") % {"name": label, "errors": errors})
        return redirect(reverse("dialogues:attendance", args=[dialogue.pk]) + f"#attendance-{attendance.pk}")
    services.correct_attendance(attendance=attendance, perspective=form.cleaned_data["perspective"])
    consented = consents_given_here(request, attendance, form)
    # A consent to registration by name may have just made the name visible: ask the policy afresh.
    label = attendee_label(PersonalData(request.user), refreshed(attendance))
    messages.success(request, _("%(name)s was corrected.") % {"name": label} + consented)
    return redirect(reverse("dialogues:attendance", args=[dialogue.pk]) + f"#attendance-{attendance.pk}")


def refreshed(attendance):
    fresh = dialogue_attendances(attendance.dialogue).get(pk=attendance.pk)
    fresh.number = attendance.number
    return fresh
