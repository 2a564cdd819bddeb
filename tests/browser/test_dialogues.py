"""In a real Chromium: dialogue seminars from the plan to the follow-up.

A NAV staff member registers what came out of a seminar in her project: the times it was held, insights
from each perspective, follow-up actions for her own office and the anonymous headcounts, and publishes
it. She then sees the voice balance on the dialogue page and ticks off an action in her own list. A project
member plans a seminar with an agenda. Each flow runs at desktop and at phone width, and every page of it
passes axe-core and fits the width of the screen.

Selectors use element ids, names and URLs, never the wording of labels, so the tests hold in both languages.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dialogues.models import (
    ActionStatus,
    AgendaItem,
    CalendarFeed,
    Dialogue,
    DialogueKind,
    DialogueStatus,
    FollowUpAction,
    Headcount,
    Insight,
    InsightPerspective,
    Outcome,
    OutcomeStatus,
    Series,
)
from participants.models import Perspective
from tests.factories import (
    DialogueFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    member_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}

SAVE_DRAFT = "form.outcome-form .form-actions button[name='save']"
PUBLISH = "form.outcome-form .form-actions button[name='publish']"
SAVE_DIALOGUE = "form[method='post'] .form-actions button[type='submit']"
SAVE_HEADCOUNTS = "form:has(input[name='action'][value='headcounts']) button[type='submit']"


def add_row_button(prefix):
    return f"button[name='add_row'][value='{prefix}']"


def assert_fits_width(page):
    """Content reflows to the viewport (WCAG 1.4.10): the page itself never scrolls sideways."""
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width, (
        f"the page is {scroll_width} px wide in a {client_width} px viewport; too wide: {too_wide(page)}"
    )


def too_wide(page):
    """The innermost elements that reach past the right edge of the viewport, to say what to fix."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const right = e => e.getBoundingClientRect().right;
            const wide = [...document.body.querySelectorAll("*")].filter(e => right(e) > width + 0.5);
            const innermost = wide.filter(e => !wide.some(other => other !== e && e.contains(other)));
            return innermost.slice(0, 5).map(e => {
                const classes = [...e.classList].map(c => "." + c).join("");
                return `<${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${classes}> right=${Math.round(right(e))}`;
            });
        }"""
    )


def mark_page(page):
    """Leave a mark in the window: it survives htmx swaps and disappears with a full page load."""
    page.evaluate("window.kremTestMark = 'still here'")


def page_was_not_reloaded(page):
    return page.evaluate("window.kremTestMark") == "still here"


def local_input(moment):
    """A moment as a datetime-local input takes it, in Norwegian time."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def check_page(assert_accessible):
    """The page as it stands passes axe-core and does not scroll sideways, at the current viewport."""

    def _check(page):
        expect(page.locator("h1")).to_be_visible()
        assert_fits_width(page)
        assert_accessible(page)

    return _check


@pytest.fixture
def drammen_project(db):
    """NAV Drammen is a partner in a project with a dialogue seminar planned for tomorrow at ten."""
    drammen = MunicipalityFactory(name="Drammen", number="3301", county="Buskerud")
    nav = OrganisationFactory(name="NAV Drammen", municipality=drammen)
    project = ProjectFactory(title="Likeverdige partnere i Drammen", slug="likeverdige-partnere-i-drammen")
    project.municipalities.add(drammen)
    PartnershipFactory(project=project, organisation=nav, role="lead")
    PartnershipFactory(project=project, organisation=OrganisationFactory(name="Fontenehuset Drammen"))
    tomorrow_at_ten = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=1
    )
    seminar = DialogueFactory(
        project=project,
        municipality=drammen,
        kind=DialogueKind.DIALOGUE_SEMINAR,
        title="Dialogseminar om arbeidsrettet oppfølging",
        starts_at=tomorrow_at_ten,
        ends_at=tomorrow_at_ten + datetime.timedelta(hours=3),
    )
    # A seminar in a project NAV Drammen is not part of: never in her list.
    DialogueFactory(title="Dialogseminar i et annet prosjekt")
    return {"nav": nav, "project": project, "seminar": seminar}


