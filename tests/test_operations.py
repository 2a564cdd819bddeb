"""What operators need: request ids, JSON logs, /metrics for the allowed only, /readyz, Sentry without personal
data, and a shared cache whose figures follow the data."""

import json
import logging

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from krem import views
from kremlib import requestid
from kremlib.cache import cached, current_version
from kremlib.sentry import before_send
from projects.models import Project
from tests.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


# Request ids


def test_every_response_carries_a_new_request_id(client):
    first = client.get(reverse("healthz"))["X-Request-ID"]
    second = client.get(reverse("healthz"))["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_sane_incoming_request_id_is_kept():
    response = Client(HTTP_X_REQUEST_ID="lb-1234abcd-5678").get(reverse("healthz"))
    assert response["X-Request-ID"] == "lb-1234abcd-5678"


@pytest.mark.parametrize("hostile", ["x", "a" * 500, "abc\r\nSet-Cookie: x=1", "<script>alert(1)</script>", "å" * 20])
def test_an_insane_incoming_request_id_is_replaced(hostile):
    response = Client(HTTP_X_REQUEST_ID=hostile).get(reverse("healthz"))
    assert response["X-Request-ID"] != hostile and len(response["X-Request-ID"]) == 32


def test_a_task_can_carry_the_request_id_on():
    with requestid.bound("request-0001abcd"):
        queued_with = requestid.current()
    assert requestid.current() is None
    with requestid.bound(queued_with):  # in the worker
        assert requestid.current() == "request-0001abcd"


def json_line(message, request_id=None):
    from django.conf import settings

    formatter_config = dict(settings.LOGGING["formatters"]["json"])
    factory = formatter_config.pop("()")
    module, _, name = factory.rpartition(".")
    formatter = getattr(__import__(module, fromlist=[name]), name)(**formatter_config)
    record = logging.LogRecord("krem.test", logging.WARNING, __file__, 1, message, None, None)
    with requestid.bound(request_id):
        requestid.RequestIdFilter().filter(record)
    return json.loads(formatter.format(record))


def test_a_json_log_line_carries_the_request_id():
    line = json_line("Noe gikk galt", request_id="abcdef0123456789")
    assert line["message"] == "Noe gikk galt"
    assert line["level"] == "WARNING"
    assert line["logger"] == "krem.test"
    assert line["request_id"] == "abcdef0123456789"
    assert "time" in line


def test_log_records_of_a_request_carry_its_id(client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    response = Client(HTTP_X_REQUEST_ID="trace-98765432").get("/finnes-ikke/")
    assert response.status_code in (302, 404)
    for record in caplog.records:
        assert getattr(record, "request_id", "trace-98765432") in ("trace-98765432", "-")


# Metrics


def crawl(client):
    client.force_login(CoordinatorFactory())
    for name in ("home", "projects:project_list", "dialogues:dialogue_list"):
        assert client.get(reverse(name)).status_code == 200


def test_metrics_answer_404_without_the_token_or_from_another_address(client, settings):
    settings.METRICS_TOKEN = "hemmelig-token-123"
    settings.METRICS_ALLOWED_IPS = ["10.0.0.5"]
    assert client.get(reverse("metrics")).status_code == 404
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer feil").status_code == 404
    assert client.get(reverse("metrics"), REMOTE_ADDR="10.0.0.6").status_code == 404
    # Behind no proxy, a forged header is not the client's address.
    assert client.get(reverse("metrics"), HTTP_X_FORWARDED_FOR="10.0.0.5").status_code == 404


def test_metrics_show_request_counts_after_a_crawl_with_the_token(client, settings):
    settings.METRICS_TOKEN = "hemmelig-token-123"
    crawl(client)
    response = Client().get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer hemmelig-token-123")
    assert response.status_code == 200
    text = response.content.decode()
    by_view = [
        line
        for line in text.splitlines()
        if line.startswith("django_http_responses_total_by_status_view_method_total{")
        and 'view="projects:project_list"' in line
        and 'status="200"' in line
    ]
    assert by_view and float(by_view[0].rsplit(" ", 1)[1]) >= 1
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    assert "django_db_execute_total" in text


def test_metrics_from_an_allowed_address(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.5"]
    assert client.get(reverse("metrics"), REMOTE_ADDR="10.0.0.5").status_code == 200


# Readiness


def test_readyz_is_ok_when_database_cache_and_broker_answer(client, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("readyz"))
    assert response.status_code == 200 and response.content == b"ok"


def test_readyz_names_what_failed(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.content.decode() == "broker: unavailable\n"


def test_readyz_reaches_a_real_redis_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/7"
    import redis

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on this machine")
    assert client.get(reverse("readyz")).status_code == 200


def test_readyz_reports_a_cache_that_does_not_answer(client, monkeypatch):
    def broken():
        raise ConnectionError("down")

    monkeypatch.setitem(views.READINESS_CHECKS, "cache", broken)
    response = client.get(reverse("readyz"))
    assert response.status_code == 503 and response.content.decode() == "cache: unavailable\n"


# Sentry


def test_sentry_events_lose_bodies_cookies_names_and_emails():
    event = {
        "message": "Feil for kari@example.org",
        "user": {"id": 7, "username": "kari", "email": "kari@example.org", "ip_address": "10.1.2.3"},
        "request": {
            "url": "https://krem.example/deltakere/3/",
            "method": "POST",
            "data": {"display_name": "Kari Nordmann"},
            "cookies": {"sessionid": "abc"},
            "query_string": "q=Kari",
            "headers": {"Cookie": "sessionid=abc", "User-Agent": "Firefox", "X-Forwarded-For": "10.1.2.3"},
            "env": {"REMOTE_ADDR": "10.1.2.3", "SERVER_NAME": "krem"},
        },
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": "bad email kari@example.org",
                    "stacktrace": {"frames": [{"function": "save", "vars": {"name": "Kari Nordmann"}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": "sent to kari@example.org", "data": {"name": "Kari"}}]},
    }
    scrubbed = json.dumps(before_send(event))
    for personal in ("Kari", "kari", "sessionid", "10.1.2.3"):
        assert personal not in scrubbed, personal
    assert event["user"] == {"id": 7}
    assert event["request"]["headers"] == {"User-Agent": "Firefox"}
    assert event["request"]["url"] == "https://krem.example/deltakere/3/"


def test_sentry_is_set_up_without_personal_data(monkeypatch):
    import sentry_sdk

    seen = {}
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: seen.update(options))
    from kremlib import sentry

    sentry.init("https://key@sentry.example/1", environment="test")
    assert seen["send_default_pii"] is False
    assert seen["before_send"] is before_send
    assert seen["max_request_body_size"] == "never"


# The shared cache


def test_sessions_are_kept_where_every_server_reads_them(settings):
    assert settings.SESSION_ENGINE in ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache")


def test_a_cached_figure_is_kept_until_its_data_changes(client, django_capture_on_commit_callbacks):
    client.force_login(CoordinatorFactory())
    ProjectFactory()
    computed = []

    def count():
        computed.append(1)
        return Project.objects.count()

    assert cached(["test", "projects"], count) == 1
    assert cached(["test", "projects"], count) == 1
    assert len(computed) == 1
    version = current_version()
    with django_capture_on_commit_callbacks(execute=True):
        ProjectFactory()
    assert current_version() > version
    assert cached(["test", "projects"], count) == 2
    assert len(computed) == 2


def active_projects(client):
    dashboard = client.get(reverse("home"), {"year_from": 1990, "year_to": 2039}).context["dashboard"]
    return {figure.key: figure.value for figure in dashboard.figures}["active_projects"]


def test_the_home_page_figures_follow_an_edit(client, django_assert_max_num_queries):
    client.force_login(CoordinatorFactory())
    project = ProjectFactory(status="planned")
    assert active_projects(client) == 0
    with django_assert_max_num_queries(10):  # the coordinator's dashboard came from the cache this time
        assert active_projects(client) == 0
    project.status = "active"
    project.save()
    assert active_projects(client) == 1


def projects_on_home(client):
    dashboard = client.get(reverse("home"), {"year_from": 1990, "year_to": 2039}).context["dashboard"]
    return {figure.key: figure.value for figure in dashboard.figures}["projects"]


def test_a_members_dashboard_is_cached_as_their_own_and_follows_their_membership(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    organisation, other = OrganisationFactory(), OrganisationFactory()
    PartnershipFactory(organisation=organisation)
    PartnershipFactory.create_batch(2, organisation=other)
    member, member_of_other = member_of(organisation), member_of(other)
    client.force_login(member)
    assert projects_on_home(client) == 1
    with django_assert_max_num_queries(12):  # from the cache
        assert projects_on_home(client) == 1
    client.force_login(member_of_other)
    assert projects_on_home(client) == 2  # their own key: never the other member's figures
    with django_capture_on_commit_callbacks(execute=True):
        participant = member.participant
        participant.organisation = other
        participant.save()
    client.force_login(member)
    assert projects_on_home(client) == 2


def test_a_cache_that_does_not_answer_costs_the_computation_not_the_page(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert cached(["test", "down"], lambda: 42) == 42
