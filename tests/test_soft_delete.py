"""Deleting a project or a dialogue asks first, then hides it everywhere; a coordinator can bring it back for
30 days from "Deleted items"; after that `manage.py purge_deleted` removes it for good."""

import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dialogues.models import AgendaItem, Dialogue, DialogueStatus
from dialogues.services import delete_dialogue
from krem.services import purge_deleted
from kremlib.history import is_tracked, link_fields
from projects.models import Document, LearningEntry, Project, Result, SystemChange
from projects.services import delete_project
from tests.dialogues.outcome_world import ROLES, as_role, is_login_redirect, make_world
from tests.factories import (
    AttendanceFactory,
    CalendarFeedFactory,
    DialogueFactory,
    DocumentationLinkFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    HeadcountFactory,
    HeldDialogueFactory,
    InsightFactory,
    OrganisationFactory,
    OutcomeCommentFactory,
    OutcomeFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    ProposalFactory,
    UserFactory,
)
from tests.querycount import assert_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    world["project"].municipalities.add(world["partner"].municipality)
    world["dialogue"].municipality = world["partner"].municipality
    world["dialogue"].save()
    return world


def expect(response, expected):
    if expected == "login":
        assert is_login_redirect(response), response.status_code
    else:
        assert response.status_code == expected


def deleted_days_ago(obj, days):
    type(obj).objects.filter(pk=obj.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=days))
    obj.refresh_from_db()
    return obj


# Asking first, and who may delete


PROJECT_DELETE = {"anonymous": "login", "outsider": 404, "member": 403, "coordinator": 200}


@pytest.mark.parametrize("role", ROLES)
def test_project_delete_page_permission_matrix(client, world, role):
    url = reverse("projects:project_delete", args=[world["project"].slug])
    expect(as_role(client, world, role).get(url), PROJECT_DELETE[role])


@pytest.mark.parametrize("role", ROLES)
def test_deleting_a_project_permission_matrix(client, world, role):
    url = reverse("projects:project_delete", args=[world["project"].slug])
    response = as_role(client, world, role).post(url)
    expected = {**PROJECT_DELETE, "coordinator": 302}[role]
    expect(response, expected)
    world["project"].refresh_from_db()
    assert (world["project"].deleted_at is not None) == (role == "coordinator")


def test_the_delete_page_asks_and_get_changes_nothing(client, world):
    response = as_role(client, world, "coordinator").get(
        reverse("projects:project_delete", args=[world["project"].slug])
    )
    html = response.content.decode()
    assert "Delete “Dialog i Partnerby”?" in html and "its 1 dialogue disappear" in html
    world["project"].refresh_from_db()
    assert world["project"].deleted_at is None and world["project"].version == 1


def test_deleting_a_project_keeps_the_row_with_a_new_version_in_history(client, world):
    project = world["project"]
    response = as_role(client, world, "coordinator").post(reverse("projects:project_delete", args=[project.slug]))
    assert response["Location"] == reverse("projects:project_list")
    project.refresh_from_db()
    assert project.deleted_at is not None and project.version == 2
    latest = project.history.order_by("-history_date").first()
    assert (latest.version, latest.deleted_at, latest.history_user) == (2, project.deleted_at, world["coordinator"])


DIALOGUE_DELETE = {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200}


@pytest.mark.parametrize("role", ROLES)
def test_dialogue_delete_page_permission_matrix(client, world, role):
    url = reverse("dialogues:dialogue_delete", args=[world["dialogue"].pk])
    expect(as_role(client, world, role).get(url), DIALOGUE_DELETE[role])
    world["dialogue"].refresh_from_db()
    assert world["dialogue"].deleted_at is None


