"""The coordinators' workspace: who may see and change what, and what each request changes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import LearningEntry, Organisation, Partnership, Project, ProjectStatus, Result, SystemChange
from tests.factories import (
    CoordinatorFactory,
    DialogueFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A project with one partner organisation, a member of it, and an outsider from another organisation."""
    partner = OrganisationFactory(name="NAV Partnerby")
    project = ProjectFactory(title="Dialog i Partnerby", slug="dialog-i-partnerby")
    PartnershipFactory(project=project, organisation=partner, role="lead")
    return {
        "project": project,
        "partner": partner,
        "member": member_of(partner, username="medlem"),
        "outsider": member_of(OrganisationFactory(name="Annen etat"), username="utenfor"),
        "coordinator": CoordinatorFactory(username="koord"),
    }


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def url_for(world, name):
    slug = world["project"].slug
    return {
        "list": reverse("projects:project_list"),
        "detail": reverse("projects:project_detail", args=[slug]),
        "create": reverse("projects:project_create"),
        "edit": reverse("projects:project_edit", args=[slug]),
        "close": reverse("projects:project_close", args=[slug]),
        "add_learning": reverse("projects:entry_create", args=[slug, "laering"]),
        "add_result": reverse("projects:entry_create", args=[slug, "resultater"]),
        "add_change": reverse("projects:entry_create", args=[slug, "systemendringer"]),
        "add_document": reverse("projects:entry_create", args=[slug, "dokumenter"]),
        "partner_row": reverse("projects:partner_row"),
        "organisations": reverse("projects:organisation_list"),
        "organisation": reverse("projects:organisation_detail", args=[world["partner"].pk]),
        "organisation_create": reverse("projects:organisation_create"),
        "organisation_edit": reverse("projects:organisation_edit", args=[world["partner"].pk]),
        "municipalities": reverse("projects:municipality_list"),
    }[name]


# Expected status of a GET per role. "login" is a redirect to the login page.
MATRIX = {
    "list": {"anonymous": "login", "outsider": 200, "member": 200, "coordinator": 200},
    "detail": {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200},
    "create": {"anonymous": "login", "outsider": 403, "member": 403, "coordinator": 200},
    "edit": {"anonymous": "login", "outsider": 404, "member": 403, "coordinator": 200},
    "close": {"anonymous": "login", "outsider": 404, "member": 403, "coordinator": 200},
    "add_learning": {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200},
    "add_result": {"anonymous": "login", "outsider": 404, "member": 403, "coordinator": 200},
    "add_change": {"anonymous": "login", "outsider": 404, "member": 403, "coordinator": 200},
    "add_document": {"anonymous": "login", "outsider": 404, "member": 403, "coordinator": 200},
    "partner_row": {"anonymous": "login", "outsider": 403, "member": 403, "coordinator": 200},
    "organisations": {"anonymous": "login", "outsider": 200, "member": 200, "coordinator": 200},
    "organisation": {"anonymous": "login", "outsider": 200, "member": 200, "coordinator": 200},
    "organisation_create": {"anonymous": "login", "outsider": 403, "member": 403, "coordinator": 200},
    "organisation_edit": {"anonymous": "login", "outsider": 403, "member": 403, "coordinator": 200},
    "municipalities": {"anonymous": "login", "outsider": 200, "member": 200, "coordinator": 200},
}


@pytest.mark.parametrize("page, role", [(page, role) for page, roles in MATRIX.items() for role in roles])
def test_permission_matrix(client, world, page, role):
    user = None if role == "anonymous" else world[role]
    response = as_user(client, user).get(url_for(world, page))
    expected = MATRIX[page][role]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected


def test_project_list_shows_only_projects_the_user_may_see(client, world):
    hidden = ProjectFactory(title="Skjult prosjekt")
    titles = lambda user: [p.title for p in as_user(client, user).get(url_for(world, "list")).context["page"]]  # noqa: E731
    assert titles(world["outsider"]) == []
    assert titles(world["member"]) == ["Dialog i Partnerby"]
    assert titles(world["coordinator"]) == ["Dialog i Partnerby", "Skjult prosjekt"]
    assert hidden.title not in client.get(url_for(world, "organisations")).content.decode()


