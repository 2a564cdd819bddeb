"""Bounded pages, the rest (issue 16): lists that only grow go from a cursor (kremlib.http.keyset_page), without
page numbers or a count of all; the registry page of a person shows each block of what they took part in bounded,
with the count of all and a link to all of them.

The query budgets of these pages, the same at 1 row as at 30, are in tests/test_query_budgets.py."""

import datetime
import re

import pytest
from django.core import signing
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Outcome
from kremlib.http import CURSOR_PARAM, PAGE_SIZE, keyset_page
from participants.models import AccessLog
from projects.panels import BLOCK_LIMIT
from tests.factories import (
    AccessLogFactory,
    AttendanceFactory,
    CoordinatorFactory,
    DialogueFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    HeldDialogueFactory,
    InsightFactory,
    OutcomeCommentFactory,
    OutcomeFactory,
    ParticipantFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOG = reverse("participants:access_log")


@pytest.fixture
def log():
    """70 entries, most of them sharing their moment with others (ties in the ordering key), about two people."""
    kari, ola = ParticipantFactory(display_name="Kari"), ParticipantFactory(display_name="Ola")
    actor = CoordinatorFactory()
    moment = timezone.now() - datetime.timedelta(days=1)
    for i in range(70):
        at = moment - datetime.timedelta(minutes=i // 10)  # ten entries at each minute
        AccessLogFactory(participant=(kari, ola)[i % 2], actor=actor, at=at)
    return {"kari": kari, "ola": ola, "actor": actor}


def walk(client, url, **params):
    """Every page from the first, following "Next": the ids in the order shown, and how many pages."""
    ids, pages, cursor = [], 0, None
    while True:
        response = client.get(url, {**params, **({CURSOR_PARAM: cursor} if cursor else {})})
        assert response.status_code == 200
        page = response.context["page"]
        ids += [entry.pk for entry in page]
        pages += 1
        if not page.has_next:
            return ids, pages
        assert 'rel="next"' in response.content.decode()
        cursor = page.next_cursor


def test_the_next_page_continues_exactly_after_the_last_row_with_ties(client, log):
    client.force_login(log["actor"])
    ids, pages = walk(client, LOG)
    assert ids == list(AccessLog.objects.order_by("-at", "-pk").values_list("pk", flat=True))
    assert pages == 3  # 25, 25, 20


def test_the_filtered_log_continues_the_same_way(client, log):
    client.force_login(log["actor"])
    ids, pages = walk(client, LOG, participant=log["kari"].pk)
    expected = AccessLog.objects.filter(participant=log["kari"]).order_by("-at", "-pk").values_list("pk", flat=True)
    assert ids == list(expected) and len(ids) == 35 and pages == 2


def test_a_later_page_links_to_the_first_and_the_last_has_no_next(client, log):
    client.force_login(log["actor"])
    first = client.get(LOG)
    assert 'rel="first"' not in first.content.decode()
    second = client.get(LOG, {CURSOR_PARAM: first.context["page"].next_cursor})
    assert 'rel="first"' in second.content.decode() and not second.context["page"].is_first


# Made when the test runs (a signature holds the time): ids made at collection would differ between the
# processes of `make test`, which then refuse to run.
BAD_CURSORS = {
    "rubbish": lambda: "rubbish",
    "empty": lambda: "",
    "forged": lambda: signing.dumps(["2020-01-01T00:00:00+00:00", "1"], salt="another salt"),  # signed otherwise
    "tampered": lambda: signing.dumps(["2020-01-01T00:00:00+00:00", "1"])[:-3] + "abc",
    "not keys": lambda: signing.dumps(["not a date", "x"], salt="kremlib.http.keyset_page"),  # signed, not keys
    "one key of two": lambda: signing.dumps(["2020-01-01T00:00:00+00:00"], salt="kremlib.http.keyset_page"),
    "a mapping": lambda: signing.dumps({"at": 1}, salt="kremlib.http.keyset_page"),
}


@pytest.mark.parametrize("kind", BAD_CURSORS)
def test_a_bad_or_forged_cursor_gives_the_first_page(client, log, kind):
    cursor = BAD_CURSORS[kind]()
    client.force_login(log["actor"])
    first = [entry.pk for entry in client.get(LOG).context["page"]]
    response = client.get(LOG, {CURSOR_PARAM: cursor})
    assert response.status_code == 200
    assert [entry.pk for entry in response.context["page"]] == first and response.context["page"].is_first


def test_the_log_counts_nothing(client, log):
    client.force_login(log["actor"])
    cursor = client.get(LOG).context["page"].next_cursor
    for params in ({}, {CURSOR_PARAM: cursor}, {"action": "view"}):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LOG, params)
        assert response.status_code == 200
        assert [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()] == []
    assert "Viser 25 oppføringer, nyeste først." in response.content.decode()


def test_the_cursor_starts_the_scan_at_the_last_row(client, log):
    """The first key's bound (at <= the last row's) is in the WHERE clause, where an index can start from it."""
    client.force_login(log["actor"])
    cursor = client.get(LOG).context["page"].next_cursor
    with CaptureQueriesContext(connection) as captured:
        client.get(LOG, {CURSOR_PARAM: cursor})
    (page_query,) = [q["sql"] for q in captured.captured_queries if 'FROM "participants_accesslog"' in q["sql"]]
    assert re.search(r'"participants_accesslog"\."at" <= ', page_query)


def test_an_ascending_order_continues_too(log):
    request_factory = RequestFactory()
    rows = AccessLog.objects.all()
    seen, cursor = [], None
    while True:
        request = request_factory.get("/", {CURSOR_PARAM: cursor} if cursor else {})
        page = keyset_page(request, rows, ordering=("participant", "at", "pk"), per_page=7)
        seen += [entry.pk for entry in page]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == list(rows.order_by("participant", "at", "pk").values_list("pk", flat=True))


def test_my_page_shows_my_log_from_a_cursor(client):
    me = ParticipantFactory(user=UserFactory())
    for _ in range(PAGE_SIZE + 5):
        AccessLogFactory(participant=me)
    client.force_login(me.user)
    ids, pages = walk(client, reverse("participants:my_page"))
    assert ids == list(me.access_log.order_by("-at", "-pk").values_list("pk", flat=True)) and pages == 2


# The registry page of a person

MORE = BLOCK_LIMIT + 3  # more than a block shows, fewer than a page (25)
BLOCKS = {
    "attended": "attendances",
    "insights": "insights",
    "feedback": "feedback",
    "comments": "outcome_comments",
    "actions": "follow_up_actions",
}


@pytest.fixture
def busy_person():
    person = ParticipantFactory(display_name="Aktiv Person")
    for _ in range(MORE):
        AttendanceFactory(participant=person)
        InsightFactory(participant=person)
        FeedbackFactory(participant=person)
        OutcomeCommentFactory(participant=person)
        FollowUpActionFactory(responsible_participant=person)
    return person


def test_each_block_shows_the_limit_with_the_count_of_all_and_a_link_to_all(client, busy_person):
    client.force_login(CoordinatorFactory())
    url = reverse("participants:participant_detail", args=[busy_person.pk])
    response = client.get(url)
    html = response.content.decode()
    for section, relation in BLOCKS.items():
        block = response.context[section]
        assert len(block.rows) == BLOCK_LIMIT and block.total == MORE, section
        assert f'href="?alle={section}#h-{section}"' in html, section
        newest = getattr(busy_person, relation).order_by(*block_order(section))[:BLOCK_LIMIT]
        assert [row.pk for row in block.rows] == [row.pk for row in newest], section

        in_full = client.get(url, {"alle": section})
        assert in_full.status_code == 200
        every = {row.pk for row in in_full.context[section].rows}
        assert every == set(getattr(busy_person, relation).values_list("pk", flat=True)), section
        assert in_full.context[section].page.paginator.num_pages == 1
        others = [name for name in BLOCKS if name != section]
        assert all(len(in_full.context[name].rows) == BLOCK_LIMIT for name in others), section


def block_order(section):
    from participants.views import PERSON_BLOCKS

    return next(order for name, _relation, _related, order in PERSON_BLOCKS if name == section)


def test_a_block_in_full_comes_in_pages(client):
    person = ParticipantFactory()
    AttendanceFactory.create_batch(PAGE_SIZE + 2, participant=person)
    client.force_login(CoordinatorFactory())
    url = reverse("participants:participant_detail", args=[person.pk])
    first = client.get(url, {"alle": "attended"}).context["attended"]
    second = client.get(url, {"alle": "attended", "side": 2}).context["attended"]
    assert len(first.rows) == PAGE_SIZE and len(second.rows) == 2 and first.total == PAGE_SIZE + 2
    assert {a.pk for a in first.rows} | {a.pk for a in second.rows} == set(
        person.attendances.values_list("pk", flat=True)
    )


def test_a_small_person_has_no_see_all_link(client):
    person = ParticipantFactory()
    AttendanceFactory(participant=person)
    InsightFactory(participant=person)
    client.force_login(CoordinatorFactory())
    response = client.get(reverse("participants:participant_detail", args=[person.pk]))
    assert "?alle=" not in response.content.decode()
    assert response.context["attended"].total == 1 and response.context["insights"].total == 1


# The reports' timelines and the public page's outcomes


def gatherings_of(project, n, year):
    return [
        DialogueFactory(project=project, starts_at=timezone.make_aware(datetime.datetime(year, 3, 1 + i, 12)))
        for i in range(n)
    ]


def test_a_portfolio_chapter_shows_the_latest_gatherings_in_the_period_and_where_to_find_all(client):
    coordinator = CoordinatorFactory()
    project = ProjectFactory(title="Stort prosjekt", start_date="2010-01-01")
    small = ProjectFactory(title="Lite prosjekt", start_date="2010-01-01")
    in_period = gatherings_of(project, MORE, 2015)
    gatherings_of(project, 2, 2012)  # before the period
    gatherings_of(small, 2, 2015)
    client.force_login(coordinator)
    response = client.get(reverse("reports:portfolio_report"), {"from_year": 2015, "to_year": 2015})
    chapters = {chapter.project.pk: chapter for chapter in response.context["chapters"]}

    big = chapters[project.pk]
    latest = sorted(in_period, key=lambda d: d.starts_at)[-BLOCK_LIMIT:]
    assert [d.pk for d in big.dialogues] == [d.pk for d in latest]  # the latest, soonest first
    assert big.dialogue_count == MORE
    assert big.dialogues_url == f"/dialoger/?project={project.pk}&date_from=2015-01-01&date_to=2015-12-31"
    html = response.content.decode().replace("&amp;", "&")
    assert f"Alle {MORE} samlinger: se dialoglisten, " in html
    assert f"http://testserver{big.dialogues_url}" in html
    listed = client.get(big.dialogues_url).context
    assert {d.pk for d in listed["page"].object_list} | {d.pk for d in listed["upcoming"]} == {d.pk for d in in_period}

    assert len(chapters[small.pk].dialogues) == 2 and chapters[small.pk].dialogue_count == 2
    assert html.count("samlinger: se dialoglisten") == 1


def test_the_project_report_writes_out_the_address_of_all_gatherings(client):
    project = ProjectFactory(title="Rapportprosjekt")
    gatherings_of(project, MORE, 2015)
    client.force_login(CoordinatorFactory())
    response = client.get(reverse("reports:project_report", args=[project.slug]))
    assert len(response.context["dialogues"]) == BLOCK_LIMIT
    assert f"http://testserver/dialoger/?project={project.pk}" in response.content.decode()


def test_the_public_page_shows_the_outcomes_in_pages():
    project = ProjectFactory(title="Offentlig", slug="offentlig-stort", published_at=timezone.now())
    for dialogue in gatherings_of(project, MORE, 2015):
        OutcomeFactory(dialogue=dialogue, status="published", published_at=timezone.now())
    client = Client()
    url = reverse("public_project", args=[project.slug])
    first = client.get(url).context["outcomes"]
    second = client.get(url, {"side": 2}).context["outcomes"]
    assert len(first.object_list) == BLOCK_LIMIT and len(second.object_list) == MORE - BLOCK_LIMIT
    shown = {o.pk for o in first.object_list} | {o.pk for o in second.object_list}
    assert shown == set(Outcome.objects.filter(dialogue__project=project).values_list("pk", flat=True))
    assert 'rel="next"' in client.get(url).content.decode()


# The dialogue page's attendees


def test_a_big_gathering_names_the_first_attendees_and_links_to_all(client):
    dialogue = HeldDialogueFactory()
    for _ in range(MORE):
        AttendanceFactory(dialogue=dialogue)
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    response = client.get(dialogue.get_absolute_url())
    assert len(response.context["attendees"]) == BLOCK_LIMIT and response.context["attendee_count"] == MORE
    attendance_page = reverse("dialogues:attendance", args=[dialogue.pk])
    assert f'href="{attendance_page}"' in response.content.decode()
    assert len(client.get(attendance_page).context["attendees"]) == MORE
    everyone = client.get(dialogue.get_absolute_url(), {"alle": "attendees"}).context
    assert {a.pk for a in everyone["attendees"]} == set(dialogue.attendances.values_list("pk", flat=True))
