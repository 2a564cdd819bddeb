"""In a real Chromium, at 1280 and 320 px, with axe-core on every page visited (0 violations) and no
Content-Security-Policy violation:

- the participant's journey: log in, see on Min side what they attended, open it, add an insight (the confirmation
  is in view where the page lands), send feedback with a mistake (what they typed stays), see the insight on Min
  side, give and withdraw a consent, open their data as a page and download it as JSON;
- the staff attendance journey: register a person with the consent she gave in the room (orally), so she is named;
  register another without consent, who stays in the adder's list as a number, then correct that row with a
  consent given on paper, so he is named; remove a row.

Selectors use ids, names and URLs, never the wording of labels, so the tests hold in both languages.
"""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dialogues.models import Attendance, Insight
from participants.models import Consent, ConsentMethod
from tests.factories import (
    AttendanceFactory,
    HeldDialogueFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    UserFactory,
    member_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}
INSIGHT = "Jeg trenger en fast kontaktperson"
FEEDBACK = "Godt møte, men for kort tid til å snakke"


def watch_csp(page):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    return violations


def submit(page, action):
    page.locator(f"form[action^='{action}'] button[type=submit]").click()


@pytest.fixture
def participant_world(db):
    project = ProjectFactory(title="Bolig først i Drammen", slug="bolig-forst")
    dialogue = HeldDialogueFactory(project=project, title="Dialogseminar om bolig")
    person = ParticipantFactory(
        display_name="Siri Brukerstemme", perspective="lived_experience", user=UserFactory(username="siri")
    )
    AttendanceFactory(dialogue=dialogue, participant=person, perspective="lived_experience")
    return {"dialogue": dialogue, "person": person}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_participants_journey_on_min_side(page, browser_login, assert_accessible, participant_world, viewport):
    dialogue, person = participant_world["dialogue"], participant_world["person"]
    page.set_viewport_size(VIEWPORTS[viewport])
    violations = watch_csp(page)
    visited = 0

    # 1. Log in; Min side shows the gathering attended, with the perspective brought, linking to it.
    browser_login(person.user)
    page.goto(reverse("participants:my_page"))
    attended = page.locator(f"#own-attended a[href='{dialogue.get_absolute_url()}']")
    expect(attended).to_have_count(1)
    expect(page.locator("#own-attended .ds-tag")).to_have_count(1)
    assert_accessible(page)
    visited += 1

    # 2. Open it and add an insight: the confirmation is where the page lands, in view.
    attended.click()
    page.wait_for_url(f"**{dialogue.get_absolute_url()}")
    assert_accessible(page)
    visited += 1
    page.locator("#id_insight-text").fill(INSIGHT)
    submit(page, reverse("dialogues:add_insight", args=[dialogue.pk]))
    page.wait_for_url(f"**{dialogue.get_absolute_url()}#contribute")
    confirmation = page.locator("#contribute .section-message")
    expect(confirmation).to_have_count(1)
    expect(confirmation).to_be_in_viewport()
    assert Insight.objects.get().participant_id == person.pk
    assert_accessible(page)
    visited += 1

    # 3. Feedback with an impossible rating: nothing saved, the text typed is still in the box, the error in view.
    page.locator("#id_feedback-note").fill(FEEDBACK)
    page.locator("#id_feedback-rating").fill("9")
    submit(page, reverse("dialogues:add_feedback", args=[dialogue.pk]))
    page.wait_for_load_state()
    expect(page.locator("#id_feedback-note")).to_have_value(FEEDBACK)
    expect(page.locator("#contribute .section-message")).to_be_in_viewport()
    assert not person.feedback.exists()
    assert_accessible(page)
    visited += 1

    # 4. The insight is on Min side.
    page.goto(reverse("participants:my_page"))
    expect(page.locator("#own-insights")).to_contain_text(INSIGHT)

    # 5. Give a consent, then withdraw it.
    page.locator("input[name='give-purpose'][value='quoting']").check()
    submit(page, reverse("participants:my_consent_give"))
    page.wait_for_url("**/min-side/#consents")
    consent = Consent.objects.get(participant=person, purpose="quoting")
    assert (consent.withdrawn_at, consent.method, consent.recorded_by_id) == (
        None,
        ConsentMethod.DIGITAL,
        person.user_id,
    )
    assert_accessible(page)
    visited += 1
    submit(page, reverse("participants:consent_withdraw", args=[consent.pk]))
    page.wait_for_url("**/min-side/#consents")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert_accessible(page)
    visited += 1

    # 6. Their data as a page to read, in Norwegian words, and as a JSON download beside it.
    page.locator(f"a[href='{reverse('participants:my_data')}']").first.click()
    page.wait_for_url("**/min-side/mine-data/")
    text = page.locator("main").inner_text()
    assert INSIGHT in text and dialogue.title in text
    for code in ("lived_experience", "quoting", "display_name", "starts_at"):
        assert code not in text
    assert_accessible(page)
    visited += 1
    with page.expect_download() as download:
        page.locator(f"a[href='{reverse('participants:my_export')}']").first.click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert [row["text"] for row in data["insights"]] == [INSIGHT]
    assert data["consents"][0]["method"] == "digital"

    assert visited == 7
    assert violations == []


