"""The dashboard on the home page (issue 11): the figures of a period are right, each leads to a list that shows
the same number, the charts' tables hold what the database holds, and each role gets its own home."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues.models import FollowUpAction
from krem.dashboard import TOP_MUNICIPALITIES, Period, figures
from projects.models import Result, SystemChange
from tests.conftest import english
from tests.factories import (
    AttendanceFactory,
    CoordinatorFactory,
    DialogueFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    HeadcountFactory,
    HeldDialogueFactory,
    InsightFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def held_in(year, project, **kwargs):
    start = timezone.make_aware(datetime.datetime(year, 3, 1, 10))
    return HeldDialogueFactory(project=project, starts_at=start, ends_at=start + datetime.timedelta(hours=3), **kwargs)


@pytest.fixture
def world():
    """Two projects of a partner, one of another organisation; gatherings in 2010 and 2011; actions today."""
    partner = OrganisationFactory(name="NAV Dashby")
    other = OrganisationFactory(name="Annen etat")
    horten, skien = MunicipalityFactory(name="Horten"), MunicipalityFactory(name="Skien")
    ours = ProjectFactory(title="Vårt", start_date=datetime.date(2010, 1, 1), end_date=datetime.date(2011, 12, 31))
    ours.municipalities.add(horten)
    late = ProjectFactory(title="Senere", start_date=datetime.date(2013, 1, 1), end_date=datetime.date(2014, 12, 31))
    theirs = ProjectFactory(title="Deres", start_date=datetime.date(2010, 1, 1), end_date=datetime.date(2010, 12, 31))
    theirs.municipalities.add(skien)
    PartnershipFactory(project=ours, organisation=partner)
    PartnershipFactory(project=late, organisation=partner)
    PartnershipFactory(project=theirs, organisation=other)
    seminar_2010 = held_in(2010, ours, municipality=horten)
    held_in(2010, ours, municipality=horten, kind="learning_lab")
    held_in(2011, ours, municipality=horten)
    held_in(2010, theirs, municipality=skien)
    DialogueFactory(project=ours)  # planned, not held: no figure counts it
    SystemChange.objects.create(project=ours, level="practice", description="Ny rutine", date=datetime.date(2010, 5, 1))
    SystemChange.objects.create(
        project=theirs, level="framework", description="Ny forskrift", date=datetime.date(2011, 1, 1)
    )
    Result.objects.create(project=ours, description="13 av 14 i egen bolig", date=datetime.date(2010, 1, 1))
    # Open actions: one overdue, one due next week, one without a date; one done (not counted)
    FollowUpActionFactory(dialogue=seminar_2010, due_date=TODAY - datetime.timedelta(days=3))
    FollowUpActionFactory(dialogue=seminar_2010, due_date=TODAY + datetime.timedelta(days=7))
    FollowUpActionFactory(dialogue=seminar_2010, due_date=None)
    FollowUpActionFactory(dialogue=seminar_2010, due_date=TODAY - datetime.timedelta(days=9), status="done")
    # Who was in the room and who was heard in 2010: 1 named lived experience + 3 anonymous staff; 1 of 2 insights
    person = ParticipantFactory(perspective="lived_experience", user=UserFactory(username="dash-deltaker"))
    AttendanceFactory(dialogue=seminar_2010, participant=person, perspective="lived_experience")
    HeadcountFactory(dialogue=seminar_2010, perspective="staff", count=3)
    InsightFactory(dialogue=seminar_2010, perspective="lived_experience", participant=person)
    InsightFactory(dialogue=seminar_2010, perspective="staff")
    FeedbackFactory(dialogue=seminar_2010, participant=person)
    return {
        "coordinator": CoordinatorFactory(),
        "member": member_of(partner, username="dash-medlem"),
        "participant": person.user,
        "ours": ours,
    }


def figure_values(dashboard):
    return {figure.key: figure.value for figure in dashboard.figures}


def listed_count(client, url):
    """The number the list behind a figure shows: its result count (upcoming and past, on the dialogue list)."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    count = context["page"].paginator.count
    return count + context.get("upcoming_count", 0)


def test_the_coordinators_figures_for_two_years(world):
    dashboard = figures(world["coordinator"], Period(2010, 2011))
    assert dashboard.role == "coordinator"
    assert figure_values(dashboard) == {
        "projects": 2,  # "Senere" starts in 2013
        "active_projects": 2,
        "dialogues_held": 4,
        "system_changes": 2,
        "open_actions": 3,
        "overdue_actions": 1,
    }


def test_one_year_counts_only_that_year(world):
    values = figure_values(figures(world["coordinator"], Period(2011, 2011)))
    assert values["projects"] == 1 and values["dialogues_held"] == 1 and values["system_changes"] == 1


def test_every_figure_leads_to_a_list_with_the_same_count(client, world):
    for role in ("coordinator", "member"):
        client.force_login(world[role])
        for period in (Period(2010, 2011), Period(2010, 2010), Period.this_year()):
            for figure in figures(world[role], period).figures:
                assert listed_count(client, figure.url) == figure.value, (role, period, figure)


