"""The registers across projects: every learning entry, result and system change the user may see, filtered."""

import datetime

import pytest
from django.urls import reverse

from projects.models import LearningEntry, Result, SystemChange
from tests.factories import (
    CoordinatorFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    skien = MunicipalityFactory(name="Skien", number="4003")
    horten = MunicipalityFactory(name="Horten", number="3903")
    nav = OrganisationFactory(name="NAV Skien", municipality=skien)
    husbanken = OrganisationFactory(name="Husbanken")
    bolig = ProjectFactory(title="På vei til egen bolig", slug="egen-bolig")
    bolig.municipalities.add(skien)
    PartnershipFactory(project=bolig, organisation=nav)
    PartnershipFactory(project=bolig, organisation=husbanken)
    hortensia = ProjectFactory(title="Hortensia", slug="hortensia")
    hortensia.municipalities.add(horten)
    PartnershipFactory(project=hortensia, organisation=OrganisationFactory(name="NAV Horten"))
    hidden_author = UserFactory(username="skjult-forfatter")
    ParticipantFactory(user=hidden_author, display_name="Zqxforfatter", organisation=nav)
    LearningEntry.objects.create(
        project=bolig,
        kind="learned",
        text="Bolig først gir trygghet til å jobbe med resten",
        date=datetime.date(2010, 1, 1),
        date_precision="year",
        author=hidden_author,
    )
    LearningEntry.objects.create(
        project=hortensia, kind="wise", text="Barnefattigdom krever samarbeid", date=datetime.date(2009, 1, 1)
    )
    Result.objects.create(project=bolig, description="13 av 14 i egen bolig", value=13, date=datetime.date(2010, 1, 1))
    Result.objects.create(project=hortensia, description="Familier fikk aktiviteter")
    SystemChange.objects.create(project=bolig, level="practice", description="Husbanken endret praksis")
    return {"bolig": bolig, "hortensia": hortensia, "skien": skien, "husbanken": husbanken, "member": member_of(nav)}


def texts(response):
    return [str(row) for row in response.context["page"].object_list]


def test_a_coordinator_sees_the_learning_of_every_project(client, world):
    client.force_login(CoordinatorFactory())
    response = client.get(reverse("projects:learning_register"))
    assert response.context["page"].paginator.count == 2


def test_a_member_sees_the_learning_of_their_projects_only_and_no_hidden_author(client, world):
    client.force_login(world["member"])
    response = client.get(reverse("projects:learning_register"))
    assert [entry.project for entry in response.context["page"].object_list] == [world["bolig"]]
    assert "Zqxforfatter" not in response.content.decode()
    assert "skjult-forfatter" not in response.content.decode()


def test_someone_in_no_partner_organisation_sees_an_empty_register(client, world):
    client.force_login(UserFactory())
    response = client.get(reverse("projects:learning_register"))
    assert response.context["page"].paginator.count == 0
    assert "Ingen læringsnotater ennå" in response.content.decode()


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"kind": "wise"}, ["Lurt"]),
        ({"q": "bolig"}, ["Lært"]),
        ({"year_from": "2010"}, ["Lært"]),
        ({"year_to": "2009"}, ["Lurt"]),
    ],
)
def test_the_learning_register_filters(client, world, params, expected):
    client.force_login(CoordinatorFactory())
    response = client.get(reverse("projects:learning_register"), params)
    assert [entry.get_kind_display().split(" ")[0] for entry in response.context["page"].object_list] == expected


def test_the_registers_filter_by_municipality_and_partner(client, world):
    client.force_login(CoordinatorFactory())
    by_municipality = client.get(reverse("projects:result_register"), {"municipality": world["skien"].pk})
    assert texts(by_municipality) == ["13 av 14 i egen bolig"]
    by_partner = client.get(reverse("projects:learning_register"), {"partner": world["husbanken"].pk})
    assert [e.project for e in by_partner.context["page"].object_list] == [world["bolig"]]
    changes = client.get(reverse("projects:system_change_register"), {"partner": world["husbanken"].pk})
    assert changes.context["page"].paginator.count == 1
    none = client.get(reverse("projects:system_change_register"), {"project": world["hortensia"].pk})
    assert none.context["page"].paginator.count == 0
    assert "Ingen systemendringer passer" in none.content.decode()


def test_a_filter_of_no_match_shows_the_empty_state_with_a_way_back(client, world):
    client.force_login(CoordinatorFactory())
    response = client.get(reverse("projects:result_register"), {"q": "zqxingenting"})
    content = response.content.decode()
    assert "Ingen resultater passer med disse filtrene." in content
    assert f'href="{reverse("projects:result_register")}"' in content


def test_the_project_choices_are_the_users_own(client, world):
    client.force_login(world["member"])
    response = client.get(reverse("projects:learning_register"), {"project": world["hortensia"].pk})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1  # a project not theirs is refused, not filtered by
    assert "Hortensia" not in response.content.decode()


def test_the_registers_are_in_the_menu(client, world):
    client.force_login(world["member"])
    content = client.get(reverse("projects:result_register")).content.decode()
    assert f'href="{reverse("projects:learning_register")}"' in content
    assert f'href="{reverse("projects:result_register")}" aria-current="page"' in content