@pytest.fixture
def staff_world(db):
    partner = OrganisationFactory(name="NAV Drammen")
    project = ProjectFactory(title="NAV Drammen", slug="nav-drammen")
    PartnershipFactory(project=project, organisation=partner)
    dialogue = HeldDialogueFactory(project=project, title="Dialogseminar i Drammen")
    return {"dialogue": dialogue, "staff": member_of(partner, username="nav-ansatt-test")}


def quick_add_form(page):
    return page.locator("form:has(input[name='new-display_name'])")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_staff_records_attendance_with_the_consent_given_in_the_room(
    page, browser_login, assert_accessible, staff_world, viewport
):
    dialogue, staff = staff_world["dialogue"], staff_world["staff"]
    attendance_page = reverse("dialogues:attendance", args=[dialogue.pk])
    page.set_viewport_size(VIEWPORTS[viewport])
    violations = watch_csp(page)

    browser_login(staff)
    page.goto(attendance_page)
    assert_accessible(page)

    # 1. Kari says yes, out loud, to being registered by name: she is named at once.
    form = quick_add_form(page)
    form.locator("#id_new-display_name").fill("Kari B.")
    form.locator("#id_new-perspective").select_option("lived_experience")
    form.locator("input[name='new-consents'][value='attendance']").check()
    form.locator("input[name='new-consent_method'][value='oral']").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**{attendance_page}")
    kari = Attendance.objects.get(participant__display_name="Kari B.")
    consent = Consent.objects.get(participant=kari.participant)
    assert (consent.purpose, consent.method, consent.recorded_by_id) == ("attendance", "oral", staff.pk)
    expect(page.locator(f"#attendance-{kari.pk}")).to_contain_text("Kari B.")
    assert_accessible(page)

    # 2. Ola gives no consent yet: he stays in the adder's list, as a number, never by name.
    form = quick_add_form(page)
    form.locator("#id_new-display_name").fill("Ola S.")
    form.locator("#id_new-perspective").select_option("staff")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**{attendance_page}")
    ola = Attendance.objects.get(participant__display_name="Ola S.")
    row = page.locator(f"#attendance-{ola.pk}")
    expect(row).to_have_count(1)
    assert "Ola S." not in page.content()
    assert_accessible(page)

    # 3. Later in the day he signs the paper form: the adder records it on his row, and he is named.
    row.locator("summary").click()
    assert_accessible(page)  # the correction form, open
    row.locator(f"#id_row{ola.pk}_correct-perspective").select_option("lived_experience")
    row.locator("input[name='correct-consents'][value='attendance']").check()
    row.locator("input[name='correct-consent_method'][value='paper']").check()
    row.locator(f"form[action='{reverse('dialogues:attendance_correct', args=[dialogue.pk, ola.pk])}'] button").click()
    page.wait_for_url(f"**{attendance_page}#attendance-{ola.pk}")
    ola.refresh_from_db()
    assert ola.perspective == "lived_experience"
    assert Consent.objects.get(participant=ola.participant).method == ConsentMethod.PAPER
    expect(page.locator(f"#attendance-{ola.pk}")).to_contain_text("Ola S.")
    assert_accessible(page)

    # 4. A row registered by mistake is removed.
    remove = reverse("dialogues:attendance_remove", args=[dialogue.pk, kari.pk])
    page.locator(f"form[action='{remove}'] button").click()
    page.wait_for_url(f"**{attendance_page}")
    assert not Attendance.objects.filter(pk=kari.pk).exists()
    assert_accessible(page)
    assert violations == []
