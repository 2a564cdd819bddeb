"""The History pages: who changed what and when, field by field, newest first; and restoring an earlier version."""

import pytest
from django.urls import reverse

from dialogues.models import Dialogue, Insight, Outcome, OutcomeStatus
from projects.models import Document, LearningEntry, Organisation, Project, Result, SystemChange
from tests.dialogues.outcome_world import ROLES, as_role, is_login_redirect, make_world
from tests.factories import (
    AttendanceFactory,
    CoordinatorFactory,
    FeedbackFactory,
    InsightFactory,
    MunicipalityFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    ProjectFactory,
)
from tests.htmlforms import form_data
from tests.querycount import assert_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    world["outcome"] = OutcomeFactory(dialogue=world["dialogue"])
    return world


def expect(response, expected):
    if expected == "login":
        assert is_login_redirect(response), response.status_code
    else:
        assert response.status_code == expected, response.status_code


def edit(obj, **changes):
    """Save a change the way the app does, as a new version (history is written by the save)."""
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.version += 1
    obj.save()
    return obj


def history_urls(world):
    return {
        "project": reverse("projects:project_history", args=[world["project"].slug]),
        "dialogue": reverse("dialogues:dialogue_history", args=[world["dialogue"].pk]),
        "outcome": reverse("dialogues:outcome_history", args=[world["dialogue"].pk]),
        "organisation": reverse("projects:organisation_history", args=[world["partner"].pk]),
    }


def first_record(obj):
    return obj.history.order_by("history_date").first()


def restore_urls(world):
    return {
        "project": reverse("projects:project_restore", args=[world["project"].slug, first_record(world["project"]).pk]),
        "dialogue": reverse(
            "dialogues:dialogue_restore", args=[world["dialogue"].pk, first_record(world["dialogue"]).pk]
        ),
        "outcome": reverse("dialogues:outcome_restore", args=[world["dialogue"].pk, first_record(world["outcome"]).pk]),
        "organisation": reverse(
            "projects:organisation_restore", args=[world["partner"].pk, first_record(world["partner"]).pk]
        ),
    }


# Whoever may see the object may see its history. Every organisation is visible to every user (its page has no
# limits), so its history is too.
HISTORY = {
    "project": {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200},
    "dialogue": {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200},
    "outcome": {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200},
    "organisation": {"anonymous": "login", "outsider": 200, "member": 200, "coordinator": 200},
}
RESTORE = {
    "project": {"anonymous": "login", "outsider": 404, "member": 403, "coordinator": 200},
    "dialogue": {"anonymous": "login", "outsider": 404, "member": 403, "coordinator": 200},
    "outcome": {"anonymous": "login", "outsider": 404, "member": 403, "coordinator": 200},
    "organisation": {"anonymous": "login", "outsider": 403, "member": 403, "coordinator": 200},
}


@pytest.mark.parametrize("kind", HISTORY)
@pytest.mark.parametrize("role", ROLES)
def test_history_permission_matrix(client, world, kind, role):
    expect(as_role(client, world, role).get(history_urls(world)[kind]), HISTORY[kind][role])


@pytest.mark.parametrize("kind", RESTORE)
@pytest.mark.parametrize("role", ROLES)
def test_restore_page_permission_matrix(client, world, kind, role):
    expect(as_role(client, world, role).get(restore_urls(world)[kind]), RESTORE[kind][role])


@pytest.mark.parametrize("kind", RESTORE)
@pytest.mark.parametrize("role", ROLES)
def test_restoring_permission_matrix(client, world, kind, role):
    objects = {
        "project": world["project"],
        "dialogue": world["dialogue"],
        "outcome": world["outcome"],
        "organisation": world["partner"],
    }
    obj = edit(objects[kind])  # version 2, so there is an earlier version to restore
    url = restore_urls(world)[kind]
    response = as_role(client, world, role).post(url, {"version": obj.version})
    expect(response, {**RESTORE[kind], "coordinator": 302}[role])
    obj.refresh_from_db()
    assert obj.version == (3 if role == "coordinator" else 2)


