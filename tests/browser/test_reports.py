"""In a real Chromium: the reports pass axe-core at desktop and phone width, and every kind of page prints its
content only (print.css): no menu, header tools, forms or buttons, nothing wider than the paper."""

import pytest

from dialogues.models import DialogueStatus
from projects.models import LearningEntry, Result, SystemChange
from tests.factories import (
    DialogueFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}


@pytest.fixture
def project(db):
    municipality = MunicipalityFactory(name="Skien", number="4003")
    project = ProjectFactory(title="På vei til egen bolig", slug="egen-bolig", report_section="5.13")
    project.municipalities.add(municipality)
    PartnershipFactory(project=project, organisation=OrganisationFactory(name="NAV Skien"), role="lead")
    DialogueFactory(
        project=project, title="Dialogseminar i Skien", status=DialogueStatus.HELD, municipality=municipality
    )
    LearningEntry.objects.create(project=project, kind="learned", text="Egen bolig først, så resten.")
    Result.objects.create(project=project, description="13 av 14 i egen bolig", value=13, unit="deltakere")
    SystemChange.objects.create(project=project, level="practice", description="Boligkontakt i NAV")
    return project


REPORTS = {"project": "/prosjekter/egen-bolig/rapport/", "portfolio": "/rapporter/portefolje/"}


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
@pytest.mark.parametrize("name", REPORTS)
def test_reports_are_accessible(page, browser_login, assert_accessible, coordinator, project, name, viewport):
    browser_login(coordinator)
    page.set_viewport_size(viewport)
    page.goto(REPORTS[name])
    assert page.locator("h1").count() == 1
    assert_accessible(page)


PRINTED = [
    "/",
    "/prosjekter/",
    "/prosjekter/egen-bolig/",
    "/prosjekter/egen-bolig/rapport/",
    "/rapporter/portefolje/",
    "/dialoger/",
    "/partnere/",
    "/systemendringer/",
]


@pytest.mark.parametrize("path", PRINTED)
def test_every_page_prints_its_content_only(page, browser_login, coordinator, project, path):
    browser_login(coordinator)
    page.goto(path)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    for selector in (".site-header", ".site-footer", "form", "button", ".ds-button", ".ds-breadcrumbs"):
        for element in page.locator(selector).all():
            assert not element.is_visible(), (path, selector)
    assert page.locator("main h1").is_visible()
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width, (path, scroll_width, client_width)
    # Links read as text: the colour of the text around them, not underlined
    for link in page.locator("main a").all()[:20]:
        if link.is_visible():
            decoration = link.evaluate("a => getComputedStyle(a).textDecorationLine")
            assert decoration == "none", (path, decoration)
