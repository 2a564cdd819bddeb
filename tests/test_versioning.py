"""No lost updates: two people open the same edit form and both save.

The first save wins. The second is refused: nothing of theirs is saved, the page lists field by field what the
first person changed, and their own input is still in the form, which now carries the new version, so that
sending it again (after merging by hand) saves."""

import pytest
from django.test import Client
from django.urls import reverse

from dialogues.models import Dialogue, DialogueStatus, Insight, Outcome
from projects.models import Organisation, Project, ProjectStatus
from tests.conftest import english
from tests.factories import (
    CoordinatorFactory,
    DialogueFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    ProjectFactory,
)
from tests.htmlforms import form_data, page_form

pytestmark = pytest.mark.django_db

CONFLICT = "Someone else saved this while you were editing"


def english_client(user):
    client = english(Client())
    client.force_login(user)
    return client


@pytest.fixture
def anna():
    return english_client(CoordinatorFactory(username="anna"))


@pytest.fixture
def bjorn():
    return english_client(CoordinatorFactory(username="bjorn"))


def race(anna, bjorn, url, anna_changes, bjorn_changes, having=None):
    """Both open the form; Anna saves first, then Bjørn. Returns Bjørn's answer."""
    anna_form = page_form(anna, url, having)
    bjorn_form = page_form(bjorn, url, having)
    first = anna.post(url, {**anna_form, **anna_changes})
    assert first.status_code == 302, first.content.decode()[:3000]
    return bjorn.post(url, {**bjorn_form, **bjorn_changes})


def assert_conflict(response, label, before, after):
    """Refused, with the conflict box saying who changed `label` from `before` to `after`."""
    assert response.status_code == 200
    html = response.content.decode()
    assert CONFLICT in html
    assert "Saved by anna" in html
    assert f'<tr><th scope="row">{label}</th><td>{before}</td><td>{after}</td></tr>' in html


def test_project_edit_second_save_is_refused_and_resubmitting_saves(anna, bjorn):
    project = ProjectFactory(title="Før", summary="Felles tekst")
    url = reverse("projects:project_edit", args=[project.slug])

    refused = race(anna, bjorn, url, {"title": "Annas tittel"}, {"summary": "Bjørns sammendrag"})

    assert_conflict(refused, "Title", "Før", "Annas tittel")
    project.refresh_from_db()
    assert (project.title, project.summary, project.version) == ("Annas tittel", "Felles tekst", 2)
    kept = form_data(refused.content)
    assert kept["summary"] == "Bjørns sammendrag"  # what Bjørn typed is still there
    assert kept["title"] == "Før"  # ... including his (stale) title, for him to merge by hand
    assert kept["version"] == "2"  # and the form now carries the version saved

    saved = bjorn.post(url, {**kept, "title": "Annas tittel"})

    assert saved.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.summary, project.version) == ("Annas tittel", "Bjørns sammendrag", 3)


def test_project_edit_conflict_refuses_the_partner_rows_too(anna, bjorn):
    project = ProjectFactory(title="Før")
    partner = OrganisationFactory(name="Ny partner")
    url = reverse("projects:project_edit", args=[project.slug])

    refused = race(
        anna,
        bjorn,
        url,
        {"title": "Annas tittel"},
        {"partners-0-organisation": str(partner.pk), "partners-0-role": "partner"},
    )

    assert CONFLICT in refused.content.decode()
    assert not project.partnerships.exists()
    assert form_data(refused.content)["partners-0-organisation"] == str(partner.pk)


def test_closing_a_project_that_was_edited_meanwhile_is_refused(anna, bjorn):
    project = ProjectFactory(title="Før", status=ProjectStatus.ACTIVE)
    edit_url = reverse("projects:project_edit", args=[project.slug])
    close_url = reverse("projects:project_close", args=[project.slug])
    bjorn_form = page_form(bjorn, close_url, status="completed", end_date="2012-06-30", end_precision="day")
    anna.post(edit_url, page_form(anna, edit_url, title="Annas tittel"))

    refused = bjorn.post(close_url, bjorn_form)

    assert_conflict(refused, "Title", "Før", "Annas tittel")
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE and project.end_date is None
    kept = form_data(refused.content)
    assert (kept["status"], kept["end_date"]) == ("completed", "2012-06-30")
    assert bjorn.post(close_url, kept).status_code == 302
    project.refresh_from_db()
    assert (project.status, project.title, project.version) == (ProjectStatus.COMPLETED, "Annas tittel", 3)