@pytest.mark.parametrize("role", ROLES)
def test_deleting_a_dialogue_permission_matrix(client, world, role):
    """Whoever may change the dialogue may delete it."""
    response = as_role(client, world, role).post(reverse("dialogues:dialogue_delete", args=[world["dialogue"].pk]))
    expect(response, {**DIALOGUE_DELETE, "member": 302, "coordinator": 302}[role])
    world["dialogue"].refresh_from_db()
    assert (world["dialogue"].deleted_at is not None) == (role in ("member", "coordinator"))


def test_the_buttons_are_shown_to_those_who_may_delete(client, world):
    project_page = reverse("projects:project_detail", args=[world["project"].slug])
    dialogue_page = world["dialogue"].get_absolute_url()
    as_role(client, world, "member")
    assert "Delete project" not in client.get(project_page).content.decode()
    assert "Delete dialogue" in client.get(dialogue_page).content.decode()
    as_role(client, world, "coordinator")
    assert "Delete project" in client.get(project_page).content.decode()


# Gone from everywhere


def visible_everywhere(client, world):
    """What a coordinator sees of the world's project and dialogue on every page, list, count and feed."""
    project, dialogue, municipality = world["project"], world["dialogue"], world["partner"].municipality
    # The dashboard of the dialogue's year (and the one before): its figures and its municipality chart.
    year = dialogue.starts_at.year
    dashboard = client.get(reverse("home"), {"year_from": year - 1, "year_to": year}).context["dashboard"]
    home = {figure.key: figure.value for figure in dashboard.figures}
    home_municipalities = next(chart for chart in dashboard.charts if chart.id == "chart-municipalities")
    municipality_page = client.get(municipality.get_absolute_url()).context
    organisation_page = client.get(world["partner"].get_absolute_url()).context
    user_feed = CalendarFeedFactory(user=world["coordinator"])
    return {
        "project list": project in client.get(reverse("projects:project_list")).context["page"].object_list,
        "project page": client.get(project.get_absolute_url()).status_code == 200,
        "dialogue list": dialogue in client.get(reverse("dialogues:dialogue_list")).context["page"].object_list,
        "dialogue page": client.get(dialogue.get_absolute_url()).status_code == 200,
        "dialogue filter": project
        in client.get(reverse("dialogues:dialogue_list")).context["filter"].filters["project"].queryset,
        "home projects": home["projects"] == 1,
        "home dialogues held": home["dialogues_held"] == 1,
        "home municipalities": [row.label for row in home_municipalities.rows] == [municipality.name],
        "municipality projects": project in municipality_page["projects"],
        "municipality dialogues": dialogue in municipality_page["dialogues"],
        "municipality voice balance": municipality_page["balance"].attendance_total == 5,
        "municipality list": client.get(reverse("projects:municipality_list"))
        .context["municipalities"]
        .get(pk=municipality.pk)
        .project_count
        == 1,
        "organisation projects": organisation_page["partnerships"].exists(),
        "organisation dialogues": dialogue in organisation_page["dialogues"],
        "organisation list": {
            o.pk: o.project_count for o in client.get(reverse("projects:organisation_list")).context["page"].object_list
        }[world["partner"].pk]
        == 1,
        "user calendar": dialogue.title.encode()
        in client.get(reverse("dialogues:feed", args=[user_feed.token])).content,
        "follow-up": client.get(reverse("dialogues:action_overview")).context["page"].paginator.count == 1,
        "dialogue history": client.get(reverse("dialogues:dialogue_history", args=[dialogue.pk])).status_code == 200,
        "project history": client.get(reverse("projects:project_history", args=[project.slug])).status_code == 200,
    }


def prepare(world):
    HeadcountFactory(dialogue=world["dialogue"], count=5)
    FollowUpActionFactory(dialogue=world["dialogue"], responsible_organisation=world["partner"])


def test_before_deleting_everything_shows_the_project_and_dialogue(client, world):
    prepare(world)
    seen = visible_everywhere(as_role(client, world, "coordinator"), world)
    assert all(seen.values()), [name for name, shown in seen.items() if not shown]