@pytest.fixture
def nav_staff(drammen_project):
    return member_of(drammen_project["nav"], username="nav-drammen")


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_nav_staff_registers_outcome_sees_voice_balance_and_completes_an_action(
    page, browser_login, check_page, drammen_project, nav_staff, viewport
):
    nav, seminar = drammen_project["nav"], drammen_project["seminar"]
    page.set_viewport_size(viewport)
    browser_login(nav_staff)

    # The seminar is among the upcoming ones of her projects; the other project's is not.
    page.goto("/dialoger/")
    upcoming = page.locator("section[aria-labelledby='h-upcoming']")
    expect(upcoming.locator(f"a[href='{seminar.get_absolute_url()}']")).to_be_visible()
    expect(page.locator("#results")).not_to_contain_text("Dialogseminar i et annet prosjekt")
    check_page(page)

    upcoming.locator(f"a[href='{seminar.get_absolute_url()}']").click()
    page.wait_for_url(f"**{seminar.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text(seminar.title)
    expect(page.locator("#outcome")).to_be_visible()
    check_page(page)

    outcome_url = f"/dialoger/{seminar.pk}/utfall/"
    page.locator(f".page-head a[href='{outcome_url}']").click()
    page.wait_for_url(f"**{outcome_url}")
    expect(page.locator("#id_insights-0-text")).to_be_visible()
    check_page(page)

    # The planned time is tomorrow, so the form does not offer it as the actual start (issue 13): saving without
    # one is refused, and nothing is saved.
    expect(page.locator("#id_actual_start")).to_have_value("")
    page.locator(SAVE_DRAFT).click()
    page.wait_for_load_state()
    expect(page.locator(".ds-error-summary")).to_be_focused()
    expect(page.locator(".ds-error-summary a[href='#id_actual_start']")).to_be_visible()
    expect(page.locator("#id_actual_start")).to_have_attribute("aria-invalid", "true")
    assert not Outcome.objects.exists()
    seminar.refresh_from_db()
    assert seminar.status == DialogueStatus.PLANNED
    check_page(page)

    # It was held yesterday instead, from ten to one.
    yesterday_at_ten = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) - datetime.timedelta(
        days=1
    )
    held_from, held_to = yesterday_at_ten, yesterday_at_ten + datetime.timedelta(hours=3)
    page.locator("#id_actual_start").fill(local_input(held_from))
    page.locator("#id_actual_end").fill(local_input(held_to))
    page.locator("#id_summary").fill("Brukere og ansatte snakket om oppfølging som likeverdige partnere.")
    page.locator("#id_framework_answer").fill("Veilederen for arbeidsrettet oppfølging bør skrives om.")

    # Three insights from three perspectives, the second and third rows added through htmx.
    mark_page(page)
    insights = {
        0: ("Oppfølgingen starter for sent.", InsightPerspective.LIVED_EXPERIENCE),
        1: ("Vi har for lite tid til hver bruker.", InsightPerspective.STAFF),
        2: ("Felles møter gir bedre planer.", InsightPerspective.JOINT),
    }
    for index, (text, perspective) in insights.items():
        if index:
            page.locator(add_row_button("insights")).click()
            expect(page.locator("#id_insights-TOTAL_FORMS")).to_have_value(str(index + 1))
        page.locator(f"#id_insights-{index}-text").fill(text)
        page.locator(f"#id_insights-{index}-perspective").select_option(perspective)
    expect(page.locator("#rows-insights > fieldset")).to_have_count(3)

    # Two follow-up actions for her own office, due after the seminar.
    today = timezone.localdate()
    actions = {
        0: ("Invitere brukerne til neste veiledningsmøte.", today + datetime.timedelta(days=14)),
        1: ("Skrive om rutinen for første samtale.", today + datetime.timedelta(days=30)),
    }
    for index, (what, due) in actions.items():
        if index:
            page.locator(add_row_button("actions")).click()
            expect(page.locator("#id_actions-TOTAL_FORMS")).to_have_value(str(index + 1))
        page.locator(f"#id_actions-{index}-what").fill(what)
        page.locator(f"#id_actions-{index}-responsible_organisation").select_option(str(nav.pk))
        page.locator(f"#id_actions-{index}-due_date").fill(due.isoformat())
    expect(page.locator("#rows-actions > fieldset")).to_have_count(2)
    assert page_was_not_reloaded(page)
    check_page(page)  # filled in, with rows added by htmx

    page.locator(SAVE_DRAFT).click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("#id_insights-2-text")).to_have_value(insights[2][0])
    outcome = Outcome.objects.get(dialogue=seminar)
    assert outcome.status == OutcomeStatus.DRAFT
    check_page(page)  # the saved draft, with its rows and change history

    # The people who took part without being named, on the attendance page.
    page.goto(seminar.get_absolute_url())
    attendance_url = f"/dialoger/{seminar.pk}/deltakere/"
    page.locator(f"#attendance a[href='{attendance_url}']").click()
    page.wait_for_url(f"**{attendance_url}")
    check_page(page)
    page.locator(f"#id_count-{Perspective.LIVED_EXPERIENCE}").fill("4")
    page.locator(f"#id_count-{Perspective.STAFF}").fill("3")
    page.locator(SAVE_HEADCOUNTS).click()
    page.wait_for_load_state()
    expect(page.locator("table.attendance-totals tfoot td").last).to_have_text("7")
    check_page(page)

    # The partners agree: publish.
    page.goto(outcome_url)
    page.locator(PUBLISH).click()
    page.wait_for_load_state()
    expect(page.locator(PUBLISH)).to_have_count(0)
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.PUBLISHED

    # The dialogue page shows the outcome and the voice balance, in counts and percentages.
    page.goto(seminar.get_absolute_url())
    outcome_section = page.locator("#outcome")
    for text, _ in insights.values():
        expect(outcome_section).to_contain_text(text)
    for what, _ in actions.values():
        expect(outcome_section).to_contain_text(what)
    room = page.locator("table:has(#caption-voice-attendance)")
    expect(room.locator("tbody tr")).to_have_count(len(Perspective))
    expect_share(room.locator("tbody tr").nth(0), 4, 7, 57)  # lived experience
    expect_share(room.locator("tbody tr").nth(1), 3, 7, 43)  # staff
    expect(room.locator("tfoot td.num")).to_have_text("7")
    raised_by = page.locator("table:has(#caption-voice-insights)")
    expect(raised_by.locator("tbody tr")).to_have_count(len(InsightPerspective))
    for row, count, percent in zip(raised_by.locator("tbody tr").all(), [1, 1, 0, 1], [33, 33, 0, 33], strict=True):
        expect_share(row, count, 3, percent)  # lived experience, staff, other, jointly
    expect(page.locator(".voice-balance .ds-alert")).to_have_count(0)  # a third is not below a third
    check_page(page)

    # Her open actions; one click marks one done, and only its row changes.
    page.goto("/oppfolging/")
    mine = page.locator("section[aria-labelledby='h-mine'] .action-list > li")
    expect(mine).to_have_count(2)
    check_page(page)
    first = mine.filter(has_text=actions[0][0])
    mark_page(page)
    first.locator("button[type='submit']").click()
    expect(first.locator(".ds-tag[data-color='success']")).to_be_visible()
    expect(first.locator("form")).to_have_count(0)
    expect(mine.filter(has_text=actions[1][0]).locator("button[type='submit']")).to_be_visible()
    assert page_was_not_reloaded(page)
    check_page(page)

    # What the database holds afterwards.
    seminar.refresh_from_db()
    assert seminar.status == DialogueStatus.HELD
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.PUBLISHED
    assert outcome.published_at is not None
    assert (outcome.actual_start, outcome.actual_end) == (held_from, held_to)
    assert sorted(Insight.objects.filter(dialogue=seminar).values_list("text", "perspective")) == sorted(
        insights.values()
    )
    assert set(
        FollowUpAction.objects.filter(dialogue=seminar).values_list(
            "what", "responsible_organisation", "due_date", "status"
        )
    ) == {
        (actions[0][0], nav.pk, actions[0][1], ActionStatus.DONE),
        (actions[1][0], nav.pk, actions[1][1], ActionStatus.OPEN),
    }
    assert dict(Headcount.objects.filter(dialogue=seminar).values_list("perspective", "count")) == {
        Perspective.LIVED_EXPERIENCE: 4,
        Perspective.STAFF: 3,
    }
    assert not seminar.attendances.exists()