def test_open_and_overdue_actions_are_counted_as_the_follow_up_page_counts_them(client, world):
    client.force_login(world["coordinator"])
    home = client.get(reverse("home")).content.decode()
    assert re.search(r'data-figure="open_actions"><a href="/oppfolging/"><span class="stat__number">3<', home)
    assert re.search(
        r'data-figure="overdue_actions"><a href="/oppfolging/\?overdue=1"><span class="stat__number">1<', home
    )
    overdue = client.get(reverse("dialogues:action_overview"), {"overdue": "1"})
    assert [action.due_date for action in overdue.context["page"]] == [TODAY - datetime.timedelta(days=3)]
    open_count = FollowUpAction.objects.open_in_projects_of(world["coordinator"]).count()
    assert client.get(reverse("dialogues:action_overview")).context["page"].paginator.count == open_count == 3


def test_a_member_sees_the_figures_of_their_own_projects(world):
    dashboard = figures(world["member"], Period(2010, 2011))
    assert dashboard.role == "member"
    values = figure_values(dashboard)
    assert values["projects"] == 1 and values["dialogues_held"] == 3 and values["system_changes"] == 1


def test_a_participant_sees_their_own_part(client, world):
    dashboard = figures(world["participant"], Period.this_year())
    assert dashboard.role == "participant" and dashboard.charts == []
    assert figure_values(dashboard) == {"attended": 1, "insights": 1, "feedback": 1}
    client.force_login(world["participant"])
    page = client.get(reverse("home")).content.decode()
    assert 'name="year_from"' not in page  # their figures count everything: no period to choose
    assert "/min-side/#own-attended" in page


def test_the_home_page_of_a_user_without_a_participant_record(client):
    client.force_login(UserFactory())
    assert client.get(reverse("home")).status_code == 200


def test_the_gatherings_chart_table_holds_the_counts_by_year_and_kind(world):
    chart = figures(world["coordinator"], Period(2010, 2011)).charts[0]
    assert [key for key, _label, _colour in chart.series] == ["dialogue_seminar", "learning_lab"]
    table = {row.label: [cell.value for cell in row.cells] + [row.total.value] for row in chart.rows}
    assert table == {"2010": [2, 1, 3], "2011": [1, 0, 1]}


def test_the_voice_balance_trend_has_the_threshold_and_the_shares(world, settings):
    settings.KREM_VOICE_THRESHOLD = 1 / 3
    chart = figures(world["coordinator"], Period(2010, 2011)).charts[1]
    assert "33" in chart.threshold.text and chart.threshold.y == pytest.approx(12 + 224 * 2 / 3, abs=0.1)
    by_year = {row.label: [cell.value for cell in row.cells] for row in chart.rows}
    assert by_year["2010"] == [25.0, 50.0]  # 1 of 4 present, 1 of 2 insights
    assert by_year["2011"] == [None, None]


def test_the_municipality_chart_keeps_the_top_and_sums_the_others(world):
    projects = [ProjectFactory(start_date=datetime.date(2010, 1, 1)) for _ in range(TOP_MUNICIPALITIES + 2)]
    for project in projects:
        project.municipalities.add(MunicipalityFactory())
    chart = figures(world["coordinator"], Period(2010, 2011)).charts[3]
    labels = [row.label for row in chart.rows]
    assert labels[0] == "Horten" and len(labels) == TOP_MUNICIPALITIES + 1
    others = chart.rows[-1]
    shown = {row.label: row.cells[0].value for row in chart.rows[:-1]}
    assert sum(shown.values()) + others.cells[0].value == 2 + len(projects)


def test_the_levels_chart_links_each_level_to_the_register(client, world):
    client.force_login(world["coordinator"])
    chart = figures(world["coordinator"], Period(2010, 2011)).charts[2]
    for row in chart.rows:
        cell = row.cells[0]
        assert listed_count(client, cell.url) == cell.value


def test_the_charts_are_svg_with_an_accessible_name_and_a_table(client, world):
    client.force_login(world["coordinator"])
    page = client.get(reverse("home"), {"year_from": 2010, "year_to": 2011}).content.decode()
    assert page.count('role="img"') == 5
    assert page.count("<details") >= 5 and page.count("<table") >= 5
    assert 'viewBox="0 0 640 280" width="100%"' in page
    assert "<script" not in page.split("</head>")[1] and "style=" not in page


@pytest.mark.parametrize(
    "query, message",
    [
        ({"year_from": 2012, "year_to": 2010}, "The first year must not be after the last."),
        ({"year_from": 1900, "year_to": 2100}, "Choose at most 50 years at a time."),
        ({"year_from": "tjueti"}, "Write the year as four digits"),
        ({"year_from": "99999"}, "2200"),
        ({"year_to": "-1"}, "1900"),
    ],
)
def test_a_bad_period_is_explained_and_this_year_is_shown(client, world, query, message):
    client.force_login(world["coordinator"])
    response = english(client).get(reverse("home"), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'id="period-errors"' in page
    assert response.context["dashboard"].period == Period.this_year()


def test_one_box_is_one_year(client, world):
    client.force_login(world["coordinator"])
    response = client.get(reverse("home"), {"year_to": 2010})
    assert response.context["dashboard"].period == Period(2010, 2010)


def test_the_query_count_does_not_grow_with_the_rows(client, world, django_assert_num_queries):
    client.force_login(world["coordinator"])
    client.get(reverse("home"))
    for year in range(2000, 2030):
        held_in(year, world["ours"], municipality=MunicipalityFactory())
    with django_assert_num_queries(21):  # the dashboard (19: the voice trend is one query, issue 16), notices (2)
        client.get(reverse("home"), {"year_from": 2000, "year_to": 2029})
