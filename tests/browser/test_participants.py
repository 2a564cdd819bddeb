"""In a real Chromium: the participant registry, "Min side" and the invitation page pass axe-core at desktop
and phone width, with no Content-Security-Policy violations; a person withdraws a consent in one click.

Selectors use ids, names and URLs, never the wording of labels, so the tests hold in both languages.
"""

import pytest
from django.urls import reverse

from participants.models import Consent
from tests.factories import (
    AccessLogFactory,
    AttendanceFactory,
    ConsentFactory,
    CoordinatorFactory,
    InsightFactory,
    InvitationFactory,
    OrganisationFactory,
    ParticipantFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}


def watch_csp(page):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    return violations


@pytest.fixture
def kari(db):
    person = ParticipantFactory(
        display_name="Kari Nordmann",
        user=UserFactory(username="kari@example.org"),
        email="kari@example.org",
        organisation=OrganisationFactory(name="Brukerforum"),
    )
    AttendanceFactory(participant=person)
    InsightFactory(participant=person)
    ConsentFactory(participant=person, purpose="quoting")
    InvitationFactory(participant=person, email="kari@example.org")
    AccessLogFactory(participant=person)
    return person


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_registry_pages_are_accessible(page, browser_login, assert_accessible, kari, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    violations = watch_csp(page)
    browser_login(CoordinatorFactory(username="koordinator-nett"))
    for url in [
        reverse("participants:participant_list"),
        reverse("participants:participant_detail", args=[kari.pk]),
        reverse("participants:participant_create"),
        reverse("participants:participant_edit", args=[kari.pk]),
        reverse("participants:participant_invite", args=[kari.pk]),
        reverse("participants:participant_merge", args=[kari.pk]),
        reverse("participants:participant_anonymise", args=[kari.pk]),
        reverse("participants:access_log"),
    ]:
        page.goto(url)
        assert_accessible(page)
    assert violations == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_my_page_is_accessible_and_a_consent_is_withdrawn_in_one_click(
    page, browser_login, assert_accessible, kari, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    violations = watch_csp(page)
    browser_login(kari.user)
    page.goto(reverse("participants:my_page"))
    assert_accessible(page)
    consent = Consent.objects.get()
    page.locator(f"form[action='{reverse('participants:consent_withdraw', args=[consent.pk])}'] button").click()
    page.wait_for_url("**/min-side/**")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert_accessible(page)
    assert violations == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_public_pages_are_accessible(page, assert_accessible, db, viewport):
    """The invitation page and the terms and privacy page (where consent is explained), at both widths."""
    page.set_viewport_size(VIEWPORTS[viewport])
    violations = watch_csp(page)
    InvitationFactory(participant=ParticipantFactory(), email="ny@example.org", token="nett-token")
    for url in [
        reverse("participants:accept_invitation", args=["nett-token"]),
        reverse("participants:accept_invitation", args=["ukjent"]),
        reverse("participants:terms"),
        reverse("password_reset"),
    ]:
        page.goto(url)
        assert_accessible(page)
    assert violations == []