def test_outsider_does_not_see_the_project_on_organisation_or_municipality_pages(client, world):
    municipality = world["partner"].municipality
    world["project"].municipalities.add(municipality)
    as_user(client, world["outsider"])
    assert "Dialog i Partnerby" not in client.get(url_for(world, "organisation")).content.decode()
    assert "Dialog i Partnerby" not in client.get(municipality.get_absolute_url()).content.decode()
    as_user(client, world["member"])
    assert "Dialog i Partnerby" in client.get(municipality.get_absolute_url()).content.decode()


def test_member_adds_a_learning_entry_as_author(client, world):
    response = as_user(client, world["member"]).post(
        url_for(world, "add_learning"),
        {"kind": "learned", "text": "Brukerne er eksperter i eget liv.", "date_precision": "day"},
    )
    assert response.status_code == 302
    entry = LearningEntry.objects.get()
    assert (entry.project, entry.author, entry.kind) == (world["project"], world["member"], "learned")


def test_member_may_edit_own_learning_entry_but_not_others(client, world):
    own = LearningEntry.objects.create(project=world["project"], kind="done", text="Eget", author=world["member"])
    other = LearningEntry.objects.create(
        project=world["project"], kind="done", text="Andres", author=world["coordinator"]
    )
    as_user(client, world["member"])
    edit = lambda entry: reverse("projects:entry_edit", args=[world["project"].slug, "laering", entry.pk])  # noqa: E731
    assert client.get(edit(own)).status_code == 200
    assert client.post(edit(other), {"kind": "done", "text": "Overskrevet", "date_precision": "day"}).status_code == 403
    other.refresh_from_db()
    assert other.text == "Andres"


def test_member_cannot_post_a_result(client, world):
    response = as_user(client, world["member"]).post(
        url_for(world, "add_result"), {"description": "x", "date_precision": "day"}
    )
    assert response.status_code == 403
    assert not Result.objects.exists()


def test_outsider_cannot_post_learning_and_gets_404(client, world):
    response = as_user(client, world["outsider"]).post(
        url_for(world, "add_learning"), {"kind": "done", "text": "Inntrenger", "date_precision": "day"}
    )
    assert response.status_code == 404
    assert not LearningEntry.objects.exists()


def test_entry_of_another_project_is_not_found_through_this_project(client, world):
    other = ProjectFactory()
    entry = LearningEntry.objects.create(project=other, kind="done", text="Annet prosjekt")
    url = reverse("projects:entry_edit", args=[world["project"].slug, "laering", entry.pk])
    assert as_user(client, world["coordinator"]).get(url).status_code == 404


def test_unknown_section_is_404(client, world):
    url = reverse("projects:entry_create", args=[world["project"].slug, "ukjent"])
    assert as_user(client, world["coordinator"]).get(url).status_code == 404


# Forms: valid input saves and redirects; invalid input changes nothing and keeps what was typed.


