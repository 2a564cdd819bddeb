"""In a real Chromium: the coordinator's dashboard on the home page (issue 11) and a public results page.

The dashboard and its charts pass axe-core at desktop and phone width, with every data table opened; nothing is
wider than a 320 px phone; a chart's table shows what the database holds; a figure leads to a list that shows
the same number. Selectors use ids, data attributes and URLs, never the wording of labels."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dialogues.models import Dialogue, DialogueKind, DialogueStatus
from projects.models import Project, Result, SystemChange
from tests.browser.test_projects import VIEWPORTS, assert_fits_width
from tests.factories import (
    AttendanceFactory,
    HeadcountFactory,
    HeldDialogueFactory,
    InsightFactory,
    MunicipalityFactory,
    OutcomeFactory,
    ProjectFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERIOD = "/?year_from=2009&year_to=2012"


def held_in(year, month, project, **kwargs):
    start = timezone.make_aware(datetime.datetime(year, month, 10, 10))
    return HeldDialogueFactory(project=project, starts_at=start, ends_at=start + datetime.timedelta(hours=3), **kwargs)


@pytest.fixture
def portfolio(db):
    """Projects in twelve municipalities (so that the chart has "others"), gatherings of three kinds over three
    years, attendance and insights by perspective, system changes at every level, results."""
    municipalities = [MunicipalityFactory(name=f"Kommune {i:02}") for i in range(12)]
    projects = []
    for i, municipality in enumerate(municipalities):
        project = ProjectFactory(title=f"Prosjekt {i:02}", start_date=datetime.date(2009 + i % 3, 1, 1))
        project.municipalities.add(municipality)
        projects.append(project)
    kinds = [DialogueKind.DIALOGUE_SEMINAR, DialogueKind.LEARNING_LAB, DialogueKind.WORKSHOP]
    for i, project in enumerate(projects[:6]):
        for year in (2010, 2011):
            dialogue = held_in(year, 1 + i, project, municipality=project.municipalities.get(), kind=kinds[i % 3])
            AttendanceFactory(dialogue=dialogue, perspective="lived_experience")
            HeadcountFactory(dialogue=dialogue, perspective="staff", count=2 + i)
            InsightFactory(dialogue=dialogue, perspective="lived_experience" if i % 2 else "staff")
    for level in ("framework", "guideline", "practice", "practice"):
        SystemChange.objects.create(
            project=projects[0], level=level, description="Endring", date=datetime.date(2011, 1, 1)
        )
    for year in (2010, 2011, 2011):
        Result.objects.create(project=projects[1], description="Resultat", date=datetime.date(year, 1, 1))
    return projects


def open_every_table(page):
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_the_dashboard_has_no_accessibility_violations(
    page, browser_login, assert_accessible, coordinator, portfolio, viewport
):
    page.set_viewport_size(viewport)
    browser_login(coordinator)
    page.goto(PERIOD)
    expect(page.locator("svg[role='img']")).to_have_count(5)
    assert_fits_width(page)
    for width in page.eval_on_selector_all("svg[role='img']", "els => els.map(e => e.getBoundingClientRect().right)"):
        assert width <= viewport["width"], "a chart is wider than the viewport"
    assert_accessible(page)
    open_every_table(page)
    assert_fits_width(page)
    assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_a_bad_period_is_explained_without_accessibility_violations(
    page, browser_login, assert_accessible, coordinator, portfolio, viewport
):
    page.set_viewport_size(viewport)
    browser_login(coordinator)
    page.goto("/?year_from=2012&year_to=2010")
    expect(page.locator("#period-errors")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)


def test_the_gatherings_table_matches_the_database(page, browser_login, coordinator, portfolio):
    browser_login(coordinator)
    page.goto(PERIOD)
    page.locator("#chart-gatherings-section summary").click()
    table = page.locator("#chart-gatherings-table")
    expect(table).to_be_visible()
    kinds = table.locator("thead th[data-series]").evaluate_all("ths => ths.map(th => th.dataset.series)")
    for row in table.locator("tbody tr").all():
        year = int(row.locator("th").inner_text())
        cells = [int(text) for text in row.locator("td").all_inner_texts()]
        held = Dialogue.objects.alive().filter(status=DialogueStatus.HELD, starts_at__year=year)
        assert cells[: len(kinds)] == [held.filter(kind=kind).count() for kind in kinds], year
        assert cells[-1] == held.count()


def test_a_figure_leads_to_a_list_with_the_same_count(page, browser_login, coordinator, portfolio):
    browser_login(coordinator)
    for key in ("projects", "dialogues_held", "system_changes"):
        page.goto(PERIOD)
        figure = page.locator(f"[data-figure='{key}'] a")
        shown = int(figure.locator(".stat__number").inner_text())
        assert shown > 0
        figure.click()
        page.wait_for_load_state()
        text = page.locator("#results").inner_text()
        assert str(shown) in re.findall(r"\d+", text), (key, shown, text[:200])
    assert Project.objects.count() == 12


def test_a_level_in_the_table_leads_to_the_register_with_that_count(page, browser_login, coordinator, portfolio):
    browser_login(coordinator)
    page.goto(PERIOD)
    page.locator("#chart-levels-section summary").click()
    link = page.locator("#chart-levels-table tbody tr").nth(2).locator("a")
    assert link.inner_text() == "2"
    link.click()
    expect(page.locator(".result-count")).to_contain_text("2")


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_the_public_page_has_no_accessibility_violations(page, assert_accessible, portfolio, viewport):
    project = portfolio[0]
    OutcomeFactory(dialogue=project.dialogues.first(), status="published", published_at=timezone.now())
    Project.objects.filter(pk=project.pk).update(published_at=timezone.now())
    page.set_viewport_size(viewport)
    page.goto(f"/offentlig/prosjekter/{project.slug}/")
    expect(page.locator("h1")).to_have_text(project.title)
    assert_fits_width(page)
    assert_accessible(page)