def test_history_is_field_by_field_newest_first_with_who_and_when(client, world):
    project = world["project"]
    anna = CoordinatorFactory(username="anna")
    as_role(client, world, "coordinator")
    client.force_login(anna)
    data = form_data(client.get(reverse("projects:project_edit", args=[project.slug])).content)
    client.post(
        reverse("projects:project_edit", args=[project.slug]), {**data, "title": "Ny tittel", "status": "completed"}
    )

    page = client.get(reverse("projects:project_history", args=[project.slug]))

    html = page.content.decode()
    entries = page.context["page"].object_list
    assert [entry.action for entry in entries if entry.is_main] == ["changed", "created"]
    newest = entries[0]
    assert newest.record.history_user == anna and newest.record.version == 2
    assert [(c.label, c.old, c.new) for c in newest.changes] == [
        ("Title", "Dialog i Partnerby", "Ny tittel"),
        ("Status", "Active", "Completed"),
    ]
    assert '<tr><th scope="row">Title</th><td>Dialog i Partnerby</td><td>Ny tittel</td></tr>' in html
    assert "anna" in html and "version 2" in html


def test_project_history_lists_its_partners_learning_results_changes_and_documents(client, world):
    project = world["project"]
    LearningEntry.objects.create(project=project, kind="learned", text="Vi lærte å lytte.")
    Result.objects.create(project=project, description="13 av 14 i egen bolig")
    SystemChange.objects.create(project=project, level="practice", description="Ny rutine").adoptions.create(
        organisation=world["partner"]
    )
    Document.objects.create(project=project, title="Sluttrapport")
    html = (
        as_role(client, world, "member").get(reverse("projects:project_history", args=[project.slug])).content.decode()
    )
    for expected in (
        "Partner: NAV Partnerby",
        "Learning entry: Vi lærte å lytte.",
        "Result: 13 av 14 i egen bolig",
        "System change: Ny rutine",
        "Adopting organisation: NAV Partnerby",
        "Document or link: Sluttrapport",
    ):
        assert expected in html
    assert "<td>NAV Partnerby</td>" in html  # the related organisation by name, not its number


def test_outcome_history_lists_its_lists_but_never_who_raised_an_insight(client, world):
    attendee = AttendanceFactory(dialogue=world["dialogue"]).participant
    InsightFactory(dialogue=world["dialogue"], text="Brukerne vet best", participant=attendee)
    FeedbackFactory(dialogue=world["dialogue"], note="Godt møte", participant=attendee)
    html = as_role(client, world, "member").get(history_urls(world)["outcome"]).content.decode()
    assert "Insight: Brukerne vet best" in html and "Godt møte" in html
    assert attendee.display_name not in html


def test_history_is_paginated(client, world):
    organisation = world["partner"]
    for number in range(25):
        edit(organisation, notes=f"Notat {number}")
    as_role(client, world, "coordinator")
    first = client.get(history_urls(world)["organisation"])
    second = client.get(history_urls(world)["organisation"], {"side": 2})
    assert len(first.context["page"].object_list) == 20 and len(second.context["page"].object_list) == 6
    assert first.context["page"].object_list[0].changes[0].new == "Notat 24"
    assert second.context["page"].object_list[-1].action == "created"


def test_history_pages_change_nothing(client, world):
    as_role(client, world, "coordinator")
    before = [model.history.count() for model in (Project, Dialogue, Outcome, Organisation)]
    for url in list(history_urls(world).values()) + list(restore_urls(world).values()):
        client.get(url)
    assert [model.history.count() for model in (Project, Dialogue, Outcome, Organisation)] == before


# Restoring


def test_a_coordinator_restores_an_earlier_version_as_a_new_version(client, world):
    project = world["project"]
    edit(project, title="Feil tittel", summary="Feil")
    url = reverse("projects:project_restore", args=[project.slug, first_record(project).pk])
    confirm = as_role(client, world, "coordinator").get(url)
    html = confirm.content.decode()
    assert '<tr><th scope="row">Title</th><td>Feil tittel</td><td>Dialog i Partnerby</td></tr>' in html

    response = client.post(url, form_data(html))

    assert response["Location"] == reverse("projects:project_history", args=[project.slug])
    project.refresh_from_db()
    assert (project.title, project.summary, project.version) == ("Dialog i Partnerby", "Et partnerskapsprosjekt.", 3)
    history = client.get(response["Location"])
    newest = history.context["page"].object_list[0]
    assert (newest.action, newest.restored_version, newest.record.history_user) == (
        "restored",
        "1",
        world["coordinator"],
    )
    assert "restored to version 1" in history.content.decode()