def project_post(**overrides):
    data = {
        "title": "Læringslab i Horten",
        "slug": "",
        "summary": "Et nytt samarbeid.",
        "goals": "",
        "target_groups": "Ungdom",
        "status": "planned",
        "continued_by": "",
        "start_date": "2026-09-15",
        "start_precision": "season",
        "end_date": "",
        "end_precision": "day",
        "partners-TOTAL_FORMS": "0",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_project_with_two_partners(client, world):
    a, b = OrganisationFactory(name="Horten kommune"), OrganisationFactory(name="NAV Horten")
    data = project_post(
        **{
            "partners-TOTAL_FORMS": "2",
            "partners-0-organisation": a.pk,
            "partners-0-role": "lead",
            "partners-1-organisation": b.pk,
            "partners-1-role": "partner",
        }
    )
    response = as_user(client, world["coordinator"]).post(url_for(world, "create"), data)
    project = Project.objects.get(title="Læringslab i Horten")
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.slug == "laeringslab-i-horten"
    assert project.start_date == datetime.date(2026, 9, 1)  # autumn starts in September
    assert sorted(project.partnerships.values_list("organisation__name", "role")) == [
        ("Horten kommune", "lead"),
        ("NAV Horten", "partner"),
    ]


def test_invalid_project_changes_nothing_and_keeps_input(client, world):
    before = Project.objects.count()
    data = project_post(title="", summary="Min tekst som ikke må gå tapt", end_date="2020-01-01", start_precision="day")
    response = as_user(client, world["coordinator"]).post(url_for(world, "create"), data)
    assert response.status_code == 200
    assert Project.objects.count() == before
    html = response.content.decode()
    assert "Min tekst som ikke må gå tapt" in html
    assert "ds-error-summary" in html
    assert "Slutten kan ikke være før starten." in html


def test_add_partner_row_without_javascript_keeps_input_and_saves_nothing(client, world):
    data = project_post(add_partner_row="1", title="Ikke lagret ennå")
    response = as_user(client, world["coordinator"]).post(url_for(world, "create"), data)
    assert response.status_code == 200
    assert response.context["formset"].total_form_count() == 1
    assert not Project.objects.filter(title="Ikke lagret ennå").exists()
    assert 'value="Ikke lagret ennå"' in response.content.decode()


def test_coordinator_removes_a_partner(client, world):
    project, partnership = world["project"], world["project"].partnerships.get()
    data = project_post(
        **{
            "title": project.title,
            "slug": project.slug,
            "status": project.status,
            "version": project.version,
            "partners-TOTAL_FORMS": "1",
            "partners-INITIAL_FORMS": "1",
            "partners-0-id": partnership.pk,
            "partners-0-project": project.pk,
            "partners-0-organisation": partnership.organisation_id,
            "partners-0-role": "lead",
            "partners-0-DELETE": "on",
        }
    )
    response = as_user(client, world["coordinator"]).post(url_for(world, "edit"), data)
    assert response.status_code == 302
    assert not Partnership.objects.filter(project=project).exists()


def test_partner_row_renders_the_requested_index(client, world):
    response = as_user(client, world["coordinator"]).get(url_for(world, "partner_row"), {"index": "3"})
    assert 'name="partners-3-organisation"' in response.content.decode()


def test_close_project_as_continued_requires_who(client, world):
    as_user(client, world["coordinator"])
    bad = client.post(
        url_for(world, "close"),
        {"status": "continued", "end_date": "2012-06-01", "end_precision": "month", "version": 1},
    )
    assert bad.status_code == 200
    world["project"].refresh_from_db()
    assert world["project"].status == ProjectStatus.ACTIVE
    good = client.post(
        url_for(world, "close"),
        {
            "status": "continued",
            "continued_by": world["partner"].pk,
            "end_date": "2012-06-01",
            "end_precision": "month",
            "version": 1,
        },
    )
    assert good.status_code == 302
    world["project"].refresh_from_db()
    assert (world["project"].status, world["project"].continued_by) == ("continued", world["partner"])
    assert world["project"].end_date == datetime.date(2012, 6, 30)


def test_result_and_system_change_are_saved_by_coordinator(client, world):
    as_user(client, world["coordinator"])
    client.post(
        url_for(world, "add_result"),
        {
            "description": "13 av 14 i egen bolig",
            "value": "13",
            "unit": "personer",
            "date": "2010-01-01",
            "date_precision": "year",
            "source": "5.13",
        },
    )
    client.post(
        url_for(world, "add_change"),
        {
            "level": "framework",
            "description": "Inn i strategiplanen",
            "krem_contribution": "KREM holdt dialogseminaret der forslaget kom.",
            "date": "2010-12-15",
            "date_precision": "day",
            "evidence_url": "https://example.org/vedtak",
            "source": "5.3",
        },
    )
    assert Result.objects.get().value == 13
    assert SystemChange.objects.get().krem_contribution == "KREM holdt dialogseminaret der forslaget kom."


@pytest.mark.parametrize("value", ["-99999999999", "1e400", "abc", "99999999999999"])
def test_absurd_result_numbers_are_rejected(client, world, value):
    response = as_user(client, world["coordinator"]).post(
        url_for(world, "add_result"), {"description": "x", "value": value, "date_precision": "day"}
    )
    assert response.status_code == 200
    assert not Result.objects.exists()


def test_delete_needs_post_and_confirmation(client, world):
    entry = LearningEntry.objects.create(project=world["project"], kind="wise", text="Lurt")
    url = reverse("projects:entry_delete", args=[world["project"].slug, "laering", entry.pk])
    as_user(client, world["coordinator"])
    assert client.get(url).status_code == 200
    assert LearningEntry.objects.filter(pk=entry.pk).exists()
    assert client.post(url).status_code == 302
    assert not LearningEntry.objects.filter(pk=entry.pk).exists()


def test_coordinator_creates_and_edits_organisation(client, world):
    as_user(client, world["coordinator"])
    response = client.post(url_for(world, "organisation_create"), {"name": "Røde Kors Horten", "sector": "voluntary"})
    organisation = Organisation.objects.get(name="Røde Kors Horten")
    assert response["Location"] == organisation.get_absolute_url()
    client.post(
        reverse("projects:organisation_edit", args=[organisation.pk]),
        {"name": "Røde Kors", "sector": "voluntary", "version": organisation.version},
    )
    organisation.refresh_from_db()
    assert organisation.name == "Røde Kors"


def test_get_changes_nothing(client, world):
    as_user(client, world["coordinator"])
    before = (Project.objects.count(), Partnership.objects.count(), LearningEntry.objects.count())
    for page in MATRIX:
        client.get(url_for(world, page))
    assert (Project.objects.count(), Partnership.objects.count(), LearningEntry.objects.count()) == before


# Search and filters


def test_search_finds_projects_by_partner_name(client, world):
    ProjectFactory(title="Annet")
    response = as_user(client, world["coordinator"]).get(url_for(world, "list"), {"q": "partnerby"})
    assert [p.title for p in response.context["page"]] == ["Dialog i Partnerby"]


def test_filters_combine_and_htmx_gets_only_the_results(client, world):
    ProjectFactory(title="Planlagt", status="planned")
    response = as_user(client, world["coordinator"]).get(
        url_for(world, "list"), {"status": "active", "sector": "nav"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert [p.title for p in response.context["page"]] == ["Dialog i Partnerby"]
    assert "<html" not in html and "1 prosjekt" in html


def test_gathering_kind_filter_ignores_deleted_gatherings(client, world):
    with_lab = ProjectFactory(title="Med læringslab")
    DialogueFactory(project=with_lab, kind="learning_lab")
    with_deleted_lab = ProjectFactory(title="Med slettet læringslab")
    DialogueFactory(project=with_deleted_lab, kind="learning_lab", deleted_at=timezone.now())
    DialogueFactory(project=with_deleted_lab, kind="dialogue_seminar")  # alive, but of another kind
    response = as_user(client, world["coordinator"]).get(url_for(world, "list"), {"dialogue_kind": "learning_lab"})
    assert [p.title for p in response.context["page"]] == ["Med læringslab"]


def test_period_filter_uses_overlap(client, world):
    old = ProjectFactory(title="Gammelt", start_date=datetime.date(2008, 1, 1), end_date=datetime.date(2009, 12, 31))
    response = as_user(client, world["coordinator"]).get(
        url_for(world, "list"), {"year_from": "2010", "year_to": "2012"}
    )
    titles = [p.title for p in response.context["page"]]
    assert old.title not in titles and "Dialog i Partnerby" in titles


def test_bad_filter_values_do_not_break_the_page(client, world):
    response = as_user(client, world["coordinator"]).get(
        url_for(world, "list"), {"year_from": "abc", "status": "nonsense", "municipality": "999999", "side": "x"}
    )
    assert response.status_code == 200


def test_list_paginates_25_per_page_with_total(client, world):
    ProjectFactory.create_batch(30)
    response = as_user(client, world["coordinator"]).get(url_for(world, "list"), {"side": "2"})
    assert response.context["page"].paginator.count == 31
    assert len(response.context["page"].object_list) == 6


def test_empty_state_is_helpful(client, world):
    response = as_user(client, world["coordinator"]).get(url_for(world, "list"), {"q": "finnes ikke"})
    assert "Ingen prosjekter passer" in response.content.decode()


def test_english_labels_when_english_is_chosen(client, world):
    as_user(client, world["coordinator"])
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(url_for(world, "create"), project_post(title=""))
    assert "This field is required." in response.content.decode()


def test_non_member_user_without_participant_record_sees_nothing(client, world):
    response = as_user(client, UserFactory()).get(url_for(world, "detail"))
    assert response.status_code == 404
