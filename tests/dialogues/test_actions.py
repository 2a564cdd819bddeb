"""Follow-up actions: "my open actions", the overview per project, and marking an action done."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues.models import ActionStatus, FollowUpAction
from dialogues.views.followup import MINE_SHOWN, mine_open
from kremlib.http import PAGE_SIZE
from tests.dialogues.outcome_world import ROLES, as_role, is_login_redirect, make_world
from tests.factories import (
    FollowUpActionFactory,
    HeldDialogueFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    member_of,
)
from tests.querycount import assert_budget

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("dialogues:action_overview")


@pytest.fixture
def world():
    world = make_world()
    world["action"] = FollowUpActionFactory(
        dialogue=world["dialogue"], what="Skriv læringsnotat", responsible_organisation=world["partner"]
    )
    return world


def done_url(action):
    return reverse("dialogues:action_done", args=[action.pk])


def status_of(action):
    action.refresh_from_db()
    return action.status


# Who may do what


@pytest.mark.parametrize("role", ROLES)
def test_overview_permission_matrix(client, world, role):
    response = as_role(client, world, role).get(OVERVIEW)
    if role == "anonymous":
        assert is_login_redirect(response)
        return
    assert response.status_code == 200
    shown = "Skriv læringsnotat" in response.content.decode()
    assert shown == (role != "outsider")  # a list page: the outsider gets the page, without the project's actions


@pytest.mark.parametrize("role", ROLES)
def test_action_done_permission_matrix(client, world, role):
    response = as_role(client, world, role).post(done_url(world["action"]))
    if role == "anonymous":
        assert is_login_redirect(response)
        assert status_of(world["action"]) == ActionStatus.OPEN
    elif role == "outsider":
        assert response.status_code == 404
        assert status_of(world["action"]) == ActionStatus.OPEN
    else:
        assert response.status_code == 302 and response["Location"] == OVERVIEW
        assert status_of(world["action"]) == ActionStatus.DONE


def test_the_responsible_person_may_mark_done_without_being_a_project_member(client, world):
    helper = member_of(OrganisationFactory(name="Frivillig lag"), username="hjelper")
    action = FollowUpActionFactory(
        dialogue=world["dialogue"], responsible_organisation=None, responsible_participant=helper.participant
    )
    client.force_login(helper)
    assert "Oppfølging" in client.get(OVERVIEW).content.decode()
    assert client.post(done_url(action)).status_code == 302
    assert status_of(action) == ActionStatus.DONE
    assert client.post(done_url(world["action"])).status_code == 404  # not theirs, not their project
    assert status_of(world["action"]) == ActionStatus.OPEN


def test_marking_done_by_get_is_not_allowed_and_changes_nothing(client, world):
    assert as_role(client, world, "member").get(done_url(world["action"])).status_code == 405
    assert status_of(world["action"]) == ActionStatus.OPEN


def test_overview_get_changes_nothing(client, world):
    before = list(FollowUpAction.objects.values())
    as_role(client, world, "member").get(OVERVIEW, {"action": world["action"].pk, "status": "done"})
    assert list(FollowUpAction.objects.values()) == before


# Marking done


def test_with_htmx_the_answer_is_the_updated_row(client, world):
    response = as_role(client, world, "member").post(
        done_url(world["action"]), {"show_dialogue": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<li class="action')
    assert "Done" in html and "Mark done" not in html
    assert world["dialogue"].title in html
    assert status_of(world["action"]) == ActionStatus.DONE


def test_without_htmx_it_goes_back_to_a_local_next_only(client, world):
    as_role(client, world, "member")
    detail = world["dialogue"].get_absolute_url()
    assert client.post(done_url(world["action"]), {"next": detail})["Location"] == detail
    other = FollowUpActionFactory(dialogue=world["dialogue"], responsible_organisation=world["partner"])
    assert client.post(done_url(other), {"next": "https://evil.example/phish"})["Location"] == OVERVIEW
    assert client.post(done_url(other), {"next": "//evil.example/"})["Location"] == OVERVIEW


def test_a_dropped_action_stays_dropped(client, world):
    action = FollowUpActionFactory(dialogue=world["dialogue"], status=ActionStatus.DROPPED)
    as_role(client, world, "member").post(done_url(action))
    assert status_of(action) == ActionStatus.DROPPED


# The overview


def test_my_actions_are_mine_by_name_or_through_my_organisation(client, world):
    member = world["member"]
    by_name = FollowUpActionFactory(
        dialogue=world["dialogue"],
        what="Ring Kari",
        responsible_organisation=None,
        responsible_participant=member.participant,
    )
    FollowUpActionFactory(
        dialogue=world["dialogue"],
        what="Ferdig sak",
        responsible_organisation=world["partner"],
        status=ActionStatus.DONE,
    )
    others = FollowUpActionFactory(
        dialogue=world["dialogue"], what="Andres sak", responsible_organisation=OrganisationFactory()
    )
    response = as_role(client, world, "member").get(OVERVIEW)
    assert set(response.context["mine"]) == {world["action"], by_name}
    assert others in response.context["page"].object_list  # in my project, but not mine
    assert "Ferdig sak" not in response.content.decode()  # only open actions


def test_overdue_actions_carry_a_visible_tag(client, world):
    world["action"].due_date = timezone.localdate() - datetime.timedelta(days=1)
    world["action"].save()
    html = as_role(client, world, "member").get(OVERVIEW).content.decode()
    assert "action--overdue" in html
    assert '<span class="ds-tag" data-color="danger">Overdue</span>' in html


def test_member_sees_open_actions_of_own_projects_only(client, world):
    hidden = FollowUpActionFactory(what="Hemmelig oppfølging")
    html = as_role(client, world, "member").get(OVERVIEW).content.decode()
    assert "Dialog i Partnerby" in html
    assert "Hemmelig oppfølging" not in html
    coordinator_html = as_role(client, world, "coordinator").get(OVERVIEW).content.decode()
    assert "Hemmelig oppfølging" in coordinator_html and hidden.dialogue.project.title in coordinator_html


def test_coordinator_pages_through_25_actions_at_a_time(client, world):
    FollowUpActionFactory.create_batch(29, dialogue=world["dialogue"])
    as_role(client, world, "coordinator")
    first = client.get(OVERVIEW).context["page"]
    second = client.get(OVERVIEW, {"side": 2}).context["page"]
    assert (len(first.object_list), len(second.object_list), first.paginator.count) == (25, 5, 30)


def test_overview_query_budget_is_the_same_for_1_and_30_actions(client, world):
    member = world["member"]
    as_role(client, world, "member")
    FollowUpAction.objects.all().delete()

    def build(n):
        for i in range(n):
            project = ProjectFactory()
            PartnershipFactory(project=project, organisation=world["partner"])
            dialogue = HeldDialogueFactory(project=project)
            FollowUpActionFactory(
                dialogue=dialogue,
                responsible_organisation=world["partner"],
                due_date=timezone.localdate() - datetime.timedelta(days=i % 3),
            )
            FollowUpActionFactory(  # due as the other: "mine" shows both kinds among its first few
                dialogue=dialogue,
                responsible_organisation=None,
                responsible_participant=member.participant,
                due_date=timezone.localdate() - datetime.timedelta(days=i % 3),
            )

    assert_budget(client, OVERVIEW, build, 13, user=member)  # +1: the dialogues the member sees (issue 16)
    assert_budget(client, OVERVIEW, build, 9, user=member, mine=1)  # all of mine in pages, and no projects' list


def test_my_actions_show_the_first_few_with_their_count_and_a_link_to_all_of_them_in_pages(client, world):
    member = world["member"]
    FollowUpAction.objects.all().delete()
    FollowUpActionFactory.create_batch(
        MINE_SHOWN + PAGE_SIZE, dialogue=world["dialogue"], responsible_organisation=world["partner"]
    )
    as_role(client, world, "member")
    response = client.get(OVERVIEW)
    assert len(response.context["mine"]) == MINE_SHOWN and response.context["mine_count"] == MINE_SHOWN + PAGE_SIZE
    assert "?mine=1" in response.content.decode()
    first = client.get(OVERVIEW, {"mine": 1})
    second = client.get(OVERVIEW, {"mine": 1, "side": 2})
    assert len(first.context["mine"]) == PAGE_SIZE and len(second.context["mine"]) == MINE_SHOWN
    shown = set(first.context["mine"]) | set(second.context["mine"])
    assert shown == set(mine_open(member).filter(dialogue__project=world["project"]))
    assert "Open actions by project" not in first.content.decode()


def test_one_projects_actions_are_those_its_page_counts(client, world):
    FollowUpActionFactory.create_batch(3, dialogue=world["dialogue"], responsible_organisation=world["partner"])
    elsewhere = FollowUpActionFactory(responsible_organisation=world["partner"])  # a project the member is not in
    PartnershipFactory(project=elsewhere.dialogue.project, organisation=world["partner"])
    as_role(client, world, "member")
    response = client.get(OVERVIEW, {"project": world["project"].pk})
    listed = set(response.context["page"].object_list)
    assert elsewhere not in listed and elsewhere not in response.context["mine"]
    assert listed == set(FollowUpAction.objects.filter(dialogue__project=world["project"]).open())
    # a project the user may not see is no filter at all, not a way to learn about it
    other = FollowUpActionFactory(what="Hemmelig oppfølging")
    html = client.get(OVERVIEW, {"project": other.dialogue.project.pk}).content.decode()
    assert "Hemmelig oppfølging" not in html
