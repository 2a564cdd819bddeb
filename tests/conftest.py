import os
import shutil

import pytest

from tests.factories import PASSWORD, CoordinatorFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses that
# by default. The browser tests use the ORM only to set up data, never concurrently.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def empty_cache():
    """The cache outlives each test's database (rolled back without signals): start every test without it."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def empty_private_files():
    """Uploaded files live in a folder of this test process (krem/settings.py): start every test with it empty."""
    from django.conf import settings

    shutil.rmtree(settings.PRIVATE_FILES_ROOT, ignore_errors=True)
    yield


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory(username="koordinator-test")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin-test", is_staff=True, is_superuser=True)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def chromium_path():
    """The system Chromium, unless KREM_CHROMIUM names another; None means Playwright's own."""
    for candidate in (os.environ.get("KREM_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def browser_login(page):
    def _login(user):
        page.goto("/logg-inn/")
        page.get_by_label("Brukernavn").fill(user.username)
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url("**/")
        return page

    return _login


@pytest.fixture
def assert_accessible():
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def _check(page):
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()

    return _check


def english(client):
    """The test client, asking for pages in English as a user who picked English in the header would.

    The browser's Accept-Language no longer counts (krem.middleware.norwegian_first): only the language cookie."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
