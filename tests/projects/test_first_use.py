"""What a new user stumbled on (issue 13, part 5): each fix, as the user meets it."""

import pytest
from django.urls import reverse

from dialogues.models import Dialogue
from projects.admin import OrganisationAdminForm
from projects.filters import ProjectFilter
from projects.forms import LearningEntryForm, ProjectForm
from projects.models import District, Organisation, Project
from projects.validators import normalise_org_number
from tests.factories import (
    AttendanceFactory,
    CoordinatorFactory,
    HeldDialogueFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    UserFactory,
    member_of,
)
from tests.htmlforms import page_form

pytestmark = pytest.mark.django_db


# Organisation numbers


@pytest.mark.parametrize("typed", ["889 640 782", "889640782", " 889-640-782 "])
def test_organisation_number_typed_with_spaces_is_stored_as_nine_digits(typed):
    form = OrganisationAdminForm(data={"name": "NAV Test", "sector": "nav", "org_number": typed, "version": ""})
    assert form.is_valid(), form.errors
    assert form.save().org_number == "889640782"


def test_a_wrong_organisation_number_is_still_refused_with_spaces():
    form = OrganisationAdminForm(data={"name": "NAV Test", "sector": "nav", "org_number": "889 640 783"})
    assert not form.is_valid()
    assert "org_number" in form.errors


def test_the_admin_accepts_an_organisation_number_with_spaces(admin_client):
    url = reverse("admin:projects_organisation_add")
    response = admin_client.post(url, page_form(admin_client, url, name="NAV Mellomrom", org_number="889 640 782"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get(name="NAV Mellomrom").org_number == "889640782"


def test_the_model_stores_nine_digits_however_it_was_given():
    organisation = OrganisationFactory(org_number="889 640 782")
    assert Organisation.objects.get(pk=organisation.pk).org_number == "889640782"
    assert normalise_org_number(None) is None


# The project form


def test_districts_are_checkboxes_with_none_chosen():
    oslo = MunicipalityFactory(name="Oslo", number="0301")
    District.objects.create(municipality=oslo, name="Grünerløkka")
    html = ProjectForm().as_p()
    assert 'type="checkbox" name="districts"' in html
    assert '<select name="districts"' not in html
    assert "checked" not in html.split("Grünerløkka")[0].rsplit("<input", 1)[-1]


def test_a_second_project_with_the_same_title_asks_before_saving(client):
    ProjectFactory(title="Tenk Om", slug="tenk-om")
    client.force_login(CoordinatorFactory())
    url = reverse("projects:project_create")
    data = page_form(client, url, title="tenk om", summary="Nytt")
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "finnes allerede" in html and 'name="confirm_same_title"' in html
    assert Project.objects.count() == 1
    response = client.post(url, {**data, "confirm_same_title": "on"})
    assert response.status_code == 302
    assert Project.objects.filter(title="tenk om").get().slug == "tenk-om-2"


def test_editing_a_project_does_not_warn_about_its_own_title(client):
    project = ProjectFactory(title="Eget navn")
    client.force_login(CoordinatorFactory())
    url = reverse("projects:project_edit", args=[project.slug])
    response = client.post(url, page_form(client, url, summary="Endret"))
    assert response.status_code == 302


def test_sort_choices_are_translated_and_have_no_dashes(client):
    client.force_login(CoordinatorFactory())
    html = client.get(reverse("projects:project_list")).content.decode()
    assert "descending" not in html
    assert "Tittel (synkende)" in html
    assert "---------" not in html


def test_the_learning_entry_kind_has_no_blank_radio():
    html = LearningEntryForm().as_p()
    assert "---------" not in html
    assert 'type="radio" name="kind" value=""' not in html


def test_the_report_section_names_the_report(client):
    project = ProjectFactory(report_section="5.3")
    client.force_login(CoordinatorFactory())
    html = client.get(project.get_absolute_url()).content.decode()
    assert "I partnerskap for sosial innovasjon" in html and "5.3" in html


# Lists follow visibility (part 3)


def participant_user(dialogue):
    user = UserFactory()
    AttendanceFactory(dialogue=dialogue, participant=ParticipantFactory(user=user))
    return user


def test_a_participant_without_projects_reads_why_not_that_filters_match_nothing(client):
    client.force_login(participant_user(HeldDialogueFactory()))
    html = client.get(reverse("projects:project_list")).content.decode()
    assert "Ingen prosjekter passer med disse filtrene" not in html
    assert "medlemmene i partnerorganisasjonene" in html
    filtered = client.get(reverse("projects:project_list"), {"status": "active"}).content.decode()
    assert "Ingen prosjekter passer med disse filtrene" in filtered


def test_the_home_figures_count_what_the_user_may_open(client):
    ProjectFactory.create_batch(3)
    dialogue = HeldDialogueFactory()
    client.force_login(participant_user(dialogue))
    dashboard = client.get(reverse("home")).context["dashboard"]
    # A participant in no project gets their own part, not the portfolio's figures (krem/dashboard.py)
    assert dashboard.role == "participant"
    assert {figure.key: figure.value for figure in dashboard.figures}["attended"] == 1
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    dashboard = client.get(reverse("home"), {"year_from": 1990, "year_to": 2039}).context["dashboard"]
    assert {figure.key: figure.value for figure in dashboard.figures}["projects"] == Project.objects.count() == 4


def test_dialogue_lists_mark_the_gatherings_the_user_attended(client):
    organisation = OrganisationFactory()
    project = ProjectFactory()
    PartnershipFactory(project=project, organisation=organisation)
    attended = HeldDialogueFactory(project=project, title="Var der")
    HeldDialogueFactory(project=project, title="Var ikke der")
    user = member_of(organisation)
    AttendanceFactory(dialogue=attended, participant=user.participant)
    client.force_login(user)
    html = client.get(reverse("dialogues:dialogue_list")).content.decode()
    there, elsewhere = html.split("Var der")[1].split("</li>")[0], html.split("Var ikke der")[1].split("</li>")[0]
    assert "Jeg deltok" in there
    assert "Jeg deltok" not in elsewhere
    assert Dialogue.objects.with_attended(user).get(pk=attended.pk).attended


def test_project_filter_sort_labels_come_from_our_catalogue():
    labels = dict(ProjectFilter().form.fields["order"].choices)
    assert "-title" in labels
