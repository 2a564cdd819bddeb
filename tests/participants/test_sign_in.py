"""Sign-in safety: lockout after failed logins, a new session key at login, session timeouts, strong hashing,
password reset by email, and which pages need no login."""

import re
import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from krem.middleware import SEEN_AT_STEP, SESSION_LOGIN_AT, SESSION_SEEN_AT
from tests.factories import PASSWORD, CoordinatorFactory, UserFactory
from tests.test_security import PRODUCTION, run_manage

pytestmark = pytest.mark.django_db
User = get_user_model()


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


# Lockout (django-axes)


def test_five_failed_logins_lock_the_username_from_that_address_and_say_so(client, coordinator):
    for _ in range(4):
        assert log_in(client, coordinator.username, "wrong").status_code == 200
    locked = log_in(client, coordinator.username, "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Login locked for a while" in html and "Wait 15 minutes" in html
    assert "account_locked.html" in [t.name for t in locked.templates]
    # Even the right password is refused now.
    assert log_in(client, coordinator.username, PASSWORD).status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lock_is_for_the_pair_of_username_and_address(client, coordinator):
    for _ in range(5):
        log_in(client, coordinator.username, "wrong")
    other = UserFactory(username="annen")
    assert log_in(client, other.username, PASSWORD).status_code == 302  # another user from the same address
    client.logout()
    response = client.post(
        reverse("login"), {"username": coordinator.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302  # the same user from another address


def test_a_successful_login_clears_earlier_failures(client, coordinator):
    for _ in range(4):
        log_in(client, coordinator.username, "wrong")
    assert log_in(client, coordinator.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, coordinator.username, "wrong").status_code == 200


# Behind a reverse proxy every request comes from the proxy (REMOTE_ADDR 127.0.0.1 here); the proxy appends the
# address it was reached from to X-Forwarded-For.
CLIENT_A, CLIENT_B = "198.51.100.7", "203.0.113.9"


def log_in_from(client, forwarded_for, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, HTTP_X_FORWARDED_FOR=forwarded_for
    )


def test_behind_a_proxy_the_lock_is_for_the_client_address_not_the_proxys(client, coordinator, settings):
    settings.BEHIND_PROXY, settings.KREM_PROXY_COUNT = True, 1
    for _ in range(5):
        log_in_from(client, CLIENT_A, coordinator.username, "wrong")
    assert log_in_from(client, CLIENT_A, coordinator.username, PASSWORD).status_code == 429
    # A forged entry in front of the proxy's does not change who is asking.
    assert log_in_from(client, f"10.1.2.3, {CLIENT_A}", coordinator.username, PASSWORD).status_code == 429
    # The same user from another client still gets in.
    assert log_in_from(client, CLIENT_B, coordinator.username, PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(coordinator.pk)


def test_with_two_proxies_the_client_is_the_entry_the_first_proxy_added(client, coordinator, settings):
    settings.BEHIND_PROXY, settings.KREM_PROXY_COUNT = True, 2
    for _ in range(5):
        log_in_from(client, f"{CLIENT_A}, 10.0.0.2", coordinator.username, "wrong")
    assert log_in_from(client, f"{CLIENT_B}, {CLIENT_A}, 10.0.0.2", coordinator.username, PASSWORD).status_code == 429
    assert log_in_from(client, f"{CLIENT_B}, 10.0.0.2", coordinator.username, PASSWORD).status_code == 302


def test_without_a_proxy_a_forwarded_header_is_ignored(client, coordinator, settings):
    settings.BEHIND_PROXY = False
    for _ in range(5):
        log_in_from(client, CLIENT_A, coordinator.username, "wrong")
    # Not behind a proxy, the header is whatever the client wrote: it cannot lift the lock.
    assert log_in_from(client, CLIENT_B, coordinator.username, PASSWORD).status_code == 429


def test_the_proxy_settings_are_read_from_the_environment():
    code = "from django.conf import settings; print(settings.BEHIND_PROXY, settings.KREM_PROXY_COUNT, settings.AXES_CLIENT_IP_CALLABLE)"
    result = run_manage("shell", "--no-imports", "-c", code, BEHIND_PROXY="1", KREM_PROXY_COUNT="2", **PRODUCTION)
    assert result.stdout.split() == ["True", "2", "kremlib.http.client_ip"], result.stderr
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.split() == ["False", "1", "kremlib.http.client_ip"], result.stderr


def test_the_cool_off_period_is_configured_from_the_environment():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.AXES_COOLOFF_TIME.total_seconds())",
        KREM_LOGIN_COOLOFF_MINUTES="7",
        **PRODUCTION,
    )
    assert result.stdout.strip() == "420.0", result.stderr
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


# Sessions


def test_the_session_key_is_renewed_at_login(client, coordinator):
    session = client.session
    session["before_login"] = True
    session.save()
    old_key = session.session_key
    assert log_in(client, coordinator.username, PASSWORD).status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert client.session[SESSION_KEY] == str(coordinator.pk)


def test_login_starts_both_session_clocks(client, coordinator):
    log_in(client, coordinator.username, PASSWORD)
    session = client.session
    assert abs(session[SESSION_LOGIN_AT] - time.time()) < 60
    assert abs(session[SESSION_SEEN_AT] - time.time()) < 60


def age_session(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_an_idle_session_is_logged_out_with_a_message(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("home")).status_code == 200
    age_session(client, **{SESSION_SEEN_AT: 31 * 60})
    response = client.get(reverse("projects:project_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('projects:project_list')}"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"])
    assert "logged out after 30 minutes without activity" in page.content.decode()


def test_a_session_older_than_the_maximum_is_logged_out_however_active(client, coordinator):
    client.force_login(coordinator)
    client.get(reverse("home"))
    age_session(client, **{SESSION_LOGIN_AT: 8 * 3600 + 60, SESSION_SEEN_AT: 10})
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert "more than 8 hours ago" in client.get(response["Location"]).content.decode()


def test_activity_keeps_a_session_alive(client, coordinator):
    client.force_login(coordinator)
    client.get(reverse("home"))
    age_session(client, **{SESSION_SEEN_AT: 29 * 60, SESSION_LOGIN_AT: 7 * 3600})
    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session[SESSION_SEEN_AT] < 60


def session_writes(client, url):
    """How many times a request writes the session row."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(1 for query in queries if query["sql"].startswith('UPDATE "django_session"'))


def test_a_burst_of_requests_writes_the_session_only_when_the_idle_clock_moved_a_minute(client, coordinator):
    client.force_login(coordinator)  # the login starts the clocks
    seen_at = client.session[SESSION_SEEN_AT]
    assert session_writes(client, reverse("home")) == 0
    assert session_writes(client, reverse("projects:project_list")) == 0
    assert client.session[SESSION_SEEN_AT] == seen_at
    # A minute later the idle clock moves again, and is written once.
    age_session(client, **{SESSION_SEEN_AT: SEEN_AT_STEP})
    assert session_writes(client, reverse("home")) == 1
    assert time.time() - client.session[SESSION_SEEN_AT] < 5
    assert session_writes(client, reverse("home")) == 0


def test_the_timeouts_follow_the_settings(client, coordinator, settings):
    settings.KREM_SESSION_IDLE_MINUTES = 5
    client.force_login(coordinator)
    client.get(reverse("home"))
    age_session(client, **{SESSION_SEEN_AT: 6 * 60})
    assert client.get(reverse("home")).status_code == 302


def test_an_htmx_request_after_the_timeout_reloads_the_whole_page(client, coordinator):
    client.force_login(coordinator)
    client.get(reverse("home"))
    age_session(client, **{SESSION_SEEN_AT: 31 * 60})
    response = client.get(reverse("projects:project_list"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_session_timeouts_are_read_from_the_environment():
    code = "from django.conf import settings; print(settings.KREM_SESSION_IDLE_MINUTES, settings.KREM_SESSION_MAX_HOURS, settings.SESSION_COOKIE_AGE)"
    result = run_manage(
        "shell", "--no-imports", "-c", code, KREM_SESSION_IDLE_MINUTES="10", KREM_SESSION_MAX_HOURS="2", **PRODUCTION
    )
    assert result.stdout.split() == ["10", "2", "7200"], result.stderr
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.split() == ["30", "8", "28800"], result.stderr


# Passwords


def test_passwords_are_hashed_with_argon2_in_production():
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher", result.stderr


def test_the_argon2_hasher_works(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = UserFactory.build()
    user.set_password("lang-og-sikker-passordfrase")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("lang-og-sikker-passordfrase")


def test_passwords_need_at_least_12_characters():
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Kort-ord-11")
    validate_password("Tolv-tegn-ok")  # 12 characters


# Password reset by email


def test_password_reset_by_email_end_to_end(client):
    user = UserFactory(username="nina@example.org", email="nina@example.org")
    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": "NINA@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["nina@example.org"] and "nina@example.org" in message.body
    link = re.search(r"https?://[^/\s]+(/passord/ny/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new_password = "et-helt-nytt-passord"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert client.get(link, follow=True).context["validlink"] is False  # the link works once


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "ingen@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


# Which pages need a login


PUBLIC = ["login", "password_reset", "password_reset_done", "password_reset_complete", "healthz", "participants:terms"]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_need_no_login(client, name):
    assert client.get(reverse(name)).status_code == 200


def test_the_login_page_links_to_password_reset(client):
    assert f'href="{reverse("password_reset")}"' in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize(
    "name, args",
    [
        ("home", []),
        ("password_change", []),
        ("participants:my_page", []),
        ("participants:participant_list", []),
        ("participants:access_log", []),
        ("participants:participant_detail", [1]),
    ],
)
def test_other_pages_need_a_login(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_coordinator_is_a_plain_user_account(db):
    coordinator = CoordinatorFactory()
    assert not coordinator.is_staff and type(coordinator) is User
