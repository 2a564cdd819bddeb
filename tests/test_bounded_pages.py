"""Bounded pages (issue 16): every block of the project, partner and municipality pages shows at most BLOCK_LIMIT
rows, with the count of all of them and a link to the full list filtered the same way, and that list shows
exactly the rows the block counted. The lists' filters are subqueries: no SELECT DISTINCT over every column.

The query budgets of these pages, the same at 1 row as at 30 (more than the limit), are in
tests/test_query_budgets.py."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Dialogue, FollowUpAction
from projects.models import District, Organisation, Project
from projects.panels import BLOCK_LIMIT
from tests.factories import (
    CoordinatorFactory,
    DialogueFactory,
    FollowUpActionFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

MORE = BLOCK_LIMIT + 3  # more than a block shows, fewer than a list's page (25)


@pytest.fixture
def world():
    """A partner organisation in MORE projects in a municipality (one of them only through a city district), each
    with another partner and a gathering it facilitates; a member of it; and a project it may not see."""
    municipality = MunicipalityFactory(name="Grensekommune")
    partner = OrganisationFactory(name="NAV Grensekommune")
    projects = []
    for i in range(MORE):
        project = ProjectFactory(title=f"Prosjekt {i:02}")
        if i == 0:
            project.districts.add(District.objects.create(municipality=municipality, name="Sentrum"))
        else:
            project.municipalities.add(municipality)
        PartnershipFactory(project=project, organisation=partner)
        PartnershipFactory(project=project, organisation=OrganisationFactory(name=f"Medpartner {i:02}"))
        DialogueFactory(project=project).facilitators.add(partner)
        projects.append(project)
    hidden = ProjectFactory(title="Skjult prosjekt")
    hidden.municipalities.add(municipality)
    PartnershipFactory(project=hidden, organisation=OrganisationFactory())
    return {
        "municipality": municipality,
        "partner": partner,
        "projects": projects,
        "hidden": hidden,
        "member": member_of(partner, username="medlem-grense"),
    }


def see_all_links(html):
    return set(re.findall(r'href="([^"]*\?[^"]*)"', html.replace("&amp;", "&")))


def listed_dialogues(client, url):
    """Every gathering the dialogue list shows at `url`: the upcoming ones (all of them here) and the past page."""
    context = client.get(url).context
    assert context["upcoming_count"] <= 25 and context["page"].paginator.num_pages == 1
    return {d.pk for d in context["upcoming"]} | {d.pk for d in context["page"].object_list}


def listed(client, url):
    page = client.get(url).context["page"]
    assert page.paginator.num_pages == 1
    return {row.pk for row in page.object_list}


# The partner page


def test_partner_page_blocks_show_the_limit_and_link_to_the_same_rows(client, world):
    partner, member = world["partner"], world["member"]
    client.force_login(member)
    response = client.get(partner.get_absolute_url())
    context, html = response.context, response.content.decode()
    links = see_all_links(html)

    assert len(context["partnerships"]) == BLOCK_LIMIT and context["project_count"] == MORE
    assert f"/prosjekter/?partner={partner.pk}" in links
    assert listed(client, f"/prosjekter/?partner={partner.pk}") == {p.pk for p in world["projects"]}

    assert len(context["network"]) == BLOCK_LIMIT and context["network_count"] == MORE
    assert f"/partnere/?worked_with={partner.pk}" in links
    network = set(Organisation.objects.filter(name__startswith="Medpartner").values_list("pk", flat=True))
    assert listed(client, f"/partnere/?worked_with={partner.pk}") == network

    assert len(context["dialogues"]) == BLOCK_LIMIT and context["dialogue_count"] == MORE
    assert f"/dialoger/?organisation={partner.pk}" in links
    assert listed_dialogues(client, f"/dialoger/?organisation={partner.pk}") == set(
        Dialogue.objects.filter(project__in=world["projects"]).values_list("pk", flat=True)
    )


def test_partner_page_counts_the_projects_it_may_not_open(client, world):
    PartnershipFactory(project=world["hidden"], organisation=world["partner"], role="lead")
    PartnershipFactory(project=world["hidden"], organisation=world["partner"], role="partner")  # two roles, one project
    other = member_of(OrganisationFactory())
    client.force_login(other)
    context = client.get(world["partner"].get_absolute_url()).context
    assert context["project_count"] == 0 and context["hidden_projects"] == MORE + 1


def test_a_small_partner_page_has_no_see_all_link(client, world):
    lonely = OrganisationFactory()
    PartnershipFactory(project=world["projects"][0], organisation=lonely)
    client.force_login(CoordinatorFactory())
    html = client.get(lonely.get_absolute_url()).content.decode()
    assert "?partner=" not in html and "?organisation=" not in html and "?worked_with=" not in html


# The municipality page


def test_municipality_page_blocks_show_the_limit_and_link_to_the_same_rows(client, world):
    municipality, member = world["municipality"], world["member"]
    based_there = OrganisationFactory(name="Frivillig i Grensekommune", municipality=municipality)
    held_there = DialogueFactory(project=ProjectFactory(), municipality=municipality)  # a project elsewhere
    client.force_login(CoordinatorFactory())
    response = client.get(municipality.get_absolute_url())
    context, links = response.context, see_all_links(response.content.decode())
    in_it = {p.pk for p in world["projects"]} | {world["hidden"].pk}  # the coordinator sees every project

    assert len(context["projects"]) == BLOCK_LIMIT and context["project_count"] == len(in_it)
    assert f"/prosjekter/?in_municipality={municipality.pk}" in links
    assert listed(client, f"/prosjekter/?in_municipality={municipality.pk}") == in_it

    partners = set(Organisation.objects.filter(partnerships__project__in=in_it).values_list("pk", flat=True)) | {
        based_there.pk
    }
    assert len(context["partners"]) == BLOCK_LIMIT and context["partner_count"] == len(partners)
    assert f"/partnere/?in_municipality={municipality.pk}" in links
    page = client.get(f"/partnere/?in_municipality={municipality.pk}").context["page"]
    assert page.paginator.count == len(partners)
    everyone = set()
    for number in page.paginator.page_range:
        everyone |= {o.pk for o in page.paginator.page(number).object_list}
    assert everyone == partners

    gatherings = set(Dialogue.objects.filter(project__in=in_it).values_list("pk", flat=True)) | {held_there.pk}
    assert len(context["dialogues"]) == BLOCK_LIMIT and context["dialogue_count"] == len(gatherings)
    assert f"/dialoger/?in_municipality={municipality.pk}" in links
    assert listed_dialogues(client, f"/dialoger/?in_municipality={municipality.pk}") == gatherings

    # a member sees their projects, and the one they may not open is counted, not listed
    client.force_login(member)
    context = client.get(municipality.get_absolute_url()).context
    assert context["project_count"] == MORE and context["hidden_projects"] == 1
    assert listed(client, f"/prosjekter/?in_municipality={municipality.pk}") == {p.pk for p in world["projects"]}


# The project page


def test_big_project_page_shows_the_latest_gatherings_and_first_actions_and_links_to_all(client, world):
    project, member = world["projects"][1], world["member"]
    now = timezone.now()
    for i in range(MORE):
        dialogue = DialogueFactory(project=project, starts_at=now - datetime.timedelta(days=10 + i))
        FollowUpActionFactory(dialogue=dialogue, responsible_organisation=world["partner"])
    unknown = DialogueFactory(project=project, starts_at=None, ends_at=None)
    client.force_login(member)
    response = client.get(project.get_absolute_url())
    context, links = response.context, see_all_links(response.content.decode())

    shown = context["dialogues"]
    assert len(shown) == BLOCK_LIMIT and context["dialogue_count"]() == MORE + 2
    # the latest by date, in the timeline's order (soonest first): the planned one ahead, then the past ones
    latest = list(Dialogue.objects.filter(project=project).exclude(pk=unknown.pk).order_by("-starts_at"))
    assert [d.pk for d in shown] == [d.pk for d in reversed(latest[:BLOCK_LIMIT])]
    assert f"/dialoger/?project={project.pk}" in links
    everything = set(Dialogue.objects.filter(project=project).values_list("pk", flat=True))
    assert listed_dialogues(client, f"/dialoger/?project={project.pk}") == everything

    assert len(context["actions"]) == BLOCK_LIMIT and context["action_count"]() == MORE
    assert f"/oppfolging/?project={project.pk}" in links
    actions = set(FollowUpAction.objects.filter(dialogue__project=project).values_list("pk", flat=True))
    assert listed(client, f"/oppfolging/?project={project.pk}") == actions


def test_small_project_page_shows_every_gathering_without_a_link(client, world):
    project = world["projects"][2]
    client.force_login(world["member"])
    response = client.get(project.get_absolute_url())
    assert len(response.context["dialogues"]) == 1
    assert f"/dialoger/?project={project.pk}" not in response.content.decode()


# The lists' filters


@pytest.mark.parametrize(
    "url, params",
    [
        ("projects:project_list", lambda w: {"partner": w["partner"].pk}),
        ("projects:project_list", lambda w: {"sector": "other", "dialogue_kind": "dialogue_seminar"}),
        ("projects:project_list", lambda w: {"in_municipality": w["municipality"].pk}),
        ("dialogues:dialogue_list", lambda w: {"organisation": w["partner"].pk}),
        ("dialogues:dialogue_list", lambda w: {"in_municipality": w["municipality"].pk}),
    ],
)
def test_filtered_lists_count_and_page_without_distinct(client, world, url, params):
    client.force_login(world["member"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(url), params(world))
    assert response.status_code == 200
    distinct = [q["sql"] for q in captured.captured_queries if "DISTINCT" in q["sql"]]
    assert distinct == []


def test_project_list_filters_by_partner_sector_and_gathering_kind_without_repeating_a_project(client, world):
    client.force_login(world["member"])
    project = world["projects"][3]
    DialogueFactory(project=project, kind="workshop")
    DialogueFactory(project=project, kind="workshop")
    PartnershipFactory(project=project, organisation=OrganisationFactory(sector="research"))
    PartnershipFactory(project=project, organisation=OrganisationFactory(sector="research"))
    assert listed(client, reverse("projects:project_list") + "?dialogue_kind=workshop") == {project.pk}
    assert listed(client, reverse("projects:project_list") + "?sector=research") == {project.pk}
    assert Project.objects.filter(partners__sector="research").count() == 2  # a join would have listed it twice
