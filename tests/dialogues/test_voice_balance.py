"""The voice balance: who was in the room and who raised the insights, with a flag when lived experience is not heard."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from dialogues import services
from dialogues.models import Dialogue
from participants.models import Perspective
from tests.dialogues.outcome_world import make_world
from tests.factories import (
    AttendanceFactory,
    FollowUpActionFactory,
    HeadcountFactory,
    HeldDialogueFactory,
    InsightFactory,
    OutcomeFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db


def insights(dialogue, **per_perspective):
    for perspective, n in per_perspective.items():
        InsightFactory.create_batch(n, dialogue=dialogue, perspective=perspective)


def people(dialogue, perspective, named, anonymous=0):
    AttendanceFactory.create_batch(named, dialogue=dialogue, perspective=perspective)
    if anonymous:
        HeadcountFactory(dialogue=dialogue, perspective=perspective, count=anonymous)


def shares(balance_list):
    return {str(share.label): (share.count, share.total, share.percent) for share in balance_list}


def balance_of(*dialogues):
    return services.voice_balance(Dialogue.objects.filter(pk__in=[d.pk for d in dialogues]))


def render_balance(balance):
    with translation.override("en"):
        return render_to_string("dialogues/partials/voice_balance.html", {"balance": balance})


def test_counts_and_shares_for_one_dialogue():
    dialogue = HeldDialogueFactory()
    people(dialogue, Perspective.LIVED_EXPERIENCE, named=2, anonymous=1)
    people(dialogue, Perspective.STAFF, named=1, anonymous=5)
    insights(dialogue, lived_experience=1, staff=2, joint=1)
    balance = balance_of(dialogue)
    with translation.override("en"):
        attendance, raised = shares(balance.attendance), shares(balance.insights)
    assert attendance["Lived experience (service user)"] == (3, 9, 33)
    assert attendance["Staff"] == (6, 9, 67)
    assert (balance.named, balance.anonymous, balance.attendance_total) == (3, 6, 9)
    assert raised["Lived experience"] == (1, 4, 25)
    assert raised["Jointly"] == (1, 4, 25)
    assert balance.flagged  # 1 of 4 is less than a third


def test_exactly_the_threshold_is_not_flagged():
    dialogue = HeldDialogueFactory()
    insights(dialogue, lived_experience=1, staff=2)
    assert not balance_of(dialogue).flagged


def test_threshold_comes_from_settings(settings):
    dialogue = HeldDialogueFactory()
    insights(dialogue, lived_experience=2, staff=3)
    settings.KREM_VOICE_THRESHOLD = 0.5
    assert balance_of(dialogue).flagged
    assert "fewer than 50 % of the insights: 2 of 5" in render_balance(balance_of(dialogue))
    settings.KREM_VOICE_THRESHOLD = 0.25
    assert not balance_of(dialogue).flagged


def test_summed_over_several_dialogues():
    first, second, elsewhere = HeldDialogueFactory(), HeldDialogueFactory(), HeldDialogueFactory()
    people(first, Perspective.LIVED_EXPERIENCE, named=1, anonymous=2)
    people(second, Perspective.LIVED_EXPERIENCE, named=0, anonymous=4)
    people(second, Perspective.STAFF, named=3)
    people(elsewhere, Perspective.STAFF, named=50)
    insights(first, staff=3)
    insights(second, lived_experience=3)
    insights(elsewhere, staff=40)
    balance = balance_of(first, second)
    with translation.override("en"):
        attendance, raised = shares(balance.attendance), shares(balance.insights)
    assert attendance["Lived experience (service user)"] == (7, 10, 70)
    assert attendance["Staff"] == (3, 10, 30)
    assert raised["Lived experience"] == (3, 6, 50)
    assert not balance.flagged
    assert balance_of(first).flagged  # alone, the first dialogue heard no lived experience


def test_the_partial_shows_the_counts_behind_every_percentage_and_the_flag():
    dialogue = HeldDialogueFactory()
    people(dialogue, Perspective.LIVED_EXPERIENCE, named=3)
    people(dialogue, Perspective.STAFF, named=6)
    insights(dialogue, lived_experience=1, staff=3)
    html = render_balance(balance_of(dialogue))
    assert "3 of 9 (33 %)" in html and "6 of 9 (67 %)" in html
    assert "1 of 4 (25 %)" in html
    assert '<div class="ds-alert" data-color="warning">' in html
    assert "Lived experience raised fewer than 33 % of the insights: 1 of 4." in html
    assert html.count("<caption id=") == 2 and 'scope="row"' in html and 'scope="col"' in html
    assert "style=" not in html and "<script" not in html


def test_the_partial_is_honest_when_there_is_nothing_to_count():
    html = render_balance(balance_of(HeldDialogueFactory()))
    assert "No attendance registered yet, so there is nothing to count." in html
    assert "No insights registered yet, so there is nothing to count." in html
    assert "ds-alert" not in html and "<table" not in html


def test_voice_balance_takes_one_query_whatever_the_number_of_dialogues(django_assert_num_queries):
    dialogues = HeldDialogueFactory.create_batch(5)
    for dialogue in dialogues:
        people(dialogue, Perspective.STAFF, named=2, anonymous=3)
        insights(dialogue, lived_experience=1)
    with django_assert_num_queries(1):  # the sum of the stored counts (dialogues/voice_counts.py)
        services.voice_balance(Dialogue.objects.filter(pk__in=[d.pk for d in dialogues]))


# The partials the dialogue page includes


def test_attendance_totals_takes_one_query(django_assert_num_queries):
    dialogue = HeldDialogueFactory()
    people(dialogue, Perspective.LIVED_EXPERIENCE, named=2, anonymous=3)
    with django_assert_num_queries(1):
        totals = services.attendance_totals(dialogue)
    assert (totals.named, totals.anonymous, totals.total) == (2, 3, 5)


def detail_request(user):
    request = RequestFactory().get("/dialoger/1/")
    request.user = user
    return request


def test_attendance_summary_shows_names_only_to_those_who_may_see_them():
    world = make_world()
    dialogue = world["dialogue"]
    AttendanceFactory(dialogue=dialogue, participant__display_name="Kari Pseudonym")
    context = {
        "dialogue": dialogue,
        "attendance_totals": services.attendance_totals(dialogue),
        "attendees": dialogue.attendances.select_related("participant"),
        "can_change": True,
    }
    request = detail_request(world["member"])
    with translation.override("en"):
        shown = render_to_string(
            "dialogues/partials/attendance_summary.html", {**context, "can_see_names": True}, request
        )
        hidden = render_to_string(
            "dialogues/partials/attendance_summary.html", {**context, "can_see_names": False}, request
        )
    assert "Kari Pseudonym" in shown
    assert "Kari Pseudonym" not in hidden and "Attendance by perspective" in hidden


def test_outcome_summary_offers_adopt_only_for_unadopted_proposals_with_a_level():
    world = make_world()
    dialogue = world["dialogue"]
    outcome = OutcomeFactory(dialogue=dialogue, status="published")
    with_level = ProposalFactory(dialogue=dialogue, level="practice", text="Med nivå")
    ProposalFactory(dialogue=dialogue, level="", text="Uten nivå")
    adopted = ProposalFactory(dialogue=dialogue, level="framework", text="Allerede vedtatt")
    services.adopt_proposal(proposal=adopted)
    FollowUpActionFactory(dialogue=dialogue, what="Følg opp")
    context = {
        "dialogue": dialogue,
        "outcome": outcome,
        "insights": dialogue.insights.all(),
        "proposals": dialogue.proposals.all(),
        "actions": dialogue.actions.for_list(),
        "links": dialogue.documentation.all(),
        "feedback": dialogue.feedback.all(),
        "balance": services.voice_balance([dialogue]),
        "can_change": True,
    }
    with translation.override("en"):
        html = render_to_string("dialogues/partials/outcome_summary.html", context, detail_request(world["member"]))
        read_only = render_to_string(
            "dialogues/partials/outcome_summary.html", {**context, "can_change": False}, detail_request(world["member"])
        )
    assert html.count("Adopt as system change") == 1
    assert f"/dialoger/forslag/{with_level.pk}/til-systemendring/" in html
    assert "Adopted as a system change" in html
    assert "Mark done" in html and "Published" in html
    assert "Adopt as system change" not in read_only and "Mark done" not in read_only


def test_outcome_summary_without_an_outcome():
    world = make_world()
    dialogue = world["dialogue"]
    context = {
        "dialogue": dialogue,
        "outcome": None,
        "insights": [],
        "proposals": [],
        "actions": [],
        "links": [],
        "feedback": [],
        "balance": services.voice_balance([dialogue]),
        "can_change": True,
    }
    with translation.override("en"):
        html = render_to_string("dialogues/partials/outcome_summary.html", context, detail_request(world["member"]))
    assert "No outcome registered yet." in html and "Register outcome" in html
