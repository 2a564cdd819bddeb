"""In a real Chromium: a service user becomes a partner with an account and adds their own insight.

A coordinator invites, from the registry, a participant who attended a held dialogue; the participant opens
the link from the email, sets a password, accepts the terms, lands logged in, opens the dialogue and adds an
insight; the coordinator then sees the insight with the participant's perspective (never the name). The
dialogue page with the participant's forms passes axe-core at 1280 and 320 px. (The registry, "Min side", the
invitation page and the terms page are checked at both widths in tests/browser/test_participants.py.)

Selectors use ids, names and URLs, never the wording of labels, so the tests hold in both languages.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from dialogues.models import Insight, InsightPerspective
from tests.factories import (
    PASSWORD,
    AttendanceFactory,
    ConsentFactory,
    CoordinatorFactory,
    HeldDialogueFactory,
    OutcomeFactory,
    ParticipantFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}
NEW_PASSWORD = "Mitt-eget-lange-passord-2024"


@pytest.fixture
def journey(db):
    dialogue = HeldDialogueFactory(title="Dialogseminar i Drammen")
    OutcomeFactory(dialogue=dialogue)  # a draft: the participant may also confirm it
    person = ParticipantFactory(display_name="Siri Brukerstemme", perspective="lived_experience")
    AttendanceFactory(dialogue=dialogue, participant=person, perspective="lived_experience")
    ConsentFactory(participant=person, purpose="contact")  # an invitation is an email: it needs this consent
    return {"dialogue": dialogue, "person": person, "coordinator": CoordinatorFactory(username="koordinator-reise")}


def submit(page, action):
    page.locator(f"form[action^='{action}'] button[type=submit]").click()


def test_invited_service_user_adds_an_insight_the_coordinator_sees(page, browser_login, journey, browser, live_server):
    dialogue, person = journey["dialogue"], journey["person"]

    # 1. The coordinator invites the participant from the registry.
    browser_login(journey["coordinator"])
    page.goto(reverse("participants:participant_list"))
    page.locator(f"a[href='{reverse('participants:participant_detail', args=[person.pk])}']").first.click()
    page.locator(f"a[href='{reverse('participants:participant_invite', args=[person.pk])}']").click()
    page.locator("#id_email").fill("siri@example.org")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/deltakere/\d+/#invitations$"))
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/invitasjon/\S+/", mail.outbox[0].body).group(0)

    # 2. The participant, in a browser of their own, accepts and adds an insight.
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS["desktop"], locale="nb-NO")
    own = context.new_page()
    own.goto(link)
    own.locator("#id_password1").fill(NEW_PASSWORD)
    own.locator("#id_password2").fill(NEW_PASSWORD)
    own.locator("#id_accept_terms").check()
    own.locator("main form[method=post] button[type=submit]").click()
    own.wait_for_url("**/min-side/")
    own.goto(dialogue.get_absolute_url())
    own.locator("#id_insight-text").fill("Jeg trenger en fast kontaktperson")
    submit(own, reverse("dialogues:add_insight", args=[dialogue.pk]))
    own.wait_for_url(f"**{dialogue.get_absolute_url()}#contribute")
    insight = Insight.objects.get()
    assert (insight.participant_id, insight.perspective) == (person.pk, "lived_experience")
    context.close()

    # 3. The coordinator sees it, with the perspective and not the name.
    page.goto(dialogue.get_absolute_url())
    item = page.locator("#outcome li", has_text="Jeg trenger en fast kontaktperson")
    assert item.count() == 1
    with translation.override("nb"):
        perspective = str(InsightPerspective.LIVED_EXPERIENCE.label).lower()
    assert perspective in item.inner_text().lower()
    assert person.display_name not in item.inner_text()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_dialogue_page_with_the_participants_forms_is_accessible(
    page, browser_login, assert_accessible, journey, viewport
):
    from django.contrib.auth import get_user_model

    person = journey["person"]
    person.user = get_user_model().objects.create_user(
        username="siri", password=PASSWORD
    )  # browser_login types PASSWORD
    person.save()
    page.set_viewport_size(VIEWPORTS[viewport])
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    browser_login(person.user)
    page.goto(journey["dialogue"].get_absolute_url())
    assert page.locator("#id_insight-text").count() == 1 and page.locator("#id_comment-confirmed").count() == 1
    assert_accessible(page)
    assert violations == []