def test_organisation_edit_second_save_is_refused(anna, bjorn):
    organisation = OrganisationFactory(name="NAV Før", notes="")
    url = reverse("projects:organisation_edit", args=[organisation.pk])

    refused = race(anna, bjorn, url, {"name": "NAV Anna"}, {"notes": "Bjørns notat"})

    assert_conflict(refused, "Name", "NAV Før", "NAV Anna")
    organisation.refresh_from_db()
    assert (organisation.name, organisation.notes) == ("NAV Anna", "")
    kept = form_data(refused.content)
    assert kept["notes"] == "Bjørns notat"
    assert bjorn.post(url, kept).status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.notes, organisation.version) == ("NAV Før", "Bjørns notat", 3)


def test_dialogue_edit_second_save_is_refused_with_its_agenda(anna, bjorn):
    dialogue = DialogueFactory(title="Før", venue="Biblioteket")
    url = reverse("dialogues:dialogue_edit", args=[dialogue.pk])

    refused = race(anna, bjorn, url, {"venue": "Rådhuset"}, {"title": "Bjørns tittel", "agenda-0-title": "Velkommen"})

    assert_conflict(refused, "Venue", "Biblioteket", "Rådhuset")
    dialogue.refresh_from_db()
    assert (dialogue.title, dialogue.venue) == ("Før", "Rådhuset")
    assert not dialogue.agenda.exists()
    kept = form_data(refused.content)
    assert (kept["title"], kept["agenda-0-title"]) == ("Bjørns tittel", "Velkommen")
    assert bjorn.post(url, kept).status_code == 302
    dialogue.refresh_from_db()
    assert (dialogue.title, dialogue.version) == ("Bjørns tittel", 3)
    assert list(dialogue.agenda.values_list("title", flat=True)) == ["Velkommen"]


def test_cancelling_a_dialogue_that_was_edited_meanwhile_is_refused(anna, bjorn):
    dialogue = DialogueFactory(venue="Biblioteket")
    edit_url = reverse("dialogues:dialogue_edit", args=[dialogue.pk])
    cancel_url = reverse("dialogues:dialogue_cancel", args=[dialogue.pk])
    bjorn_form = page_form(bjorn, cancel_url, cancel_reason="Snøstorm")
    anna.post(edit_url, page_form(anna, edit_url, venue="Rådhuset"))

    refused = bjorn.post(cancel_url, bjorn_form)

    assert_conflict(refused, "Venue", "Biblioteket", "Rådhuset")
    dialogue.refresh_from_db()
    assert dialogue.status == DialogueStatus.PLANNED
    kept = form_data(refused.content)
    assert kept["cancel_reason"] == "Snøstorm"
    assert bjorn.post(cancel_url, kept).status_code == 302
    dialogue.refresh_from_db()
    assert (dialogue.status, dialogue.cancel_reason, dialogue.venue) == (
        DialogueStatus.CANCELLED,
        "Snøstorm",
        "Rådhuset",
    )


def test_outcome_conflict_refuses_the_whole_save_lists_included(anna, bjorn):
    outcome = OutcomeFactory(summary="Første utkast")
    dialogue = outcome.dialogue
    url = reverse("dialogues:outcome_edit", args=[dialogue.pk])

    refused = race(
        anna,
        bjorn,
        url,
        {"summary": "Annas sammendrag"},
        {"framework_answer": "Bjørns svar", "insights-0-text": "Bjørns innsikt", "insights-0-perspective": "staff"},
    )

    assert_conflict(refused, "Summary", "Første utkast", "Annas sammendrag")
    outcome.refresh_from_db()
    assert (outcome.summary, outcome.framework_answer) == ("Annas sammendrag", "")
    assert not Insight.objects.filter(dialogue=dialogue).exists()
    kept = form_data(refused.content, having="summary")
    assert (kept["framework_answer"], kept["insights-0-text"]) == ("Bjørns svar", "Bjørns innsikt")
    assert bjorn.post(url, {**kept, "save": "1"}).status_code == 302
    outcome.refresh_from_db()
    assert (outcome.summary, outcome.framework_answer, outcome.version) == ("Første utkast", "Bjørns svar", 3)
    assert list(Insight.objects.filter(dialogue=dialogue).values_list("text", flat=True)) == ["Bjørns innsikt"]


