"""In a real Chromium: log in through the real form and reach the home page, with no axe violations."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_has_no_accessibility_violations(page, assert_accessible):
    page.goto("/logg-inn/")
    assert page.get_by_role("heading", name="Logg inn").is_visible()
    assert_accessible(page)


def test_user_logs_in_and_sees_home_page_without_violations(page, browser_login, assert_accessible, coordinator):
    browser_login(coordinator)
    assert page.get_by_role("heading", level=1).inner_text() == "Partnerskap for sosial innovasjon"
    assert page.locator("[data-figure='projects'] a").is_visible()  # the dashboard's first figure
    assert_accessible(page)


def test_wrong_password_shows_error_summary(page, assert_accessible, coordinator):
    page.goto("/logg-inn/")
    page.get_by_label("Brukernavn").fill(coordinator.username)
    page.get_by_label("Passord").fill("wrong-password")
    page.get_by_role("button", name="Logg inn").click()
    assert page.locator(".ds-error-summary").is_visible()
    assert_accessible(page)


def test_home_page_fits_a_phone_without_violations(page, browser_login, assert_accessible, coordinator):
    page.set_viewport_size({"width": 320, "height": 640})
    browser_login(coordinator)
    assert_accessible(page)