def test_restoring_goes_through_the_version_check(client, world):
    project = world["project"]
    edit(project, title="Andre")
    url = reverse("projects:project_restore", args=[project.slug, first_record(project).pk])
    confirm = form_data(as_role(client, world, "coordinator").get(url).content)
    edit(project, title="Tredje")  # someone saves while the confirmation page is open

    refused = client.post(url, confirm)

    html = refused.content.decode()
    assert "Someone else saved this while you were editing" in html
    assert '<tr><th scope="row">Title</th><td>Andre</td><td>Tredje</td></tr>' in html
    project.refresh_from_db()
    assert (project.title, project.version) == ("Tredje", 3)
    assert client.post(url, form_data(html)).status_code == 302  # confirmed again, on the new version
    project.refresh_from_db()
    assert (project.title, project.version) == ("Dialog i Partnerby", 4)


def test_a_version_that_no_longer_fits_is_not_restored(client, world):
    project = world["project"]
    edit(project, slug="nytt-navn")
    ProjectFactory(slug="dialog-i-partnerby")  # the old address is someone else's now
    url = reverse("projects:project_restore", args=[project.slug, first_record(project).pk])
    as_role(client, world, "coordinator")
    response = client.post(url, form_data(client.get(url).content))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    project.refresh_from_db()
    assert (project.slug, project.version) == ("nytt-navn", 2)


def test_restoring_an_outcome_keeps_it_published(client, world):
    outcome = world["outcome"]
    edit(outcome, summary="Publisert tekst", status=OutcomeStatus.PUBLISHED)
    url = reverse("dialogues:outcome_restore", args=[world["dialogue"].pk, first_record(outcome).pk])
    as_role(client, world, "coordinator").post(url, {"version": outcome.version})
    outcome.refresh_from_db()
    assert (outcome.summary, outcome.status) == ("Vi snakket sammen som likeverdige partnere.", OutcomeStatus.PUBLISHED)


def test_restore_buttons_only_for_coordinators_and_only_for_older_versions(client, world):
    edit(world["project"], title="Ny")
    url = history_urls(world)["project"]
    entries = as_role(client, world, "coordinator").get(url).context["page"].object_list
    assert [bool(entry.restore_url) for entry in entries if entry.is_main] == [False, True]
    client.force_login(world["member"])
    assert not any(entry.restore_url for entry in client.get(url).context["page"].object_list)


def test_a_record_of_another_object_cannot_be_restored_here(client, world):
    other = ProjectFactory()
    url = reverse("projects:project_restore", args=[world["project"].slug, first_record(other).pk])
    assert as_role(client, world, "coordinator").get(url).status_code == 404


# Query budgets: the same for 1 history row as for 30, pinned (tests/test_query_budgets.py counts every role)


def budget(client, world, role, kind, build, expected):
    assert_budget(as_role(client, world, role), history_urls(world)[kind], build, expected, user=world[role])


def test_project_history_query_count(client, world):
    project = world["project"]

    def build(n):
        for number in range(n):
            edit(project, summary=f"Versjon {number}", continued_by=OrganisationFactory())
            PartnershipFactory(project=project)
            LearningEntry.objects.create(project=project, kind="done", text="x")
            Result.objects.create(project=project, description="r")
            SystemChange.objects.create(project=project, level="practice", description="s", krem_contribution="k")
            Document.objects.create(project=project, title="d")

    budget(client, world, "coordinator", "project", build, 19)


def test_dialogue_history_query_count(client, world):
    dialogue = world["dialogue"]

    def build(n):
        for number in range(n):
            edit(dialogue, title=f"Versjon {number}", municipality=MunicipalityFactory())
            dialogue.agenda.create(title=f"Punkt {number}")

    budget(client, world, "member", "dialogue", build, 17)


def test_outcome_history_query_count(client, world):
    def build(n):
        for number in range(n):
            edit(world["outcome"], summary=f"Versjon {number}")
            Insight.objects.create(dialogue=world["dialogue"], text=f"Innsikt {number}", perspective="staff")

    budget(client, world, "coordinator", "outcome", build, 13)


def test_organisation_history_query_count(client, world):
    def build(n):
        for number in range(n):
            edit(world["partner"], notes=f"Versjon {number}", municipality=MunicipalityFactory())

    budget(client, world, "coordinator", "organisation", build, 12)