def expect_share(row, count, total, percent):
    """A row of a voice-balance table: the count, and "<count> of <total> (<percent> %)" in either language."""
    expect(row.locator("td.num")).to_have_text(str(count))
    expect(row.locator("td.share")).to_have_text(re.compile(rf"^\s*{count}\D+{total}\s*\({percent}\s*%\)\s*$"))


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_member_plans_a_dialogue_with_an_agenda_from_the_project_page(
    page, browser_login, check_page, drammen_project, nav_staff, viewport
):
    project = drammen_project["project"]
    page.set_viewport_size(viewport)
    browser_login(nav_staff)

    page.goto(project.get_absolute_url())
    create_url = f"/prosjekter/{project.slug}/ny-dialog/"
    page.locator(f"#dialogues a[href='{create_url}']").click()
    page.wait_for_url(f"**{create_url}")
    expect(page.locator("[data-formset-row]")).to_have_count(1)
    check_page(page)

    starts = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0) + datetime.timedelta(days=21)
    page.locator("#id_kind").select_option(DialogueKind.LEARNING_LAB)
    page.locator("#id_title").fill("Læringslab om ungdomsgarantien")
    page.locator("#id_purpose").fill("Hva hindrer unge i å komme i arbeid?")
    page.locator("#id_starts_at").fill(local_input(starts))
    page.locator("#id_ends_at").fill(local_input(starts + datetime.timedelta(hours=2, minutes=30)))
    page.locator("#id_venue").fill("Fontenehuset")
    page.locator(f"input[name='facilitators'][value='{drammen_project['nav'].pk}']").check()
    page.locator("#id_agenda-0-title").fill("Velkommen og bli kjent")
    page.locator("#id_agenda-0-duration_minutes").fill("30")

    mark_page(page)
    page.locator("button[name='add_agenda_row']").click()
    expect(page.locator("[data-formset-row]")).to_have_count(2)
    expect(page.locator("#id_agenda-TOTAL_FORMS")).to_have_value("2")
    page.locator("#id_agenda-1-title").fill("Dialog i smågrupper")
    page.locator("#id_agenda-1-duration_minutes").fill("90")
    assert page_was_not_reloaded(page)
    expect(page.locator("#id_agenda-0-title")).to_have_value("Velkommen og bli kjent")
    check_page(page)

    page.locator(SAVE_DIALOGUE).click()
    page.wait_for_url(re.compile(r"/dialoger/\d+/$"))
    dialogue = Dialogue.objects.get(title="Læringslab om ungdomsgarantien")
    assert page.url.endswith(dialogue.get_absolute_url())
    expect(page.locator("ol.agenda > li")).to_have_count(2)
    assert dialogue.project == project
    assert (dialogue.kind, dialogue.status) == (DialogueKind.LEARNING_LAB, DialogueStatus.PLANNED)
    assert (dialogue.starts_at, dialogue.ends_at) == (starts, starts + datetime.timedelta(hours=2, minutes=30))
    assert list(dialogue.facilitators.all()) == [drammen_project["nav"]]
    agenda = AgendaItem.objects.filter(dialogue=dialogue).order_by("order")
    assert list(agenda.values_list("title", "duration_minutes")) == [
        ("Velkommen og bli kjent", 30),
        ("Dialog i smågrupper", 90),
    ]

    # Under "Upcoming", after the seminar planned for tomorrow.
    page.goto("/dialoger/")
    cards = page.locator("section[aria-labelledby='h-upcoming'] .card-list > li")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).locator(f"a[href='{drammen_project['seminar'].get_absolute_url()}']")).to_be_visible()
    expect(cards.nth(1).locator(f"a[href='{dialogue.get_absolute_url()}']")).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_calendar_feeds_page_has_no_accessibility_violations(
    page, browser_login, check_page, drammen_project, nav_staff, viewport
):
    CalendarFeed.objects.create(user=nav_staff)
    CalendarFeed.objects.create(project=drammen_project["project"])
    page.set_viewport_size(viewport)
    browser_login(nav_staff)

    page.goto("/dialoger/")
    page.locator("a[href='/kalender/']").click()
    page.wait_for_url("**/kalender/")
    expect(page.locator("#feed-me")).to_have_value(re.compile(r"/kalender/[^/]+\.ics$"))
    expect(page.locator(f"#feed-project-{drammen_project['project'].slug}")).to_be_visible()
    check_page(page)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_a_series_and_its_gathering_of_unknown_date_pass_axe_and_fit_the_screen(
    page, browser_login, check_page, drammen_project, nav_staff, viewport
):
    """From a gathering to its series and back: the series lists the gatherings she may see and counts the other
    project's; the gathering whose date is not known offers no calendar download."""
    series = Series.objects.create(name="Tenk Om-konferansene", slug="tenk-om", description="KREMs egne konferanser.")
    seminar = drammen_project["seminar"]
    seminar.series = series
    seminar.save()
    unknown = DialogueFactory(
        project=drammen_project["project"], title="Tenk Om i Drammen", starts_at=None, ends_at=None, series=series
    )
    DialogueFactory(title="Tenk Om et annet sted", series=series)
    page.set_viewport_size(viewport)
    browser_login(nav_staff)

    page.goto(unknown.get_absolute_url())
    expect(page.locator(f"a[href='/dialoger/{unknown.pk}/kalender.ics']")).to_have_count(0)
    check_page(page)
    page.locator(f"a[href='{series.get_absolute_url()}']").first.click()
    page.wait_for_url(f"**{series.get_absolute_url()}")
    expect(page.locator(f"a[href='{unknown.get_absolute_url()}']")).to_be_visible()
    expect(page.locator(f"a[href='{seminar.get_absolute_url()}']")).to_be_visible()
    expect(page.locator("text=Tenk Om et annet sted")).to_have_count(0)
    check_page(page)