def test_saving_without_a_change_in_between_needs_no_merging(anna):
    project = ProjectFactory(title="Før")
    url = reverse("projects:project_edit", args=[project.slug])

    for title in ("En", "To", "Tre"):
        assert anna.post(url, page_form(anna, url, title=title)).status_code == 302

    project.refresh_from_db()
    assert (project.title, project.version) == ("Tre", 4)
    assert list(project.history.order_by("history_date").values_list("version", flat=True)) == [1, 2, 3, 4]


def test_an_edit_never_writes_back_fields_it_does_not_show(anna, bjorn):
    """Registering the outcome marks the dialogue held; an edit of the dialogue opened before keeps it held."""
    dialogue = DialogueFactory(status=DialogueStatus.PLANNED)
    url = reverse("dialogues:dialogue_edit", args=[dialogue.pk])
    bjorn_form = page_form(bjorn, url, venue="Rådhuset")
    Dialogue.objects.filter(pk=dialogue.pk).update(status=DialogueStatus.HELD)  # a path that is not this form

    assert bjorn.post(url, bjorn_form).status_code == 302

    dialogue.refresh_from_db()
    assert (dialogue.status, dialogue.venue) == (DialogueStatus.HELD, "Rådhuset")


@pytest.mark.parametrize("version", [None, "", "0", "-1", "abc", "99999999999"])
def test_an_edit_without_a_sound_version_changes_nothing(anna, version):
    project = ProjectFactory(title="Før")
    url = reverse("projects:project_edit", args=[project.slug])
    data = page_form(anna, url, title="Etter")
    if version is None:
        del data["version"]
    else:
        data["version"] = version

    response = anna.post(url, data)

    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.title, project.version) == ("Før", 1)


def test_an_edit_from_the_future_is_refused_too(anna):
    """A version the row never had (a tampered form) is a conflict like any other, never a save."""
    project = ProjectFactory(title="Før")
    url = reverse("projects:project_edit", args=[project.slug])

    response = anna.post(url, page_form(anna, url, title="Etter", version="7"))

    assert CONFLICT in response.content.decode()
    project.refresh_from_db()
    assert (project.title, project.version) == ("Før", 1)


def test_creating_needs_no_version(anna):
    data = page_form(anna, reverse("projects:organisation_create"), name="Helt ny", sector="nav")
    assert data["version"] == "1"
    del data["version"]

    assert anna.post(reverse("projects:organisation_create"), data).status_code == 302
    assert Organisation.objects.get(name="Helt ny").version == 1


def test_a_conflict_without_history_of_the_opened_version_still_refuses(anna, bjorn):
    project = ProjectFactory(title="Før")
    PartnershipFactory(project=project)
    url = reverse("projects:project_edit", args=[project.slug])
    bjorn_form = page_form(bjorn, url, title="Bjørn")
    anna.post(url, page_form(anna, url, title="Anna"))
    Project.history.filter(id=project.pk, version=1).delete()

    refused = bjorn.post(url, bjorn_form)

    html = refused.content.decode()
    assert CONFLICT in html and "The change history does not say what they changed" in html
    project.refresh_from_db()
    assert project.title == "Anna"


def test_outcome_created_by_the_form_starts_at_version_one(anna):
    from tests.factories import HeldDialogueFactory

    dialogue = HeldDialogueFactory()
    url = reverse("dialogues:outcome_edit", args=[dialogue.pk])

    assert anna.post(url, page_form(anna, url, having="summary", summary="Første")).status_code == 302

    assert Outcome.objects.get(dialogue=dialogue).version == 1
