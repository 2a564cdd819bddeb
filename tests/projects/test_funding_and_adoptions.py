"""Funding (grants on a project, totals by funder and year) and the organisations that take a system change on."""

import datetime

import pytest
from django.urls import reverse

from projects.models import Grant, SystemChange, SystemChangeAdoption
from tests.factories import (
    CoordinatorFactory,
    GrantFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    partner = OrganisationFactory(name="NAV Tilskuddby")
    project = ProjectFactory(title="Tilskuddsprosjekt", slug="tilskudd")
    PartnershipFactory(project=project, organisation=partner)
    return {
        "project": project,
        "partner": partner,
        "funder": OrganisationFactory(name="Arbeids- og velferdsdirektoratet"),
        "member": member_of(partner, username="medlem-tilskudd"),
        "outsider": member_of(OrganisationFactory(name="Annen etat"), username="utenfor-tilskudd"),
        "coordinator": CoordinatorFactory(username="koord-tilskudd"),
    }


def grant_data(world, **changes):
    data = {
        "version": 1,
        "funder": world["funder"].pk,
        "title": "Fattigdomsmidler",
        "amount": "450000",
        "status": "granted",
        "start_date": "2009-01-01",
        "start_precision": "year",
        "end_date": "2011-12-31",
        "end_precision": "year",
        "reporting_deadline": "2012-03-01",
        "note": "",
    }
    return data | changes


def add_grant_url(world):
    return reverse("projects:entry_create", args=[world["project"].slug, "finansiering"])


def test_coordinator_records_a_grant_and_members_read_it_on_the_project_page(client, world):
    client.force_login(world["coordinator"])
    response = client.post(add_grant_url(world), grant_data(world))
    assert response.status_code == 302
    grant = Grant.objects.get()
    assert (grant.funder, grant.amount, grant.status, grant.period_display) == (
        world["funder"],
        450000,
        "granted",
        "2009–2011",
    )
    client.force_login(world["member"])
    page = client.get(world["project"].get_absolute_url()).content.decode()
    assert "Arbeids- og velferdsdirektoratet" in page and "Fattigdomsmidler" in page and "450" in page


def test_members_may_not_record_grants_and_outsiders_do_not_see_the_project(client, world):
    client.force_login(world["member"])
    assert client.post(add_grant_url(world), grant_data(world)).status_code == 403
    client.force_login(world["outsider"])
    assert client.post(add_grant_url(world), grant_data(world)).status_code == 404
    assert Grant.objects.count() == 0


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "99999999999999"}, "amount"),
        ({"amount": "mye"}, "amount"),
        ({"start_date": "2012-01-01", "end_date": "2010-01-01"}, "end_date"),
        ({"status": "stjålet"}, "status"),
        ({"funder": ""}, "funder"),
    ],
)
def test_a_bad_grant_is_refused_with_a_message_and_nothing_saved(client, world, changes, field):
    client.force_login(world["coordinator"])
    response = client.post(add_grant_url(world), grant_data(world, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Grant.objects.count() == 0


def test_funding_totals_count_granted_money_by_funder_and_year(client, world):
    other_funder = OrganisationFactory(name="Sosial- og helsedirektoratet")
    project, funder = world["project"], world["funder"]
    GrantFactory(project=project, funder=funder, status="granted", amount=100, start_date=datetime.date(2009, 1, 1))
    GrantFactory(project=project, funder=funder, status="reported", amount=50, start_date=datetime.date(2009, 6, 1))
    GrantFactory(
        project=ProjectFactory(), funder=funder, status="granted", amount=7, start_date=datetime.date(2010, 1, 1)
    )
    GrantFactory(
        project=project, funder=other_funder, status="applied", amount=1000, start_date=datetime.date(2009, 1, 1)
    )
    GrantFactory(project=project, funder=other_funder, status="rejected", amount=2000)
    deleted = ProjectFactory(deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    GrantFactory(project=deleted, funder=funder, status="granted", amount=10**6, start_date=datetime.date(2009, 1, 1))
    client.force_login(world["coordinator"])
    response = client.get(reverse("projects:funding"))
    rows = [
        (r["funder__name"], r["year"], r["total"], r["grant_count"], r["projects"]) for r in response.context["page"]
    ]
    assert rows == [
        ("Arbeids- og velferdsdirektoratet", 2009, 150, 2, 1),
        ("Arbeids- og velferdsdirektoratet", 2010, 7, 1, 1),
    ]
    assert response.context["sum"] == 157


def test_funding_totals_are_for_coordinators_only(client, world):
    GrantFactory(project=world["project"], status="granted", amount=1)
    for user in (world["member"], world["outsider"]):
        client.force_login(user)
        assert client.get(reverse("projects:funding")).status_code == 404


def test_reporting_deadlines_list_open_grants_and_mark_the_overdue(client, world):
    GrantFactory(
        project=world["project"], title="Sen rapport", status="granted", reporting_deadline=datetime.date(2020, 1, 1)
    )
    GrantFactory(
        project=world["project"], title="Levert", status="reported", reporting_deadline=datetime.date(2020, 1, 1)
    )
    client.force_login(world["coordinator"])
    page = client.get(reverse("projects:funding")).content.decode()
    assert "Sen rapport" in page and "Levert" not in page and "Forfalt" in page


# Several organisations may take a system change on, each in its role (report 5.9: two bodies continued the work)


@pytest.fixture
def change(world):
    return SystemChange.objects.create(project=world["project"], level="practice", description="Familieteam")


def adoption_url(world, change):
    return reverse("projects:adoption_create", args=[world["project"].slug, change.pk])


def test_two_organisations_continue_one_change(client, world, change):
    nav, municipality = world["partner"], OrganisationFactory(name="Notodden kommune")
    client.force_login(world["coordinator"])
    for organisation in (nav, municipality):
        response = client.post(
            adoption_url(world, change),
            {"organisation": organisation.pk, "role": "continued", "date_precision": "year"},
        )
        assert response.status_code == 302
    assert sorted(change.adoptions.values_list("organisation__name", "role")) == [
        ("NAV Tilskuddby", "continued"),
        ("Notodden kommune", "continued"),
    ]
    page = client.get(world["project"].get_absolute_url()).content.decode()
    assert "Notodden kommune" in page and "NAV Tilskuddby" in page
    register = client.get(reverse("projects:system_change_register")).content.decode()
    assert "Notodden kommune" in register


def test_the_same_organisation_in_the_same_role_twice_is_refused(client, world, change):
    change.adoptions.create(organisation=world["partner"], role="adopted")
    client.force_login(world["coordinator"])
    response = client.post(
        adoption_url(world, change), {"organisation": world["partner"].pk, "role": "adopted", "date_precision": "year"}
    )
    assert response.status_code == 200
    assert "allerede registrert" in response.content.decode()
    assert change.adoptions.count() == 1


def test_members_read_adoptions_but_may_not_record_or_remove_them(client, world, change):
    adoption = change.adoptions.create(organisation=world["partner"])
    client.force_login(world["member"])
    assert client.post(adoption_url(world, change), {"organisation": world["partner"].pk}).status_code == 403
    delete = reverse("projects:adoption_delete", args=[world["project"].slug, adoption.pk])
    assert client.post(delete).status_code == 403
    client.force_login(world["coordinator"])
    assert client.get(delete).status_code == 200 and SystemChangeAdoption.objects.count() == 1  # GET only asks
    assert client.post(delete).status_code == 302
    assert SystemChangeAdoption.objects.count() == 0


def test_evidence_and_indicators_of_a_change_come_from_its_own_project(client, world, change):
    own = world["project"].documents.create(title="Vedtak")
    foreign = ProjectFactory().documents.create(title="Fremmed")
    client.force_login(world["coordinator"])
    url = reverse("projects:entry_edit", args=[world["project"].slug, "systemendringer", change.pk])
    data = {"level": "practice", "description": "Familieteam", "date_precision": "day"}
    response = client.post(url, data | {"evidence_documents": [foreign.pk]})
    assert response.status_code == 200 and "evidence_documents" in response.context["form"].errors
    assert (
        client.post(url, data | {"evidence_documents": [own.pk], "krem_contribution": "Dialogseminar"}).status_code
        == 302
    )
    change.refresh_from_db()
    assert list(change.evidence_documents.all()) == [own] and change.krem_contribution == "Dialogseminar"
    page = client.get(world["project"].get_absolute_url()).content.decode()
    assert "Vedtak" in page and "KREMs bidrag" in page
