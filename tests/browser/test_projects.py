"""In a real Chromium: the coordinators' workspace for projects, partners and municipalities.

A coordinator creates a project with its partners, logs what it did, learned and recommends, records a
result and a system change, and finds the project again through search and filters. Every page of the
workspace passes axe-core at desktop and phone width.

Selectors use element ids, names and URLs, never the wording of labels, so the tests hold in both languages.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dialogues.models import DialogueStatus
from projects.models import (
    ChangeLevel,
    Document,
    LearningEntry,
    LearningKind,
    PartnerRole,
    Partnership,
    Project,
    ProjectStatus,
    Result,
    Sector,
    SystemChange,
)
from tests.factories import (
    PASSWORD,
    DialogueFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}

ADD_PARTNER = "button[name='add_partner_row']"
SAVE = "form[method='post'] .form-actions button[type='submit']"


def assert_fits_width(page):
    """Content reflows to the viewport (WCAG 1.4.10): the page itself never scrolls sideways."""
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width, f"the page is {scroll_width} px wide in a {client_width} px viewport"


def mark_page(page):
    """Leave a mark in the window: it survives htmx swaps and disappears with a full page load."""
    page.evaluate("window.kremTestMark = 'still here'")


def page_was_not_reloaded(page):
    return page.evaluate("window.kremTestMark") == "still here"


@pytest.fixture
def larvik(db):
    return MunicipalityFactory(name="Larvik", number="3907", county="Vestfold")


@pytest.fixture
def partners(db, larvik):
    return (
        OrganisationFactory(name="NAV Larvik", sector=Sector.NAV, municipality=larvik),
        OrganisationFactory(name="Fontenehuset Larvik", sector=Sector.VOLUNTARY, municipality=larvik),
    )


def test_coordinator_creates_project_logs_its_work_and_finds_it_again(
    page, browser_login, coordinator, larvik, partners
):
    nav, fontenehuset = partners
    other = ProjectFactory(title="Boligsosialt løft", summary="Noe annet.")
    PartnershipFactory(project=other, organisation=OrganisationFactory(name="Husbanken"))
    browser_login(coordinator)

    # The project with two partners, the second row added through htmx.
    page.goto("/prosjekter/ny/")
    page.locator("#id_title").fill("Arbeid for alle i Larvik")
    page.locator("#id_summary").fill("Brukere og NAV-ansatte som likeverdige partnere.")
    page.locator("#id_status").select_option(ProjectStatus.ACTIVE)
    page.locator("#id_start_date").fill("2024-03-01")
    page.locator(f"input[name='municipalities'][value='{larvik.pk}']").check()
    page.locator("#id_partners-0-organisation").select_option(str(nav.pk))
    page.locator("#id_partners-0-role").select_option(PartnerRole.LEAD)
    page.locator(ADD_PARTNER).click()
    page.locator("#id_partners-1-organisation").select_option(str(fontenehuset.pk))
    page.locator("#id_partners-1-role").select_option(PartnerRole.PARTNER)
    page.locator(SAVE).click()
    page.wait_for_url("**/prosjekter/arbeid-for-alle-i-larvik/")

    project = Project.objects.get(slug="arbeid-for-alle-i-larvik")
    assert project.title == "Arbeid for alle i Larvik"
    assert project.status == ProjectStatus.ACTIVE
    assert project.start_date == datetime.date(2024, 3, 1)
    assert list(project.municipalities.all()) == [larvik]
    assert set(project.partnerships.values_list("organisation__name", "role")) == {
        ("NAV Larvik", PartnerRole.LEAD),
        ("Fontenehuset Larvik", PartnerRole.PARTNER),
    }
    expect(page.locator("#partners")).to_contain_text("NAV Larvik")
    expect(page.locator("#partners")).to_contain_text("Fontenehuset Larvik")

    # One learning entry of each kind, through the link under each column of the learning log.
    texts = {
        LearningKind.DONE: "Holdt tre dialogseminarer.",
        LearningKind.LEARNED: "Likeverd krever forberedelse.",
        LearningKind.WISE: "Start med brukernes egne spørsmål.",
    }
    for kind, text in texts.items():
        page.locator(f"a[href='/prosjekter/{project.slug}/laering/ny/?kind={kind}']").click()
        page.wait_for_url(f"**/laering/ny/?kind={kind}")
        expect(page.locator(f"input[name='kind'][value='{kind}']")).to_be_checked()
        page.locator("#id_text").fill(text)
        page.locator(SAVE).click()
        page.wait_for_url(f"**/prosjekter/{project.slug}/#learning")
        expect(page.locator("#learning")).to_contain_text(text)

    # A result and a system change.
    page.locator(f"a[href='/prosjekter/{project.slug}/resultater/ny/']").click()
    page.locator("#id_description").fill("deltakere kom i arbeid")
    page.locator("#id_value").fill("13")
    page.locator("#id_unit").fill("personer")
    page.locator(SAVE).click()
    page.wait_for_url(f"**/prosjekter/{project.slug}/#results")
    expect(page.locator("section#results")).to_contain_text("deltakere kom i arbeid")

    page.locator(f"a[href='/prosjekter/{project.slug}/systemendringer/ny/']").click()
    page.locator(f"input[name='level'][value='{ChangeLevel.PRACTICE}']").check()
    page.locator("#id_description").fill("NAV Larvik inviterer brukere til alle nye tiltak.")
    page.locator(SAVE).click()
    page.wait_for_url(f"**/prosjekter/{project.slug}/#system-changes")
    expect(page.locator("#system-changes")).to_contain_text("NAV Larvik inviterer brukere")
    # Who took it on: an organisation in its role, on a page of its own.
    page.locator("#system-changes a", has_text="Legg til organisasjon som tok den i bruk").click()
    page.locator("#id_organisation").select_option(str(nav.pk))
    page.locator("input[name='role'][value='continued']").check()
    page.locator(SAVE).click()
    page.wait_for_url(f"**/prosjekter/{project.slug}/#system-changes")
    expect(page.locator("#system-changes")).to_contain_text(nav.name)

    assert set(LearningEntry.objects.filter(project=project).values_list("kind", "text", "author")) == {
        (kind, text, coordinator.pk) for kind, text in texts.items()
    }
    result = Result.objects.get(project=project)
    assert (result.description, result.value, result.unit) == ("deltakere kom i arbeid", 13, "personer")
    change = SystemChange.objects.get(project=project)
    assert change.level == ChangeLevel.PRACTICE
    assert list(change.adoptions.values_list("organisation", "role")) == [(nav.pk, "continued")]

    # Found again: the list follows the search and the filters through htmx, and the address keeps them.
    page.goto("/prosjekter/")
    results = page.locator("#results")
    expect(results).to_contain_text("Boligsosialt løft")
    mark_page(page)
    page.locator("#id_q").fill("alle i larvik")
    expect(page).to_have_url(re.compile(r"[?&]q=alle(%20|\+)i(%20|\+)larvik(&|$)"))
    expect(results.locator(f"a[href='/prosjekter/{project.slug}/']")).to_be_visible()
    expect(results).not_to_contain_text("Boligsosialt løft")

    page.locator("#id_q").fill("")
    expect(results).to_contain_text("Boligsosialt løft")
    page.locator("#id_partner").select_option(str(fontenehuset.pk))
    expect(page).to_have_url(re.compile(rf"[?&]partner={fontenehuset.pk}(&|$)"))
    expect(results.locator(f"a[href='/prosjekter/{project.slug}/']")).to_be_visible()
    expect(results).not_to_contain_text("Boligsosialt løft")
    assert page_was_not_reloaded(page)

    # The address alone gives the same list, without JavaScript's help.
    page.reload()
    expect(page.locator("#id_partner")).to_have_value(str(fontenehuset.pk))
    expect(results.locator(f"a[href='/prosjekter/{project.slug}/']")).to_be_visible()
    expect(results).not_to_contain_text("Boligsosialt løft")


def test_add_partner_button_adds_a_row_without_reload_and_both_rows_are_saved(
    page, browser_login, coordinator, partners
):
    nav, fontenehuset = partners
    browser_login(coordinator)
    page.goto("/prosjekter/ny/")
    expect(page.locator("[data-formset-row]")).to_have_count(1)
    mark_page(page)

    page.locator("#id_title").fill("Læringslab i Larvik")
    page.locator("#id_partners-0-organisation").select_option(str(nav.pk))
    page.locator(ADD_PARTNER).click()

    expect(page.locator("[data-formset-row]")).to_have_count(2)
    expect(page.locator("#id_partners-1-organisation")).to_be_visible()
    expect(page.locator("#id_partners-TOTAL_FORMS")).to_have_value("2")
    assert page_was_not_reloaded(page)
    expect(page.locator("#id_partners-0-organisation")).to_have_value(str(nav.pk))

    page.locator("#id_partners-1-organisation").select_option(str(fontenehuset.pk))
    page.locator("#id_partners-1-role").select_option(PartnerRole.FUNDER)
    page.locator(SAVE).click()
    page.wait_for_url("**/prosjekter/laeringslab-i-larvik/")

    project = Project.objects.get(slug="laeringslab-i-larvik")
    assert set(Partnership.objects.filter(project=project).values_list("organisation", "role")) == {
        (nav.pk, PartnerRole.PARTNER),
        (fontenehuset.pk, PartnerRole.FUNDER),
    }


def test_add_partner_button_works_without_javascript(browser, live_server, coordinator, partners):
    nav, fontenehuset = partners
    context = browser.new_context(base_url=live_server.url, locale="nb-NO", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/logg-inn/")
        page.get_by_label("Brukernavn").fill(coordinator.username)
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url("**/")

        page.goto("/prosjekter/ny/")
        page.locator("#id_title").fill("Uten skript")
        page.locator("#id_partners-0-organisation").select_option(str(nav.pk))
        page.locator(ADD_PARTNER).click()
        page.wait_for_load_state()

        # The server added the row and kept what was typed; nothing was saved yet.
        expect(page.locator("[data-formset-row]")).to_have_count(2)
        expect(page.locator("#id_title")).to_have_value("Uten skript")
        expect(page.locator("#id_partners-0-organisation")).to_have_value(str(nav.pk))
        assert not Project.objects.filter(title="Uten skript").exists()

        page.locator("#id_partners-1-organisation").select_option(str(fontenehuset.pk))
        page.locator(SAVE).click()
        page.wait_for_url("**/prosjekter/uten-skript/")
        assert Partnership.objects.filter(project__slug="uten-skript").count() == 2
    finally:
        context.close()


@pytest.fixture
def workspace(db, larvik, partners, coordinator):
    """A project with something in every section, and enough other projects for a second page."""
    nav, fontenehuset = partners
    project = ProjectFactory(
        title="Arbeid for alle i Larvik", slug="arbeid-for-alle", goals="Flere i arbeid.", target_groups="Unge voksne."
    )
    project.municipalities.add(larvik)
    PartnershipFactory(project=project, organisation=nav, role=PartnerRole.LEAD)
    PartnershipFactory(project=project, organisation=fontenehuset)
    DialogueFactory(project=project, municipality=larvik).facilitators.add(fontenehuset)
    DialogueFactory(
        project=project,
        municipality=larvik,
        status=DialogueStatus.HELD,
        starts_at=timezone.now() - datetime.timedelta(days=30),
        ends_at=timezone.now() - datetime.timedelta(days=30, hours=-3),
    )
    for kind in LearningKind:
        LearningEntry.objects.create(project=project, kind=kind, text=f"{kind.label}: notat", author=coordinator)
    Result.objects.create(project=project, description="kom i arbeid", value=13, unit="personer")
    SystemChange.objects.create(
        project=project,
        level=ChangeLevel.PRACTICE,
        description="Nye rutiner.",
        evidence_url="https://example.org/rutiner",
    ).adoptions.create(organisation=nav)
    Document.objects.create(project=project, title="Sluttrapport", url="https://example.org/rapport")
    for _ in range(30):
        PartnershipFactory(organisation=fontenehuset).project.municipalities.add(larvik)
    return project


PAGES = {
    "project list": lambda w: "/prosjekter/",
    "project detail": lambda w: w.get_absolute_url(),
    "project form": lambda w: "/prosjekter/ny/",
    "partner directory": lambda w: "/partnere/",
    "organisation": lambda w: w.partners.order_by("name").first().get_absolute_url(),
    "municipality": lambda w: w.municipalities.get().get_absolute_url(),
    # the registers across projects, with their filters and export links, and one filtered to nothing
    "learning register": lambda w: "/laering/",
    "result register": lambda w: "/resultater/",
    "system change register": lambda w: "/systemendringer/",
    "learning register, empty": lambda w: "/laering/?q=zqxingenting",
}


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
@pytest.mark.parametrize("name", PAGES)
def test_workspace_page_has_no_accessibility_violations(
    page, browser_login, assert_accessible, coordinator, workspace, name, viewport
):
    page.set_viewport_size(viewport)
    browser_login(coordinator)
    page.goto(PAGES[name](workspace))
    expect(page.locator("h1")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_project_form_with_errors_has_no_accessibility_violations(
    page, browser_login, assert_accessible, coordinator, partners, viewport
):
    page.set_viewport_size(viewport)
    browser_login(coordinator)
    page.goto("/prosjekter/ny/")
    page.locator(SAVE).click()
    page.wait_for_load_state()

    expect(page.locator(".ds-error-summary")).to_be_focused()
    expect(page.locator("#id_title")).to_have_attribute("aria-invalid", "true")
    assert not Project.objects.exists()
    assert_fits_width(page)
    assert_accessible(page)
