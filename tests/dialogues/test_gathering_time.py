"""One rule for gatherings in time (issue 13, part 4): attendance and outcome are recorded once the gathering
has begun; the forms say so before the user types; planning on a closed project asks; an adopted proposal is
dated by its gathering."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues import services
from dialogues.forms import DialogueForm
from dialogues.forms_outcome import AttendeeForm, HeadcountForm, NewParticipantForm, OutcomeForm
from dialogues.models import Attendance, Dialogue, Outcome
from dialogues.views.outcomes import get_or_start_outcome
from projects.models import ProjectStatus
from tests.factories import (
    CoordinatorFactory,
    DialogueFactory,
    HeldDialogueFactory,
    OrganisationFactory,
    OutcomeFactory,
    ParticipantFactory,
    ProjectFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db


def test_the_rule_lives_on_the_dialogue():
    future, past = DialogueFactory(), HeldDialogueFactory()
    assert not future.has_begun() and past.has_begun()
    assert future.record_error().code == "not_begun"
    assert past.record_error() is None
    assert past.record_error(timezone.now() + datetime.timedelta(hours=1)).code == "held_in_future"


def test_attendance_on_a_future_gathering_is_refused_like_its_outcome():
    future = DialogueFactory()
    coordinator = CoordinatorFactory()
    participant = ParticipantFactory()
    form = AttendeeForm({"participant": participant.pk}, dialogue=future, user=coordinator)
    assert not form.is_valid()
    assert "ikke begynt" in str(form.non_field_errors()) or "not begun" in str(form.non_field_errors())
    assert not NewParticipantForm({"display_name": "Ny", "perspective": "staff"}, dialogue=future).is_valid()
    assert not HeadcountForm({"staff": 3}, dialogue=future).is_valid()
    outcome = OutcomeForm(
        {"actual_start": "2999-01-01T10:00", "actual_end": "2999-01-01T12:00", "summary": "x", "version": ""},
        instance=Outcome(dialogue=future),
    )
    assert not outcome.is_valid()
    assert Attendance.objects.count() == 0


def test_attendance_after_the_start_is_accepted():
    past = HeldDialogueFactory()
    form = AttendeeForm({"participant": ParticipantFactory().pk}, dialogue=past, user=CoordinatorFactory())
    assert form.is_valid(), form.errors


def test_the_forms_explain_the_rule_before_the_user_types():
    future = DialogueFactory()
    attendee = AttendeeForm(dialogue=future, user=CoordinatorFactory())
    assert str(Dialogue.RECORD_RULE) in str(attendee.fields["participant"].help_text)
    assert "har begynt" in str(OutcomeForm(instance=Outcome(dialogue=future)).fields["actual_start"].help_text)


def test_a_future_planned_time_is_not_prefilled_as_the_actual_start():
    assert get_or_start_outcome(DialogueFactory()).actual_start is None
    past = HeldDialogueFactory()
    assert get_or_start_outcome(past).actual_start == past.starts_at


def dialogue_data(**overrides):
    start = timezone.localtime() + datetime.timedelta(days=400)
    return {
        "kind": "dialogue_seminar",
        "title": "Nytt seminar",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "version": "",
        **overrides,
    }


@pytest.mark.parametrize("status", [ProjectStatus.COMPLETED, ProjectStatus.CONTINUED])
def test_planning_on_a_closed_project_asks_first(status):
    continuer = OrganisationFactory() if status == ProjectStatus.CONTINUED else None
    project = ProjectFactory(status=status, end_date=datetime.date(2012, 12, 31), continued_by=continuer)
    user = CoordinatorFactory()
    form = DialogueForm(dialogue_data(), instance=Dialogue(project=project), project=project, user=user)
    assert not form.is_valid()
    assert "starts_at" in form.errors
    assert 'type="checkbox" name="confirm_closed_project"' in form.as_p()
    confirmed = DialogueForm(
        dialogue_data(confirm_closed_project="on"), instance=Dialogue(project=project), project=project, user=user
    )
    assert confirmed.is_valid(), confirmed.errors


def test_planning_on_an_active_project_does_not_ask():
    project = ProjectFactory(status=ProjectStatus.ACTIVE)
    form = DialogueForm(dialogue_data(), instance=Dialogue(project=project), project=project, user=CoordinatorFactory())
    assert form.is_valid(), form.errors


def test_a_system_change_from_a_proposal_takes_the_gatherings_date():
    dialogue = HeldDialogueFactory(starts_at=timezone.now() - datetime.timedelta(days=300))
    outcome = OutcomeFactory(dialogue=dialogue)
    change = services.adopt_proposal(proposal=ProposalFactory(dialogue=dialogue))
    assert change.date == timezone.localdate(outcome.actual_start)
    assert change.date != timezone.localdate()


def test_a_proposal_without_outcome_times_takes_the_planned_date():
    dialogue = HeldDialogueFactory(starts_at=timezone.now() - datetime.timedelta(days=40))
    change = services.adopt_proposal(proposal=ProposalFactory(dialogue=dialogue))
    assert change.date == timezone.localdate(dialogue.starts_at)


def test_a_proposal_from_a_gathering_known_to_a_year_is_dated_to_that_year():
    dialogue = HeldDialogueFactory(
        starts_at=timezone.make_aware(datetime.datetime(2011, 1, 1)),
        ends_at=timezone.make_aware(datetime.datetime(2012, 1, 1)),
        time_precision="year",
    )
    change = services.adopt_proposal(proposal=ProposalFactory(dialogue=dialogue))
    assert (change.date, change.date_precision) == (datetime.date(2011, 1, 1), "year")


def test_a_proposal_from_a_gathering_of_unknown_date_has_no_date_rather_than_today():
    dialogue = HeldDialogueFactory(starts_at=None, ends_at=None)
    change = services.adopt_proposal(proposal=ProposalFactory(dialogue=dialogue))
    assert change.date is None


def test_a_gathering_of_unknown_date_has_begun_once_it_is_held():
    held, planned = HeldDialogueFactory(starts_at=None, ends_at=None), DialogueFactory(starts_at=None, ends_at=None)
    assert held.record_error() is None
    assert planned.record_error().code == "not_begun"
    error = planned.record_error()
    assert "ingen dato og er ikke merket som holdt" in error.message % error.params  # Norwegian by default


def test_the_calendar_page_has_a_copy_button_and_the_whole_address(client):
    from tests.factories import CalendarFeedFactory

    user = CoordinatorFactory()
    CalendarFeedFactory(user=user)
    client.force_login(user)
    html = client.get(reverse("dialogues:feeds")).content.decode()
    assert 'data-copy-target="feed-me"' in html
    assert '<textarea class="ds-input feed-address" id="feed-me"' in html
    assert "/static/js/copy.js" in html
    assert "<script>" not in html


def test_a_gathering_held_earlier_than_planned_takes_attendance_after_its_outcome_says_so():
    planned_tomorrow = DialogueFactory(starts_at=timezone.now() + datetime.timedelta(days=1))
    assert planned_tomorrow.record_error().code == "not_begun"
    yesterday = timezone.now() - datetime.timedelta(days=1)
    OutcomeFactory(
        dialogue=planned_tomorrow, actual_start=yesterday, actual_end=yesterday + datetime.timedelta(hours=2)
    )
    assert planned_tomorrow.record_error() is None
