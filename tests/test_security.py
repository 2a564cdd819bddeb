"""Production settings: security headers, cookies, caching, error pages and the health check."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from tests.conftest import english
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-for-the-check",
    "ALLOWED_HOSTS": "krem.example.org",
}


def run_manage(*args, **env):
    """manage.py in a fresh process, as production runs it: no DEBUG, no test mode, only the variables given."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "KREM_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_app_refuses_to_start_without_secret_key_in_production():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="session")
def production_security_settings():
    """The cookie and SECURE_* settings exactly as settings.py sets them in production, read in a subprocess."""
    code = (
        "import json; from django.conf import settings; print(json.dumps({name: getattr(settings, name) "
        "for name in dir(settings) if name.startswith(('SECURE_', 'SESSION_COOKIE_', 'CSRF_COOKIE_'))}))"
    )
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def production(settings, production_security_settings):
    settings.DEBUG = False
    for name, value in production_security_settings.items():
        setattr(settings, name, value)


def csp_directives(response):
    return {part.split()[0]: part.split()[1:] for part in response["Content-Security-Policy"].split("; ")}


def inline_code(html):
    """Inline <script>, <style>, style="" and on...="" handlers: what our Content-Security-Policy blocks."""
    return re.findall(r"<script(?![^>]*\ssrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", html)


PAGES = [
    ("login", None),
    ("home", "coordinator"),
    ("admin:login", None),
    ("admin:projects_municipality_changelist", "admin_user"),
    ("healthz", None),
]


@pytest.mark.parametrize("url_name, who", PAGES)
def test_page_sends_the_security_headers_over_https(production, client, request, url_name, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(url_name), secure=True)
    assert response.status_code == 200
    assert csp_directives(response) == {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "img-src": ["'self'", "data:"],
    }
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert inline_code(response.content.decode()) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chromium_reports_no_content_security_policy_violations(page, browser_login, admin_user):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    browser_login(admin_user)
    for path in ["/", "/admin/", "/admin/projects/municipality/", "/admin/projects/municipality/add/"]:
        page.goto(path)
        page.wait_for_load_state("load")
    assert violations == []


def test_content_security_policy_is_on_in_tests_too(client):
    assert csp_directives(client.get(reverse("login")))["default-src"] == ["'self'"]


def test_login_sets_secure_host_prefixed_cookies(production, client, coordinator):
    csrf_cookie = client.get(reverse("login"), secure=True).cookies["__Host-csrftoken"]
    response = client.post(reverse("login"), {"username": coordinator.username, "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session_cookie = response.cookies["__Host-sessionid"]
    # A __Host- cookie must be Secure, for path / and without a Domain, or browsers drop it.
    for cookie in (csrf_cookie, session_cookie):
        assert cookie["secure"] is True
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
    assert session_cookie["httponly"] is True


def test_plain_http_is_redirected_to_https_except_healthz(production, client):
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/logg-inn/"
    assert client.get(reverse("healthz")).status_code == 200


def test_logged_in_pages_are_not_stored_by_browsers_or_proxies(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("home"))["Cache-Control"] == "no-store"
    assert client.get(reverse("admin:index"))["Cache-Control"] == "no-store"


def test_static_files_keep_their_cache_headers(settings, client, coordinator):
    settings.WHITENOISE_USE_FINDERS = True  # whitenoise serves static/ without collectstatic
    client.force_login(coordinator)
    response = client.get("/static/css/krem.css")
    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]


def assert_site_design(html):
    assert 'class="site-header"' in html
    assert "/static/css/krem.css" in html


def test_unknown_url_gets_the_404_page_in_the_site_design(settings, client, coordinator):
    settings.DEBUG = False
    client.force_login(coordinator)
    response = english(client).get("/finnes/ikke/")
    html = response.content.decode()
    assert response.status_code == 404
    assert_site_design(html)
    assert "Page not found" in html
    assert "Log out" in html  # the logged-in header, so the user can find their way back


def test_unknown_host_gets_the_400_page(client):
    response = english(client).get(reverse("login"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_site_design(response.content.decode())
    assert "Bad request" in response.content.decode()


def test_form_without_csrf_token_gets_the_friendly_403_page(coordinator):
    client = english(Client(enforce_csrf_checks=True))
    response = client.post(reverse("login"), {"username": coordinator.username, "password": PASSWORD})
    assert response.status_code == 403
    assert_site_design(response.content.decode())
    assert "The form could not be sent" in response.content.decode()


def test_500_page_needs_no_request_context_nor_database(django_assert_num_queries):
    with translation.override("en"), django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert_site_design(html)
    assert "Something went wrong" in html
    assert inline_code(html) == []


def test_healthz_answers_ok_without_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response.content == b"ok"


def test_healthz_answers_503_when_the_database_is_unreachable():
    # Its own process, pointed at a PostgreSQL port where nothing listens.
    code = "from django.test import Client; r = Client().get('/healthz', HTTP_HOST='localhost'); print(r.status_code, r.content.decode())"
    result = run_manage(
        "shell", "--no-imports", "-c", code, KREM_TESTING="1", DATABASE_URL="postgres://krem@127.0.0.1:1/krem"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "503 database unavailable"
