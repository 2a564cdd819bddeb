"""In a real Chromium: the home page's notices block, the notification settings and the unsubscribe pages pass
axe-core at desktop and phone width with no Content-Security-Policy violations.

Selectors use ids, names and URLs, never the wording of labels, so the tests hold in both languages.
"""

import datetime

import pytest
from django.urls import reverse

from notices.models import Notice, OptOut
from notices.tokens import unsubscribe_token
from tests.factories import ConsentFactory, ParticipantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}


def watch_csp(page):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    return violations


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_notices_pages_are_accessible_and_a_kind_is_turned_off(page, browser_login, assert_accessible, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    violations = watch_csp(page)
    person = ParticipantFactory(display_name="Nora", user=UserFactory(username="nora@example.org"))
    ConsentFactory(participant=person, purpose="contact")
    Notice.objects.create(
        kind="gathering_soon",
        object_ref="dialogue:1",
        recipient_key=f"p:{person.pk}",
        due_on=datetime.date(2027, 1, 13),
        user=person.user,
        subject="Om to dager: «Samling»",
        link="/",
        state="in_app",
    )
    browser_login(person.user)
    page.goto(reverse("home"))
    assert page.locator("#h-notices").is_visible()
    assert_accessible(page)
    page.goto(reverse("notices:settings"))
    assert_accessible(page)
    page.locator("input[name='kinds'][value='weekly_digest']").uncheck()
    page.locator("#notice-settings button[type='submit']").click()
    page.wait_for_url("**/min-side/varsler/")
    assert list(OptOut.objects.values_list("kind", flat=True)) == ["weekly_digest"]
    assert_accessible(page)
    assert violations == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_unsubscribe_is_accessible_and_works_without_login(page, assert_accessible, db, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    violations = watch_csp(page)
    page.goto(reverse("notices:unsubscribe", args=[unsubscribe_token("p:7", "gathering_soon")]))
    assert_accessible(page)
    page.locator("#unsubscribe button").click()
    page.wait_for_load_state()
    assert list(OptOut.objects.values_list("recipient_key", "kind")) == [("p:7", "gathering_soon")]
    assert_accessible(page)
    assert violations == []