def test_a_deleted_project_and_its_dialogues_are_hidden_everywhere(client, world):
    prepare(world)
    as_role(client, world, "coordinator").post(reverse("projects:project_delete", args=[world["project"].slug]))
    seen = visible_everywhere(client, world)
    assert not any(seen.values()), [name for name, shown in seen.items() if shown]
    assert world["dialogue"].deleted_at is None  # hidden with its project, not deleted on its own


def test_a_deleted_dialogue_is_hidden_everywhere(client, world):
    prepare(world)
    as_role(client, world, "coordinator").post(reverse("dialogues:dialogue_delete", args=[world["dialogue"].pk]))
    seen = visible_everywhere(client, world)
    dialogue_views = {
        "dialogue list",
        "dialogue page",
        "home dialogues held",
        "municipality dialogues",
        "municipality voice balance",
        "organisation dialogues",
        "user calendar",
        "follow-up",
        "dialogue history",
    }
    assert not any(seen[name] for name in dialogue_views), [name for name in dialogue_views if seen[name]]
    assert seen["project page"] and seen["project list"]
    project_page = client.get(world["project"].get_absolute_url()).context
    assert world["dialogue"] not in project_page["dialogues"]
    assert project_page["balance"].attendance_total == 0
    assert not project_page["actions"]


def test_a_deleted_projects_calendar_feed_is_gone(client, world):
    feed = CalendarFeedFactory(project=world["project"])
    other = DialogueFactory(project=world["project"], title="Kommer snart")
    url = reverse("dialogues:feed", args=[feed.token])
    assert b"Kommer snart" in client.get(url).content
    Dialogue.objects.filter(pk=other.pk).update(deleted_at=timezone.now())
    assert b"Kommer snart" not in client.get(url).content
    Project.objects.filter(pk=world["project"].pk).update(deleted_at=timezone.now())
    assert client.get(url).status_code == 404


def test_deleted_objects_are_not_found_by_their_address(client, world):
    as_role(client, world, "coordinator")
    Project.objects.filter(pk=world["project"].pk).update(deleted_at=timezone.now())
    for url in (
        reverse("projects:project_edit", args=[world["project"].slug]),
        reverse("projects:project_delete", args=[world["project"].slug]),
        reverse("dialogues:dialogue_edit", args=[world["dialogue"].pk]),
        reverse("dialogues:outcome_edit", args=[world["dialogue"].pk]),
        reverse("dialogues:attendance", args=[world["dialogue"].pk]),
        reverse("dialogues:dialogue_ics", args=[world["dialogue"].pk]),
    ):
        assert client.get(url).status_code == 404, url


# Deleted items, and bringing back


DELETED_ITEMS = {"anonymous": "login", "outsider": 404, "member": 404, "coordinator": 200}


@pytest.mark.parametrize("role", ROLES)
def test_deleted_items_permission_matrix(client, world, role):
    expect(as_role(client, world, role).get(reverse("deleted_items")), DELETED_ITEMS[role])


@pytest.mark.parametrize("role", ROLES)
def test_restoring_a_project_permission_matrix(client, world, role):
    project = deleted_days_ago(world["project"], 1)
    response = as_role(client, world, role).post(reverse("restore_deleted_project", args=[project.pk]))
    expect(response, {**DELETED_ITEMS, "coordinator": 302}[role])
    project.refresh_from_db()
    assert (project.deleted_at is None) == (role == "coordinator")


@pytest.mark.parametrize("role", ROLES)
def test_restoring_a_dialogue_permission_matrix(client, world, role):
    dialogue = deleted_days_ago(world["dialogue"], 1)
    response = as_role(client, world, role).post(reverse("restore_deleted_dialogue", args=[dialogue.pk]))
    expect(response, {**DELETED_ITEMS, "coordinator": 302}[role])
    dialogue.refresh_from_db()
    assert (dialogue.deleted_at is None) == (role == "coordinator")


