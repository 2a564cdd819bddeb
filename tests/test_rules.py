"""The permission predicates at their edges, and the choke points agreeing with them.

Dialogue.objects.visible_to() must select exactly the dialogues that dialogues.view_dialogue allows, for every
role; Project.objects.visible_to() exactly the projects projects.view_project allows."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from dialogues import rules as dialogue_rules
from dialogues.models import Dialogue
from kremlib.permissions import can
from projects import rules as project_rules
from projects.models import Project
from tests.factories import (
    AttendanceFactory,
    CoordinatorFactory,
    DialogueFactory,
    FollowUpActionFactory,
    HeldDialogueFactory,
    OrganisationFactory,
    OutcomeFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    partner = OrganisationFactory()
    project = ProjectFactory()
    PartnershipFactory(project=project, organisation=partner)
    attended = HeldDialogueFactory(project=project, title="Attended")
    published = HeldDialogueFactory(project=project, title="Published, not attended")
    OutcomeFactory(dialogue=published, status="published")
    draft = HeldDialogueFactory(project=project, title="Draft, not attended")
    OutcomeFactory(dialogue=draft)
    DialogueFactory(project=project, title="Planned")
    elsewhere = HeldDialogueFactory(title="Another project, published")
    OutcomeFactory(dialogue=elsewhere, status="published")
    deleted_attended = HeldDialogueFactory(title="Attended, then deleted", deleted_at=timezone.now())
    OutcomeFactory(
        dialogue=HeldDialogueFactory(project=deleted_attended.project, title="Project of a deleted one"),
        status="published",
    )
    person = UserFactory(username="deltaker")
    participant = ParticipantFactory(user=person)
    AttendanceFactory(dialogue=attended, participant=participant)
    AttendanceFactory(dialogue=deleted_attended, participant=participant)
    return {
        "project": project,
        "attended": attended,
        "users": {
            "anonymous": AnonymousUser(),
            "no record": UserFactory(username="uten-post"),
            "participant": person,
            "member": member_of(partner, username="medlem"),
            "outsider": member_of(OrganisationFactory(), username="utenfor"),
            "coordinator": CoordinatorFactory(username="koord"),
        },
    }


@pytest.mark.parametrize("role", ["anonymous", "no record", "participant", "member", "outsider", "coordinator"])
def test_visible_to_selects_exactly_what_view_dialogue_allows(world, role):
    user = world["users"][role]
    visible = set(Dialogue.objects.visible_to(user))
    allowed = {d for d in Dialogue.objects.alive() if can(user, "dialogues.view_dialogue", d)}
    assert visible == allowed


def test_a_participant_sees_what_they_attended_and_the_published_outcomes_of_that_project(world):
    titles = set(Dialogue.objects.visible_to(world["users"]["participant"]).values_list("title", flat=True))
    assert titles == {"Attended", "Published, not attended"}


@pytest.mark.parametrize("role", ["anonymous", "no record", "participant", "member", "outsider", "coordinator"])
def test_project_visible_to_selects_exactly_what_view_project_allows(world, role):
    user = world["users"][role]
    allowed = {p for p in Project.objects.alive() if can(user, "projects.view_project", p)}
    assert set(Project.objects.visible_to(user)) == allowed


def test_attending_never_makes_a_project_member(world):
    """A participant sees the dialogue, not the project's own pages (learning log, partners' planning)."""
    assert not can(world["users"]["participant"], "projects.view_project", world["project"])
    assert not can(world["users"]["participant"], "projects.add_learningentry", world["project"])


def test_predicates_refuse_nothing_and_no_one(world):
    anonymous, no_record = AnonymousUser(), world["users"]["no record"]
    assert not project_rules.is_coordinator(anonymous)
    assert not project_rules.is_project_member(anonymous, world["project"])
    assert not project_rules.is_project_member(no_record, None)
    assert not dialogue_rules.attended_dialogue(no_record, world["attended"])
    assert not dialogue_rules.attended_dialogue(world["users"]["participant"], None)
    assert not dialogue_rules.attended_project(no_record, world["project"])
    assert not dialogue_rules.attended_project(world["users"]["participant"], None)
    assert not dialogue_rules.attended_project_of_dialogue(no_record, None)
    assert not dialogue_rules.is_dialogue_member(no_record, None)
    assert not dialogue_rules.is_cancelled(no_record, None)
    assert not dialogue_rules.has_published_outcome(no_record, None)
    assert not dialogue_rules.has_draft_outcome(no_record, None)
    assert not dialogue_rules.is_responsible(no_record, None)
    assert not dialogue_rules.is_responsible(anonymous, FollowUpActionFactory())
    assert not dialogue_rules.is_action_project_member(no_record, None)


def test_attended_project_counts_only_dialogues_not_deleted(world):
    person = world["users"]["participant"]
    deleted = Dialogue.objects.deleted().get(title="Attended, then deleted")
    assert not dialogue_rules.attended_project(person, deleted.project)
    assert dialogue_rules.attended_project(person, world["project"])


def test_contributions_need_a_dialogue_that_was_not_cancelled_and_a_draft_to_comment_on(world):
    person = world["users"]["participant"]
    dialogue = world["attended"]
    assert not can(person, "dialogues.comment_outcome", dialogue)  # no outcome yet
    OutcomeFactory(dialogue=dialogue)
    person = UserFactory._meta.model.objects.get(pk=person.pk)  # a new request: nothing cached
    assert can(person, "dialogues.comment_outcome", dialogue)
    assert can(person, "dialogues.add_own_insight", dialogue)
    dialogue.status = "cancelled"
    assert not can(person, "dialogues.add_own_insight", dialogue)
    assert not can(person, "dialogues.add_own_feedback", dialogue)


def test_responsibility_through_the_organisation(world):
    member = world["users"]["member"]
    action = FollowUpActionFactory(responsible_organisation=member.participant.organisation)
    assert dialogue_rules.is_responsible(member, action)
    assert not dialogue_rules.is_responsible(world["users"]["participant"], action)  # no organisation


def test_the_admin_is_a_coordinator_without_the_group():
    admin = UserFactory(username="admin-regel", is_superuser=True)
    assert project_rules.is_coordinator(admin)
    assert list(Dialogue.objects.visible_to(admin)) == list(Dialogue.objects.alive())
