"""Calendar feeds: what the .ics says, who gets which gatherings, and what each request changes."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from dialogues.ical import build_calendar
from dialogues.models import CalendarFeed, Dialogue, DialogueStatus, TimePrecision
from dialogues.views import calendar as calendar_views
from dialogues.views.calendar import feed_version, plannable_projects
from kremlib.dates import add_months
from kremlib.http import PAGE_SIZE
from kremlib.permissions import can
from projects.models import Project
from tests.factories import (
    CalendarFeedFactory,
    CoordinatorFactory,
    DialogueFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    member_of,
)
from tests.querycount import assert_budget

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
NEXT_YEAR = timezone.localdate().year + 1


def oslo(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=OSLO)


@pytest.fixture
def world():
    """A project with one partner organisation and a dialogue; a member, an outsider with a project of its own."""
    partner = OrganisationFactory(name="NAV Partnerby")
    project = ProjectFactory(title="Dialog i Partnerby", slug="dialog-i-partnerby")
    PartnershipFactory(project=project, organisation=partner, role="lead")
    other = OrganisationFactory(name="Annen etat")
    other_project = ProjectFactory(title="Annet prosjekt", slug="annet-prosjekt")
    PartnershipFactory(project=other_project, organisation=other)
    return {
        "project": project,
        "other_project": other_project,
        "dialogue": DialogueFactory(
            project=project,
            title="Dialogseminar om arbeid",
            starts_at=oslo(NEXT_YEAR, 3, 10, 9),
            ends_at=oslo(NEXT_YEAR, 3, 10, 15),
            venue="Rådhuset",
            municipality=MunicipalityFactory(name="Larvik"),
            purpose="Hva betyr dette for praksisen?",
        ),
        "other_dialogue": DialogueFactory(project=other_project, title="Læringslab hos annen etat"),
        "member": member_of(partner, username="medlem"),
        "outsider": member_of(other, username="utenfor"),
        "coordinator": CoordinatorFactory(username="koord"),
    }


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def parse(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar):
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(dialogue):
    return f"dialogue-{dialogue.pk}@krem"


def single_event(dialogue):
    calendar = build_calendar([dialogue], name="Test", link=lambda d: f"https://krem.example.org/dialoger/{d.pk}/")
    return Calendar.from_ical(calendar.to_ical()).walk("VEVENT")[0]


def feed_url(calendar_feed):
    return reverse("dialogues:feed", args=[calendar_feed.token])


# --- The calendar itself -------------------------------------------------------------------------


def test_calendar_says_who_made_it_and_how_it_is_meant(world):
    calendar = Calendar.from_ical(
        build_calendar([world["dialogue"]], name="KREM: Partnerby", link=lambda d: "https://x/").to_ical()
    )
    assert str(calendar["VERSION"]) == "2.0"
    assert "KREM" in str(calendar["PRODID"])
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "KREM: Partnerby"
    assert len(calendar.walk("VEVENT")) == 1


def test_exact_time_is_exported_in_utc(world):
    event = single_event(world["dialogue"])
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == oslo(NEXT_YEAR, 3, 10, 9) and start.utcoffset() == datetime.timedelta(0)
    assert end == oslo(NEXT_YEAR, 3, 10, 15) and end.utcoffset() == datetime.timedelta(0)
    assert event.to_ical().decode().count("Z\r\n") >= 2  # written as UTC, not floating or with a TZID


def test_event_carries_title_place_description_link_and_stable_uid(world):
    dialogue = world["dialogue"]
    with translation.override("en"):
        event = single_event(dialogue)
    assert str(event["UID"]) == uid(dialogue)
    assert str(event["SUMMARY"]) == "Dialogseminar om arbeid"
    assert str(event["LOCATION"]) == "Rådhuset, Larvik"
    description = str(event["DESCRIPTION"])
    assert "Dialogue seminar" in description
    assert "Dialog i Partnerby" in description
    assert "Hva betyr dette for praksisen?" in description
    assert str(event["URL"]) == f"https://krem.example.org/dialoger/{dialogue.pk}/"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "TRANSP" not in event


def test_sequence_and_last_modified_follow_updated_at(world):
    dialogue = world["dialogue"]
    assert int(single_event(dialogue)["SEQUENCE"]) == 0
    later = dialogue.created_at + datetime.timedelta(minutes=5)
    Dialogue.objects.filter(pk=dialogue.pk).update(updated_at=later)
    dialogue.refresh_from_db()
    event = single_event(dialogue)
    assert int(event["SEQUENCE"]) == 300
    assert event.decoded("LAST-MODIFIED") == later.replace(microsecond=0)  # iCalendar has whole seconds


def test_gathering_known_to_the_day_is_an_all_day_event_with_exclusive_end(world):
    # Stored as load_demo stores it: from midnight to the next midnight, Oslo time.
    dialogue = DialogueFactory(
        starts_at=oslo(NEXT_YEAR, 3, 10), ends_at=oslo(NEXT_YEAR, 3, 11), time_precision=TimePrecision.DAY
    )
    event = single_event(dialogue)
    assert event.decoded("DTSTART") == datetime.date(NEXT_YEAR, 3, 10)
    assert not isinstance(event.decoded("DTSTART"), datetime.datetime)
    assert event.decoded("DTEND") == datetime.date(NEXT_YEAR, 3, 11)
    assert "VALUE=DATE" in event.to_ical().decode()


def test_gathering_over_several_days_keeps_its_last_day(world):
    dialogue = DialogueFactory(
        starts_at=oslo(NEXT_YEAR, 3, 10), ends_at=oslo(NEXT_YEAR, 3, 12, 15), time_precision=TimePrecision.DAY
    )
    event = single_event(dialogue)
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (
        datetime.date(NEXT_YEAR, 3, 10),
        datetime.date(NEXT_YEAR, 3, 13),
    )


@pytest.mark.parametrize(
    "precision, starts, span, words",
    [
        (TimePrecision.MONTH, (NEXT_YEAR, 5, 1), ((NEXT_YEAR, 5, 1), (NEXT_YEAR, 6, 1)), f"May {NEXT_YEAR}"),
        (TimePrecision.SEASON, (NEXT_YEAR, 9, 1), ((NEXT_YEAR, 9, 1), (NEXT_YEAR, 12, 1)), f"autumn {NEXT_YEAR}"),
        (TimePrecision.SEASON, (NEXT_YEAR, 12, 1), ((NEXT_YEAR, 12, 1), (NEXT_YEAR + 1, 3, 1)), f"winter {NEXT_YEAR}"),
        (TimePrecision.YEAR, (NEXT_YEAR, 1, 1), ((NEXT_YEAR, 1, 1), (NEXT_YEAR + 1, 1, 1)), str(NEXT_YEAR)),
    ],
)
def test_approximate_date_spans_its_whole_period_and_says_so(world, precision, starts, span, words):
    start = oslo(*starts)
    dialogue = DialogueFactory(starts_at=start, ends_at=start + datetime.timedelta(days=1), time_precision=precision)
    with translation.override("en"):
        event = single_event(dialogue)
    assert event.decoded("DTSTART") == datetime.date(*span[0])
    assert event.decoded("DTEND") == datetime.date(*span[1])
    assert str(event["TRANSP"]) == "TRANSPARENT"  # "some time in autumn" does not make anyone busy
    assert words in str(event["DESCRIPTION"])
    assert "is known" in str(event["DESCRIPTION"])


@pytest.mark.parametrize(
    "status, expected",
    [
        (DialogueStatus.PLANNED, "CONFIRMED"),
        (DialogueStatus.HELD, "CONFIRMED"),
        (DialogueStatus.CANCELLED, "CANCELLED"),
    ],
)
def test_status(world, status, expected):
    dialogue = DialogueFactory(status=status, cancel_reason="Snøstorm" if status == DialogueStatus.CANCELLED else "")
    event = single_event(dialogue)
    assert str(event["STATUS"]) == expected
    if status == DialogueStatus.CANCELLED:
        assert "Snøstorm" in str(event["DESCRIPTION"])


def test_line_breaks_in_a_title_cannot_break_the_calendar(world):
    dialogue = DialogueFactory(title="Seminar\r\nX-INJECTED:1", venue="Huset\n2. etasje")
    text = build_calendar([dialogue], name=dialogue.title, link=lambda d: "https://x/").to_ical().decode()
    assert "\r\nX-INJECTED" not in text
    calendar = Calendar.from_ical(text)
    assert str(calendar["X-WR-CALNAME"]) == "Seminar X-INJECTED:1"
    event = calendar.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Seminar X-INJECTED:1"
    assert str(event["LOCATION"]) == "Huset 2. etasje"


# --- The public feed ---------------------------------------------------------------------------


def test_user_feed_shows_exactly_the_dialogues_the_user_may_see(client, world):
    for role, expected in {
        "member": {world["dialogue"]},
        "outsider": {world["other_dialogue"]},
        "coordinator": {world["dialogue"], world["other_dialogue"]},
    }.items():
        calendar_feed = CalendarFeedFactory(user=world[role])
        assert set(events(parse(client.get(feed_url(calendar_feed))))) == {uid(d) for d in expected}, role


def test_outsiders_feed_does_not_contain_the_partner_projects_dialogue(client, world):
    calendar_feed = CalendarFeedFactory(user=world["outsider"])
    body = client.get(feed_url(calendar_feed)).content.decode()
    assert uid(world["dialogue"]) not in body
    assert "Dialogseminar om arbeid" not in body


def test_feed_needs_no_login_and_links_back_to_the_dialogue_page(client, world):
    calendar_feed = CalendarFeedFactory(user=world["member"])
    event = events(parse(client.get(feed_url(calendar_feed))))[uid(world["dialogue"])]
    assert str(event["URL"]) == f"http://testserver/dialoger/{world['dialogue'].pk}/"
    assert str(event["URL"]).endswith(world["dialogue"].get_absolute_url())


def test_feed_shows_cancelled_gatherings_as_cancelled(client, world):
    Dialogue.objects.filter(pk=world["dialogue"].pk).update(status=DialogueStatus.CANCELLED)
    calendar_feed = CalendarFeedFactory(user=world["member"])
    event = events(parse(client.get(feed_url(calendar_feed))))[uid(world["dialogue"])]
    assert str(event["STATUS"]) == "CANCELLED"


def test_project_feed_shows_only_that_projects_dialogues(client, world):
    calendar_feed = CalendarFeedFactory(project=world["project"])
    calendar = parse(client.get(feed_url(calendar_feed)))
    assert set(events(calendar)) == {uid(world["dialogue"])}
    assert "Dialog i Partnerby" in str(calendar["X-WR-CALNAME"])


def test_project_feed_ends_with_the_project(client):
    project = ProjectFactory()
    calendar_feed = CalendarFeedFactory(project=project)
    url = feed_url(calendar_feed)
    assert client.get(url).status_code == 200
    project.delete()
    assert client.get(url).status_code == 404


def test_feed_shows_the_past_year_and_the_next_two(client, world):
    today = timezone.localdate()
    first, last = (oslo(day.year, day.month, day.day) for day in (add_months(today, -12), add_months(today, 24)))
    hour = datetime.timedelta(hours=1)
    inside = [
        DialogueFactory(project=world["project"], starts_at=first - hour, ends_at=first + hour),  # ends inside
        DialogueFactory(project=world["project"], starts_at=last - hour, ends_at=last + hour),  # starts inside
    ]
    outside = [
        DialogueFactory(project=world["project"], starts_at=first - 2 * hour, ends_at=first),  # over at the start
        DialogueFactory(project=world["project"], starts_at=last, ends_at=last + hour),  # begins at the end
        DialogueFactory(project=world["project"], starts_at=None, ends_at=None),  # date not known
    ]
    calendar_feed = CalendarFeedFactory(project=world["project"])
    uids = set(events(parse(client.get(feed_url(calendar_feed)))))
    assert {uid(d) for d in inside} | {uid(world["dialogue"])} <= uids
    assert not {uid(d) for d in outside} & uids


def test_months_are_counted_to_the_last_day_of_a_shorter_month():
    assert add_months(datetime.date(2025, 3, 31), -1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2024, 2, 29), 24) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2025, 1, 15), -12) == datetime.date(2024, 1, 15)


# --- Conditional requests: a poll that finds nothing new is answered 304, without the gatherings ---------


def first_fetch(client, calendar_feed):
    response = client.get(feed_url(calendar_feed))
    assert response.status_code == 200
    assert response["ETag"] and response["Last-Modified"]
    return response


@pytest.mark.parametrize("header, from_response", [("If-None-Match", "ETag"), ("If-Modified-Since", "Last-Modified")])
def test_unchanged_feed_is_answered_304_without_fetching_its_gatherings(client, world, header, from_response):
    calendar_feed = CalendarFeedFactory(project=world["project"])
    sent = first_fetch(client, calendar_feed)[from_response]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(feed_url(calendar_feed), headers={header: sent})
    assert response.status_code == 304
    assert response.content == b""
    # the feed with its project, and the one aggregate: no list of gatherings (the SAVEPOINT pair besides)
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 2, selects


def test_a_changed_gathering_changes_the_etag(client, world):
    calendar_feed = CalendarFeedFactory(project=world["project"])
    etag = first_fetch(client, calendar_feed)["ETag"]
    dialogue = world["dialogue"]
    dialogue.title = "Nytt navn"
    dialogue.updated_at = timezone.now() + datetime.timedelta(seconds=2)  # a later second than the first fetch
    Dialogue.objects.filter(pk=dialogue.pk).update(title=dialogue.title, updated_at=dialogue.updated_at)
    response = client.get(feed_url(calendar_feed), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Nytt navn" in response.content.decode()
    assert response["ETag"] != etag


def test_a_deleted_gathering_changes_the_etag(client, world):
    calendar_feed = CalendarFeedFactory(project=world["project"])
    DialogueFactory(project=world["project"], title="Blir slettet")
    etag = first_fetch(client, calendar_feed)["ETag"]
    Dialogue.objects.filter(title="Blir slettet").delete()  # gone at once, not even saved
    response = client.get(feed_url(calendar_feed), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Blir slettet" not in response.content.decode()


def test_a_renamed_project_changes_the_project_feeds_etag(client, world):
    calendar_feed = CalendarFeedFactory(project=world["project"])
    etag = first_fetch(client, calendar_feed)["ETag"]
    later = timezone.now() + datetime.timedelta(seconds=2)
    Project.objects.filter(pk=world["project"].pk).update(title="Nytt prosjektnavn", updated_at=later)
    response = client.get(feed_url(calendar_feed), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Nytt prosjektnavn" in response.content.decode()


def test_feed_of_another_day_has_another_etag(world):
    dialogues = Dialogue.objects.filter(project=world["project"])
    today = timezone.localdate()
    assert feed_version(dialogues, today)[0] != feed_version(dialogues, today + datetime.timedelta(days=1))[0]


def test_wrong_token_gets_404(client, world):
    CalendarFeedFactory(user=world["member"])
    assert client.get(reverse("dialogues:feed", args=["not-the-token"])).status_code == 404


def test_feed_of_a_deactivated_user_gets_404(client, world):
    calendar_feed = CalendarFeedFactory(user=world["member"])
    world["member"].is_active = False
    world["member"].save()
    assert client.get(feed_url(calendar_feed)).status_code == 404


def test_after_a_reset_the_old_address_is_gone_and_the_new_one_works(client, world):
    calendar_feed = CalendarFeedFactory(user=world["member"])
    old_url = feed_url(calendar_feed)
    response = as_user(client, world["member"]).post(reverse("dialogues:reset_user_feed"))
    assert response.status_code == 302
    calendar_feed.refresh_from_db()
    client.logout()
    assert client.get(old_url).status_code == 404
    assert uid(world["dialogue"]) in events(parse(client.get(feed_url(calendar_feed))))


def test_after_a_project_reset_the_old_address_is_gone_and_the_new_one_works(client, world):
    calendar_feed = CalendarFeedFactory(project=world["project"])
    old_url = feed_url(calendar_feed)
    as_user(client, world["member"]).post(reverse("dialogues:reset_project_feed", args=[world["project"].slug]))
    calendar_feed.refresh_from_db()
    assert client.get(old_url).status_code == 404
    assert client.get(feed_url(calendar_feed)).status_code == 200


def test_feed_is_read_only(client, world):
    calendar_feed = CalendarFeedFactory(user=world["member"])
    assert client.post(feed_url(calendar_feed)).status_code == 405


# --- The feeds page and the reset buttons --------------------------------------------------------


def test_feeds_page_get_changes_nothing(client, world):
    as_user(client, world["member"])
    response = client.get(reverse("dialogues:feeds"))
    assert response.status_code == 200
    assert CalendarFeed.objects.count() == 0
    assert reverse("dialogues:reset_user_feed") in response.content.decode()  # the "create" button
    calendar_feed = CalendarFeedFactory(user=world["member"])
    client.get(reverse("dialogues:feeds"))
    assert CalendarFeed.objects.get().token == calendar_feed.token


def test_feeds_page_shows_the_addresses_of_the_user_and_of_the_projects_they_plan_in(client, world):
    mine = CalendarFeedFactory(user=world["member"])
    partner = CalendarFeedFactory(project=world["project"])
    elsewhere = CalendarFeedFactory(project=world["other_project"])
    content = as_user(client, world["member"]).get(reverse("dialogues:feeds")).content.decode()
    assert f"http://testserver{feed_url(mine)}" in content
    assert f"http://testserver{feed_url(partner)}" in content
    assert f"webcal://testserver{feed_url(partner)}" in content
    assert elsewhere.token not in content
    assert "Annet prosjekt" not in content


def test_outsider_sees_neither_the_partner_project_nor_its_address(client, world):
    partner = CalendarFeedFactory(project=world["project"])
    content = as_user(client, world["outsider"]).get(reverse("dialogues:feeds")).content.decode()
    assert partner.token not in content
    assert "Dialog i Partnerby" not in content


@pytest.mark.parametrize("role", ["outsider", "member", "coordinator"])
def test_projects_on_the_feeds_page_are_those_the_user_may_plan_in(world, role):
    user = world[role]
    allowed = {p for p in Project.objects.all() if can(user, "dialogues.add_dialogue", p)}
    assert set(plannable_projects(user)) == allowed


def test_first_post_creates_the_users_address(client, world):
    response = as_user(client, world["member"]).post(reverse("dialogues:reset_user_feed"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dialogues:feeds") + "#my-calendar"
    assert CalendarFeed.objects.filter(user=world["member"]).count() == 1
    assert len(list(get_messages(response.wsgi_request))) == 1


def test_reset_gives_the_user_a_new_token_and_keeps_one_feed(client, world):
    calendar_feed = CalendarFeedFactory(user=world["member"])
    old = calendar_feed.token
    as_user(client, world["member"]).post(reverse("dialogues:reset_user_feed"))
    calendar_feed.refresh_from_db()
    assert calendar_feed.token != old
    assert CalendarFeed.objects.filter(user=world["member"]).count() == 1


def test_reset_project_feed_creates_then_resets(client, world):
    url = reverse("dialogues:reset_project_feed", args=[world["project"].slug])
    response = as_user(client, world["member"]).post(url)
    assert response["Location"] == reverse("dialogues:feeds") + "#project-dialog-i-partnerby"
    first = CalendarFeed.objects.get(project=world["project"]).token
    client.post(url)
    assert CalendarFeed.objects.get(project=world["project"]).token != first


def test_outsider_cannot_reset_the_partner_projects_feed(client, world):
    calendar_feed = CalendarFeedFactory(project=world["project"])
    response = as_user(client, world["outsider"]).post(
        reverse("dialogues:reset_project_feed", args=[world["project"].slug])
    )
    assert response.status_code == 404
    assert CalendarFeed.objects.get(pk=calendar_feed.pk).token == calendar_feed.token


@pytest.mark.parametrize("name", ["reset_user_feed", "reset_project_feed"])
def test_reset_is_post_only(client, world, name):
    args = [world["project"].slug] if name == "reset_project_feed" else []
    response = as_user(client, world["member"]).get(reverse(f"dialogues:{name}", args=args))
    assert response.status_code == 405
    assert CalendarFeed.objects.count() == 0


# --- One-off download ----------------------------------------------------------------------------


def test_dialogue_ics_is_an_attachment_with_one_event(client, world):
    response = as_user(client, world["member"]).get(reverse("dialogues:dialogue_ics", args=[world["dialogue"].pk]))
    calendar = parse(response)
    assert set(events(calendar)) == {uid(world["dialogue"])}
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"dialogseminar-om-arbeid-{world['dialogue'].pk}.ics" in disposition


def test_dialogue_ics_filename_is_safe(client, world):
    dialogue = DialogueFactory(project=world["project"], title='Læring "på" tvers/../\r\nX-Evil: 1')
    response = as_user(client, world["member"]).get(reverse("dialogues:dialogue_ics", args=[dialogue.pk]))
    disposition = response["Content-Disposition"]
    assert "/" not in disposition.replace("utf-8''", "") and "\n" not in disposition and "X-Evil:" not in disposition
    assert disposition.startswith("attachment;")


# --- Who may do what -----------------------------------------------------------------------------

# Expected status per role. "login" is a redirect to the login page. The feeds page is personal:
# an outsider gets it too, without the partner project (see the tests above).
MATRIX = {
    "feeds": {"anonymous": "login", "outsider": 200, "member": 200, "coordinator": 200},
    "reset_user_feed": {"anonymous": "login", "outsider": 302, "member": 302, "coordinator": 302},
    "reset_project_feed": {"anonymous": "login", "outsider": 404, "member": 302, "coordinator": 302},
    "dialogue_ics": {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200},
}


def request_for(client, world, name):
    return {
        "feeds": lambda: client.get(reverse("dialogues:feeds")),
        "reset_user_feed": lambda: client.post(reverse("dialogues:reset_user_feed")),
        "reset_project_feed": lambda: client.post(
            reverse("dialogues:reset_project_feed", args=[world["project"].slug])
        ),
        "dialogue_ics": lambda: client.get(reverse("dialogues:dialogue_ics", args=[world["dialogue"].pk])),
    }[name]()


@pytest.mark.parametrize("name, role", [(name, role) for name, roles in MATRIX.items() for role in roles])
def test_permission_matrix(client, world, name, role):
    response = request_for(as_user(client, None if role == "anonymous" else world[role]), world, name)
    expected = MATRIX[name][role]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert CalendarFeed.objects.count() == 0
    else:
        assert response.status_code == expected


def test_anonymous_reaches_a_feed_by_its_token_alone(client, world):
    calendar_feed = CalendarFeedFactory(project=world["project"])
    assert client.get(feed_url(calendar_feed)).status_code == 200


def test_a_feed_holds_the_gatherings_nearest_today_up_to_its_cap(client, monkeypatch):
    monkeypatch.setattr(calendar_views, "FEED_MAX_EVENTS", 3)
    project = ProjectFactory()
    calendar_feed = CalendarFeedFactory(project=project)
    now = timezone.now()

    def gathering(days):
        starts_at = now + datetime.timedelta(days=days)
        return DialogueFactory(project=project, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2))

    past = [gathering(-days) for days in (30, 20, 10)]
    soon = gathering(5)
    assert set(events(parse(client.get(feed_url(calendar_feed))))) == {uid(soon), uid(past[2]), uid(past[1])}
    later = [gathering(days) for days in (40, 50, 60)]
    assert set(events(parse(client.get(feed_url(calendar_feed))))) == {uid(soon), uid(later[0]), uid(later[1])}


# --- Query budgets: pinned, the same for 1 dialogue as for 30 (tests/test_query_budgets.py) --------


def make_dialogues(project, n, **kwargs):
    municipality = MunicipalityFactory()
    for _ in range(n):
        DialogueFactory(project=project, municipality=municipality, venue="Biblioteket", **kwargs)


def test_user_feed_query_count_does_not_grow(client):
    partner = OrganisationFactory()
    project = ProjectFactory()
    PartnershipFactory(project=project, organisation=partner)
    calendar_feed = CalendarFeedFactory(user=member_of(partner))
    assert_budget(
        client, feed_url(calendar_feed), lambda n: make_dialogues(project, n), 8
    )  # +1: the past ones after the upcoming (FEED_MAX_EVENTS)


def test_project_feed_query_count_does_not_grow(client):
    project = ProjectFactory()
    calendar_feed = CalendarFeedFactory(project=project)

    def build(n):
        make_dialogues(project, n, time_precision=TimePrecision.SEASON)

    assert_budget(client, feed_url(calendar_feed), build, 6)


def test_feeds_page_query_count_does_not_grow(client):
    coordinator = CoordinatorFactory()
    CalendarFeedFactory(user=coordinator)

    def build(n):
        for _ in range(n):
            CalendarFeedFactory(project=ProjectFactory())
            ProjectFactory()  # one without an address, too

    assert_budget(client, reverse("dialogues:feeds"), build, 9, user=coordinator)


def test_feeds_page_lists_the_project_calendars_in_pages(client):
    coordinator = CoordinatorFactory()
    titles = [f"Prosjekt {i:02}" for i in range(PAGE_SIZE + 2)]
    for title in titles:
        ProjectFactory(title=title)
    client.force_login(coordinator)
    first = client.get(reverse("dialogues:feeds")).content.decode()
    assert titles[PAGE_SIZE - 1] in first and titles[PAGE_SIZE] not in first
    assert "?side=2" in first
    second = client.get(reverse("dialogues:feeds"), {"side": 2}).content.decode()
    assert titles[PAGE_SIZE] in second and titles[PAGE_SIZE + 1] in second and titles[0] not in second