def test_deleted_items_lists_the_last_30_days_with_restore_buttons(client, world):
    recent = deleted_days_ago(ProjectFactory(title="Nylig slettet"), 29)
    deleted_days_ago(ProjectFactory(title="Slettet for lenge siden"), 31)
    dialogue = deleted_days_ago(DialogueFactory(title="Slettet dialog"), 2)
    html = as_role(client, world, "coordinator").get(reverse("deleted_items")).content.decode()
    assert "Nylig slettet" in html and "Slettet dialog" in html
    assert "Slettet for lenge siden" not in html
    assert reverse("restore_deleted_project", args=[recent.pk]) in html
    assert reverse("restore_deleted_dialogue", args=[dialogue.pk]) in html
    assert "Deleted items" in client.get(reverse("home")).content.decode()  # in the menu for coordinators


def test_restoring_brings_the_project_and_its_dialogues_back(client, world):
    as_role(client, world, "coordinator")
    client.post(reverse("projects:project_delete", args=[world["project"].slug]))
    response = client.post(reverse("restore_deleted_project", args=[world["project"].pk]))
    assert response["Location"] == reverse("deleted_items")
    world["project"].refresh_from_db()
    assert world["project"].deleted_at is None and world["project"].version == 3
    assert client.get(world["dialogue"].get_absolute_url()).status_code == 200
    actions = [
        entry.action
        for entry in client.get(reverse("projects:project_history", args=[world["project"].slug]))
        .context["page"]
        .object_list[:2]
    ]
    assert actions == ["untrashed", "trashed"]


def test_after_30_days_a_deleted_item_can_no_longer_be_restored(client, world):
    project = deleted_days_ago(world["project"], 31)
    response = as_role(client, world, "coordinator").post(reverse("restore_deleted_project", args=[project.pk]))
    assert response.status_code == 404
    project.refresh_from_db()
    assert project.deleted_at is not None


def test_restoring_answers_post_only(client, world):
    project = deleted_days_ago(world["project"], 1)
    assert (
        as_role(client, world, "coordinator").get(reverse("restore_deleted_project", args=[project.pk])).status_code
        == 405
    )
    project.refresh_from_db()
    assert project.deleted_at is not None


def test_a_restored_dialogue_of_a_deleted_project_stays_hidden_until_the_project_is_back(client, world):
    dialogue = deleted_days_ago(world["dialogue"], 1)
    deleted_days_ago(world["project"], 1)
    as_role(client, world, "coordinator").post(reverse("restore_deleted_dialogue", args=[dialogue.pk]))
    dialogue.refresh_from_db()
    assert dialogue.deleted_at is None
    assert client.get(dialogue.get_absolute_url()).status_code == 404
    client.post(reverse("restore_deleted_project", args=[world["project"].pk]))
    assert client.get(dialogue.get_absolute_url()).status_code == 200


# Removing for good


def test_purge_deleted_removes_what_was_deleted_30_days_ago_or_longer(capsys):
    old_project = deleted_days_ago(ProjectFactory(), 30)
    its_dialogue = HeldDialogueFactory(project=old_project)  # not deleted itself, but its project is going
    FollowUpActionFactory(dialogue=its_dialogue)
    recent_project = deleted_days_ago(ProjectFactory(), 29)
    old_dialogue = deleted_days_ago(DialogueFactory(), 45)
    recent_dialogue = deleted_days_ago(DialogueFactory(), 3)
    living = DialogueFactory(status=DialogueStatus.PLANNED)

    call_command("purge_deleted")

    assert "Removed 1 projects and 2 dialogues" in capsys.readouterr().out
    assert set(Project.objects.values_list("pk", flat=True)) == {
        recent_project.pk,
        living.project_id,
        old_dialogue.project_id,
        recent_dialogue.project_id,
    }
    assert set(Dialogue.objects.values_list("pk", flat=True)) == {recent_dialogue.pk, living.pk}
    assert not Project.history.filter(id=old_project.pk).exists()  # its history went with it


