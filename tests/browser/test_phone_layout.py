"""In a real Chromium at 1280 and 320 px: a compact header, collapsible filters, copy buttons (issue 13).

At 320 px the coordinator's header took 284 of 640 px and nine project filters pushed the results below the
fold. Now the menu is one line that scrolls sideways, and the filters fold away in a <details>.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import CalendarFeedFactory, CoordinatorFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}


def fits_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_header_is_compact_and_the_results_are_above_the_fold(page, browser_login, assert_accessible, viewport):
    ProjectFactory.create_batch(3)
    page.set_viewport_size(VIEWPORTS[viewport])
    browser_login(CoordinatorFactory())
    page.goto("/prosjekter/")
    header = page.locator(".site-header").bounding_box()
    first_result = page.locator(".project-card").first.bounding_box()
    print(f"\n{viewport}: header {header['height']:.0f} px, first result at {first_result['y']:.0f} px")
    filters = page.locator("details.filters-fold")
    if viewport == "phone":
        assert header["height"] <= 160, f"the header takes {header['height']} px of 640"
        expect(filters).not_to_have_attribute("open", "")
        assert first_result["y"] < 640, "the first result is below the fold"
        filters.locator("summary").click()
        expect(page.locator("form.filters")).to_be_visible()
    else:
        expect(page.locator("form.filters")).to_be_visible()
        expect(filters.locator("summary")).to_be_hidden()
    assert fits_width(page)
    assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_calendar_address_is_shown_whole_and_can_be_copied(page, browser_login, assert_accessible, viewport):
    user = CoordinatorFactory()
    feed = CalendarFeedFactory(user=user)
    page.set_viewport_size(VIEWPORTS[viewport])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    browser_login(user)
    page.goto("/kalender/")
    address = page.locator("#feed-me")
    box = address.bounding_box()
    assert address.evaluate("el => el.scrollHeight <= el.clientHeight + 1"), "the address is cut off"
    assert box["width"] <= VIEWPORTS[viewport]["width"]
    button = page.locator("[data-copy-target='feed-me']")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".copy-status").first).not_to_be_empty()
    assert feed.token in address.input_value()
    assert fits_width(page)
    assert_accessible(page)
