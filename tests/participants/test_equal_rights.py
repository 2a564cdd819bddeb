"""Equal rights, proven: a service user and a staff member with the same membership get the same result.

Every contribution action runs twice, once for a participant who brings lived experience and once for one who
brings the staff perspective, with the same attendance (and, in the first world, the same organisation). The
answer (status and where it leads) and what changed in the database must be the same: rights follow membership,
never perspective. In the second world neither belongs to a partner organisation: they attended, nothing more,
and again they are treated alike.
"""

import pytest
from django.urls import reverse

from dialogues.models import ActionStatus, Feedback, FollowUpAction, Insight, OutcomeComment
from participants.models import Perspective
from projects.models import LearningEntry
from tests.factories import (
    AttendanceFactory,
    FollowUpActionFactory,
    HeldDialogueFactory,
    OrganisationFactory,
    OutcomeFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PERSPECTIVES = [Perspective.LIVED_EXPERIENCE, Perspective.STAFF]


def make_world(*, organisation_member):
    partner = OrganisationFactory(name="NAV Likeverd")
    project = ProjectFactory(title="Likeverdig partnerskap", slug="likeverd")
    PartnershipFactory(project=project, organisation=partner)
    dialogue = HeldDialogueFactory(project=project, title="Dialogseminar om likeverd")
    outcome = OutcomeFactory(dialogue=dialogue)  # a draft
    people = {}
    for perspective in PERSPECTIVES:
        user = UserFactory(username=f"person-{perspective}")
        participant = ParticipantFactory(
            user=user, perspective=perspective, organisation=partner if organisation_member else None
        )
        AttendanceFactory(dialogue=dialogue, participant=participant, perspective=perspective)
        action = FollowUpActionFactory(
            dialogue=dialogue, responsible_participant=participant, responsible_organisation=None
        )
        people[perspective] = {"user": user, "participant": participant, "action": action}
    return {"project": project, "dialogue": dialogue, "outcome": outcome, "people": people}


# Each action: (the address, the data, what it changed in the database for this person).


def add_insight(world, person):
    url = reverse("dialogues:add_insight", args=[world["dialogue"].pk])
    return (
        url,
        {"insight-text": "Vi ble hørt"},
        lambda: Insight.objects.filter(participant=person["participant"], text="Vi ble hørt").count(),
    )


def add_feedback(world, person):
    url = reverse("dialogues:add_feedback", args=[world["dialogue"].pk])
    return (
        url,
        {"feedback-note": "Godt møte", "feedback-rating": "5"},
        lambda: Feedback.objects.filter(participant=person["participant"], note="Godt møte", rating=5).count(),
    )


def add_learning_entry(world, person):
    url = reverse("projects:entry_create", args=[world["project"].slug, "laering"])
    return (
        url,
        {"kind": "learned", "text": "Likeverd tar tid", "date_precision": "day"},
        lambda: LearningEntry.objects.filter(author=person["user"], text="Likeverd tar tid").count(),
    )


def confirm_outcome(world, person):
    url = reverse("dialogues:comment_outcome", args=[world["dialogue"].pk])
    return (
        url,
        {"comment-confirmed": "on"},
        lambda: OutcomeComment.objects.filter(participant=person["participant"], confirmed=True).count(),
    )


def comment_on_outcome(world, person):
    url = reverse("dialogues:comment_outcome", args=[world["dialogue"].pk])
    return (
        url,
        {"comment-text": "Vi sa mer om bolig"},
        lambda: OutcomeComment.objects.filter(participant=person["participant"], text="Vi sa mer om bolig").count(),
    )


def mark_own_action_done(world, person):
    url = reverse("dialogues:action_done", args=[person["action"].pk])
    return (
        url,
        {"next": "/oppfolging/"},
        lambda: FollowUpAction.objects.filter(pk=person["action"].pk, status=ActionStatus.DONE).count(),
    )


ACTIONS = [add_insight, add_feedback, add_learning_entry, confirm_outcome, comment_on_outcome, mark_own_action_done]


def run(client, world, perspective, action):
    person = world["people"][perspective]
    url, data, effect = action(world, person)
    client.force_login(person["user"])
    before = effect()
    response = client.post(url, data)
    client.logout()
    location = response.get("Location", "")
    return {"status": response.status_code, "location": location, "changed": effect() - before}


@pytest.mark.parametrize("organisation_member", [True, False], ids=["same organisation", "attended only"])
@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.__name__)
def test_lived_experience_and_staff_get_the_same_result(client, action, organisation_member):
    world = make_world(organisation_member=organisation_member)
    results = {perspective: run(client, world, perspective, action) for perspective in PERSPECTIVES}
    assert results[Perspective.LIVED_EXPERIENCE] == results[Perspective.STAFF], results


@pytest.mark.parametrize(
    "action, organisation_member, expected",
    [
        (add_insight, True, (302, 1)),
        (add_insight, False, (302, 1)),
        (add_feedback, False, (302, 1)),
        (confirm_outcome, False, (302, 1)),
        (comment_on_outcome, False, (302, 1)),
        (mark_own_action_done, False, (302, 1)),
        (add_learning_entry, True, (302, 1)),
        # The learning log is the partner organisations' own: attending a dialogue does not open it.
        (add_learning_entry, False, (404, 0)),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_what_the_shared_result_is(client, action, organisation_member, expected):
    """The equal result is the right one, not an equal refusal of everything."""
    world = make_world(organisation_member=organisation_member)
    for perspective in PERSPECTIVES:
        result = run(client, world, perspective, action)
        assert (result["status"], result["changed"]) == expected, (perspective, result)


def test_the_insight_keeps_the_perspective_each_brought(client):
    world = make_world(organisation_member=False)
    for perspective in PERSPECTIVES:
        run(client, world, perspective, add_insight)
    assert dict(Insight.objects.values_list("participant__perspective", "perspective")) == {
        "lived_experience": "lived_experience",
        "staff": "staff",
    }