def all_history():
    """Every historical row in the database, of every tracked model, and the links its records kept:
    {(model label, id)}."""
    rows = set()
    for model in apps.get_models():
        if is_tracked(model):
            history = model.history.model
            rows |= {(model._meta.label, pk) for pk in model.history.values_list("history_id", flat=True)}
            for field in link_fields(history):
                links = vars(history)[field.name].model
                rows |= {(links._meta.label, pk) for pk in links.objects.values_list("m2m_history_id", flat=True)}
    return rows


def fill_dialogue(dialogue, organisation, person):
    """A row of every kind that belongs to a dialogue, each with its history."""
    AgendaItem.objects.create(dialogue=dialogue, title="Velkommen")
    HeadcountFactory(dialogue=dialogue)
    AttendanceFactory(dialogue=dialogue, participant=person)
    OutcomeCommentFactory(outcome=OutcomeFactory(dialogue=dialogue), participant=person)
    InsightFactory(dialogue=dialogue, participant=person).delete()  # deleted long ago: only its history is left
    InsightFactory(dialogue=dialogue)
    ProposalFactory(dialogue=dialogue)
    FollowUpActionFactory(dialogue=dialogue, responsible_organisation=organisation)
    DocumentationLinkFactory(dialogue=dialogue)
    FeedbackFactory(dialogue=dialogue, participant=person)
    return dialogue


def project_with_everything(organisation, person, user):
    """A project with a row of every kind that belongs to a project, and a dialogue with everything."""
    project = ProjectFactory()
    project.municipalities.add(organisation.municipality)  # a link, kept in the history too
    PartnershipFactory(project=project, organisation=organisation)
    LearningEntry.objects.create(project=project, kind="done", text="Gjort", author=user)
    Result.objects.create(project=project, description="Resultat")
    SystemChange.objects.create(project=project, level="practice", description="Endring")
    Document.objects.create(project=project, title="Dokument", url="https://example.org/d")
    fill_dialogue(HeldDialogueFactory(project=project), organisation, person)
    return project


BELONGING = {
    "projects.Project",
    "projects.Partnership",
    "projects.LearningEntry",
    "projects.Result",
    "projects.SystemChange",
    "projects.Document",
    "dialogues.Dialogue",
    "dialogues.AgendaItem",
    "dialogues.Headcount",
    "dialogues.Attendance",
    "dialogues.Outcome",
    "dialogues.OutcomeComment",
    "dialogues.Insight",
    "dialogues.Proposal",
    "dialogues.FollowUpAction",
    "dialogues.DocumentationLink",
    "dialogues.Feedback",
    "projects.HistoricalProject_municipalities",
}


def test_purge_deleted_removes_the_history_of_what_it_removes_and_nothing_else():
    organisation, person, user = OrganisationFactory(), ParticipantFactory(), UserFactory()
    kept = project_with_everything(organisation, person, user)
    before = all_history()

    purged_project = project_with_everything(organisation, person, user)
    delete_project(project=purged_project)
    deleted_days_ago(purged_project, 31)
    purged_dialogue = fill_dialogue(HeldDialogueFactory(project=kept), organisation, person)  # in the project kept
    delete_dialogue(dialogue=purged_dialogue)
    deleted_days_ago(purged_dialogue, 31)
    assert {label for label, _id in all_history() - before} == BELONGING

    assert purge_deleted() == (1, 2)
    # No historical row of anything purged is left; every other one is (of the project kept, of the people and
    # the organisation that took part).
    assert all_history() == before


# Query budget


def test_deleted_items_query_count_is_the_same_for_1_and_30_rows(client, world):
    as_role(client, world, "coordinator")

    def build(n):
        for _ in range(n):
            deleted_days_ago(ProjectFactory(), 1)
            deleted_days_ago(DialogueFactory(), 1)

    assert_budget(client, reverse("deleted_items"), build, 9, user=world["coordinator"])
