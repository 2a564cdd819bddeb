"""Gatherings known only to the day, month, season or year, or not at all, and series of gatherings (issue 12, part 4).

A gathering's date behaves as a project's approximate dates do (kremlib.dates): stored as its whole period, never
shown more precisely than it is known, in pages, lists, sorting, filters and calendar feeds."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from dialogues import services
from dialogues.models import Dialogue, DialogueStatus, FollowUpAction, Outcome, Series, TimePrecision
from kremlib.dates import normalise, period_end
from projects.models import Project
from tests.factories import (
    AttendanceFactory,
    CalendarFeedFactory,
    CoordinatorFactory,
    DialogueFactory,
    HeldDialogueFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
THIS_YEAR = timezone.localdate().year


def oslo(year, month, day, hour=0):
    return datetime.datetime(year, month, day, hour, tzinfo=OSLO)


@pytest.fixture
def world():
    partner = OrganisationFactory(name="NAV Grovby")
    project = ProjectFactory(title="Grovby", slug="grovby")
    PartnershipFactory(project=project, organisation=partner)
    other = OrganisationFactory(name="Annen etat")
    other_project = ProjectFactory(title="Annet", slug="annet")
    PartnershipFactory(project=other_project, organisation=other)
    return {
        "project": project,
        "other_project": other_project,
        "member": member_of(partner, username="medlem-grov"),
        "outsider": member_of(other, username="utenfor-grov"),
        "coordinator": CoordinatorFactory(username="koord-grov"),
    }


def rough(precision, *day, **kwargs):
    """A gathering known to `precision`, given any day inside its period (as the form asks for)."""
    start = oslo(*day, 14)
    return DialogueFactory(starts_at=start, ends_at=None, time_precision=precision, **kwargs)


def unknown(**kwargs):
    return DialogueFactory(starts_at=None, ends_at=None, **kwargs)


def post_form(world, **overrides):
    data = {
        "kind": "conference",
        "title": "Konferanse i Grovby",
        "starts_at": "",
        "ends_at": "",
        "time_precision": "exact",
        "series": "",
        "venue": "",
        "municipality": "",
        "agenda-TOTAL_FORMS": "0",
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


# The model: the same periods as a project's dates


@pytest.mark.parametrize(
    "precision, day",
    [
        (TimePrecision.DAY, (2011, 3, 8)),
        (TimePrecision.MONTH, (2010, 9, 17)),
        (TimePrecision.SEASON, (2012, 10, 20)),
        (TimePrecision.SEASON, (2011, 1, 15)),  # winter starts in December of the year before
        (TimePrecision.YEAR, (2011, 6, 30)),
    ],
)
def test_a_rough_gathering_spans_the_same_period_as_a_project_date_of_that_precision(precision, day):
    dialogue = rough(precision, *day)
    project = Project(title="p", slug="p", start_date=datetime.date(*day), start_precision=precision)
    project.end_date, project.end_precision = datetime.date(*day), precision
    project.clean()  # the project's own rule: a start is the first day of its period, an end the last
    assert timezone.localdate(dialogue.starts_at) == project.start_date == normalise(datetime.date(*day), precision)
    last_day = timezone.localdate(dialogue.ends_at - datetime.timedelta(microseconds=1))
    assert last_day == project.end_date == period_end(datetime.date(*day), precision)
    assert timezone.localtime(dialogue.starts_at).hour == 0 and timezone.localtime(dialogue.ends_at).hour == 0


def test_a_gathering_known_to_the_year_is_shown_as_the_year_only():
    dialogue = rough(TimePrecision.YEAR, 2011, 6, 30)
    assert dialogue.when_display == "2011"
    with translation.override("nb"):
        assert rough(TimePrecision.SEASON, 2012, 10, 1).when_display == "høsten 2012"


def test_a_gathering_whose_date_is_not_known_has_neither_start_nor_end():
    dialogue = unknown()
    assert (dialogue.starts_at, dialogue.ends_at, dialogue.date_known) == (None, None, False)
    with translation.override("nb"):
        assert dialogue.when_display == "Dato ikke kjent"
    assert not Dialogue.objects.get(pk=dialogue.pk).date_known


def test_an_exact_time_is_kept_as_it_is():
    dialogue = DialogueFactory(starts_at=oslo(2030, 3, 8, 9), ends_at=oslo(2030, 3, 8, 15))
    assert (dialogue.starts_at, dialogue.ends_at) == (oslo(2030, 3, 8, 9), oslo(2030, 3, 8, 15))


@pytest.mark.parametrize(
    "starts_at, ends_at, precision, field, code",
    [
        (None, oslo(2011, 1, 1), TimePrecision.YEAR, "starts_at", "end_without_start"),
        (oslo(2011, 1, 1, 9), None, TimePrecision.EXACT, "ends_at", "start_without_end"),
        (oslo(2011, 5, 1), oslo(2011, 4, 1), TimePrecision.DAY, "ends_at", "end_before_start"),
        (oslo(2011, 5, 1, 9), oslo(2011, 5, 1, 8), TimePrecision.EXACT, "ends_at", "end_before_start"),
    ],
)
def test_a_start_and_end_that_do_not_fit_are_refused_with_a_message(starts_at, ends_at, precision, field, code):
    dialogue = Dialogue(
        project=ProjectFactory(), title="t", starts_at=starts_at, ends_at=ends_at, time_precision=precision
    )
    with pytest.raises(ValidationError) as refused:
        dialogue.full_clean()
    assert [error.code for error in refused.value.error_dict[field]] == [code]


def test_the_database_refuses_a_start_without_an_end():
    dialogue = unknown()
    with pytest.raises(IntegrityError), transaction.atomic():
        Dialogue.objects.filter(pk=dialogue.pk).update(starts_at=oslo(2011, 1, 1))


# The planning form


def test_a_member_plans_a_gathering_known_only_to_the_season(client, world):
    client.force_login(world["member"])
    response = client.post(
        reverse("dialogues:dialogue_create", args=["grovby"]),
        post_form(world, starts_at="2012-10-15T00:00", time_precision="season"),
    )
    dialogue = Dialogue.objects.get(title="Konferanse i Grovby")
    assert response.status_code == 302
    assert (dialogue.starts_at, dialogue.ends_at) == (oslo(2012, 9, 1), oslo(2012, 12, 1))
    assert dialogue.time_precision == TimePrecision.SEASON


def test_a_member_plans_a_gathering_whose_date_is_not_known(client, world):
    client.force_login(world["member"])
    response = client.post(reverse("dialogues:dialogue_create", args=["grovby"]), post_form(world))
    dialogue = Dialogue.objects.get(title="Konferanse i Grovby")
    assert response.status_code == 302 and not dialogue.date_known


def test_an_end_without_a_start_is_refused_in_norwegian_and_saves_nothing(client, world):
    client.force_login(world["member"])
    response = client.post(
        reverse("dialogues:dialogue_create", args=["grovby"]), post_form(world, ends_at="2012-10-15T00:00")
    )
    assert response.status_code == 200 and not Dialogue.objects.filter(title="Konferanse i Grovby").exists()
    assert "Oppgi starten også, eller la begge stå tomme når datoen ikke er kjent." in response.content.decode()


def test_the_form_puts_a_gathering_in_a_series(client, world):
    series = Series.objects.create(name="Tenk Om-konferansene", slug="tenk-om")
    client.force_login(world["member"])
    client.post(
        reverse("dialogues:dialogue_create", args=["grovby"]),
        post_form(world, starts_at="2011-03-08T00:00", time_precision="day", series=str(series.pk)),
    )
    assert Dialogue.objects.get(title="Konferanse i Grovby").series == series


# Lists, sorting and filters


def test_the_list_shows_rough_dates_as_known_and_unknown_dates_last(client, world):
    project = world["project"]
    exact = HeldDialogueFactory(project=project, title="Eksakt", starts_at=oslo(2011, 6, 1, 9))
    year = rough(TimePrecision.YEAR, 2011, 6, 30, project=project, title="Året", status=DialogueStatus.HELD)
    never = unknown(project=project, title="Ukjent", status=DialogueStatus.HELD)
    planned = unknown(project=project, title="Planlagt uten dato")
    client.force_login(world["member"])
    with translation.override("nb"):
        response = client.get(reverse("dialogues:dialogue_list"))
    assert list(response.context["page"].object_list) == [exact, year, never]
    assert list(response.context["upcoming"]) == [planned]  # planned, and not known to be over
    html = response.content.decode()
    assert "Dato ikke kjent" in html
    assert "1. januar 2011" not in html  # the year, never the first day it is stored as


def test_a_date_filter_finds_a_gathering_in_any_part_of_its_period_and_never_an_unknown_one(client, world):
    project = world["project"]
    year = rough(TimePrecision.YEAR, 2011, 1, 1, project=project, status=DialogueStatus.HELD)
    unknown(project=project, status=DialogueStatus.HELD)
    client.force_login(world["member"])

    def found(**dates):
        return list(client.get(reverse("dialogues:dialogue_list"), dates).context["page"].object_list)

    assert found(date_from="2011-06-01", date_to="2011-06-30") == [year]
    assert found(date_from="2012-01-01") == [] and found(date_to="2010-12-31") == []
    assert len(found()) == 2


def test_the_project_timeline_puts_a_gathering_of_unknown_date_last(client, world):
    project = world["project"]
    never = unknown(project=project, title="Ukjent")
    first = rough(TimePrecision.YEAR, 2009, 1, 1, project=project, title="Først")
    client.force_login(world["member"])
    response = client.get(project.get_absolute_url())
    assert list(response.context["dialogues"]) == [first, never]


def test_the_municipality_counts_held_gatherings_of_unknown_date_apart(client, world):
    municipality = MunicipalityFactory(name="Grovkommune", number="4990")
    unknown(project=world["project"], municipality=municipality, status=DialogueStatus.HELD)
    rough(TimePrecision.YEAR, 2011, 1, 1, project=world["project"], municipality=municipality, status="held")
    client.force_login(world["coordinator"])
    with translation.override("nb"):
        response = client.get(municipality.get_absolute_url())
    rows = [(row["year"], row["n"]) for row in response.context["held_per_year"]]
    assert sorted(rows, key=str) == [(2011, 1), (None, 1)]
    assert "<td>Dato ikke kjent</td><td>1</td>" in response.content.decode()


# Calendar feeds


def events(response):
    return [c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]


def test_the_feed_has_no_event_for_a_gathering_of_unknown_date_and_a_whole_year_for_one_known_to_the_year(client):
    project = ProjectFactory()
    feed = CalendarFeedFactory(project=project)
    year = rough(TimePrecision.YEAR, THIS_YEAR, 5, 5, project=project, title="Året")
    unknown(project=project, title="Ukjent")
    (event,) = events(client.get(reverse("dialogues:feed", args=[feed.token])))
    assert str(event["SUMMARY"]) == year.title
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (
        datetime.date(THIS_YEAR, 1, 1),
        datetime.date(THIS_YEAR + 1, 1, 1),
    )


def test_a_gathering_of_unknown_date_offers_no_calendar_download(client, world):
    dialogue = unknown(project=world["project"])
    client.force_login(world["member"])
    page = client.get(dialogue.get_absolute_url()).content.decode()
    assert reverse("dialogues:dialogue_ics", args=[dialogue.pk]) not in page
    assert client.get(reverse("dialogues:dialogue_ics", args=[dialogue.pk])).status_code == 404
    known = rough(TimePrecision.MONTH, 2010, 9, 1, project=world["project"])
    assert reverse("dialogues:dialogue_ics", args=[known.pk]) in client.get(known.get_absolute_url()).content.decode()


# The rules that depend on the date


def test_an_outcome_can_be_registered_for_a_gathering_known_only_to_a_year_that_has_begun():
    """The outcome starts, as filled in, when the known period starts: this year has begun, next year has not."""
    this_year = rough(TimePrecision.YEAR, THIS_YEAR, 1, 1, status=DialogueStatus.HELD)
    Outcome(dialogue=this_year, actual_start=this_year.starts_at, actual_end=this_year.ends_at).full_clean()
    next_year = rough(TimePrecision.YEAR, THIS_YEAR + 1, 1, 1)
    with pytest.raises(ValidationError) as refused:
        Outcome(dialogue=next_year, actual_start=next_year.starts_at, actual_end=next_year.ends_at).full_clean()
    with translation.override("en"):
        assert refused.value.message_dict["actual_start"] == ["A dialogue cannot have been held in the future."]


def test_the_outcome_form_of_a_gathering_of_unknown_date_asks_for_the_time_it_was_held(client, world):
    dialogue = unknown(project=world["project"], status=DialogueStatus.HELD)
    client.force_login(world["member"])
    response = client.get(reverse("dialogues:outcome_edit", args=[dialogue.pk]))
    assert response.status_code == 200
    assert response.context["form"]["actual_start"].value() is None


def test_a_follow_up_action_of_a_gathering_of_unknown_date_may_have_any_due_date():
    action = FollowUpAction(dialogue=unknown(), what="Ring NAV", due_date=datetime.date(2001, 1, 1))
    action.full_clean()


def test_a_duplicate_of_a_rough_gathering_spans_the_period_of_its_new_start():
    original = rough(TimePrecision.SEASON, 2011, 10, 1)
    copy = services.duplicate_dialogue(dialogue=original, starts_at=oslo(2012, 4, 15, 9))
    assert (copy.starts_at, copy.ends_at, copy.time_precision) == (oslo(2012, 3, 1), oslo(2012, 6, 1), "season")


def test_a_duplicate_of_a_gathering_of_unknown_date_is_known_to_the_day_chosen():
    copy = services.duplicate_dialogue(dialogue=unknown(), starts_at=oslo(2030, 4, 15, 9))
    assert (copy.starts_at, copy.ends_at, copy.time_precision) == (oslo(2030, 4, 15), oslo(2030, 4, 16), "day")


def test_voice_balance_counts_a_gathering_of_unknown_date():
    dialogue = unknown(status=DialogueStatus.HELD)
    AttendanceFactory(dialogue=dialogue, participant=ParticipantFactory(), perspective="staff")
    balance = services.voice_balance(Dialogue.objects.filter(pk=dialogue.pk))
    assert balance.attendance_total == 1


# Series


@pytest.fixture
def series(world):
    series = Series.objects.create(name="Tenk Om-konferansene", slug="tenk-om", description="KREMs egne konferanser.")
    mine = rough(TimePrecision.DAY, 2011, 3, 8, project=world["project"], title="Tenk Om Larvik", series=series)
    theirs = unknown(project=world["other_project"], title="Tenk Om Oslo", series=series)
    DialogueFactory(project=world["project"], title="Slettet Tenk Om", series=series, deleted_at=timezone.now())
    return {"series": series, "mine": mine, "theirs": theirs}


def test_the_series_page_lists_the_gatherings_one_may_see_and_counts_the_rest(client, world, series):
    client.force_login(world["member"])
    with translation.override("nb"):
        response = client.get(series["series"].get_absolute_url())
    html = response.content.decode()
    assert list(response.context["page"].object_list) == [series["mine"]]
    assert response.context["hidden"] == 1  # the other project's; the deleted one is not counted at all
    assert "Tenk Om Larvik" in html and "Tenk Om Oslo" not in html and "Slettet" not in html
    assert "1 samling til i denne serien hører til et prosjekt du ikke deltar i." in html


def test_an_outsider_sees_the_series_but_none_of_its_gatherings_by_name(client, world, series):
    client.force_login(UserFactory())
    response = client.get(series["series"].get_absolute_url())
    assert response.status_code == 200 and response.context["hidden"] == 2
    assert "Tenk Om Larvik" not in response.content.decode()


def test_a_coordinator_sees_every_gathering_of_the_series_unknown_dates_last(client, world, series):
    client.force_login(world["coordinator"])
    response = client.get(series["series"].get_absolute_url())
    assert list(response.context["page"].object_list) == [series["mine"], series["theirs"]]
    assert response.context["hidden"] == 0


def test_the_series_page_is_paginated(client, world):
    series = Series.objects.create(name="Lang serie", slug="lang")
    for _ in range(27):
        DialogueFactory(project=world["project"], series=series)
    client.force_login(world["member"])
    first = client.get(series.get_absolute_url())
    last = client.get(series.get_absolute_url(), {"side": "2"})
    assert len(first.context["page"].object_list) == 25 and len(last.context["page"].object_list) == 2


def test_an_unknown_series_is_not_found_and_a_get_changes_nothing(client, world, series):
    client.force_login(world["member"])
    assert client.get(reverse("dialogues:series_detail", args=["finnes-ikke"])).status_code == 404
    before = list(Dialogue.objects.values_list("pk", "series", "version"))
    client.get(series["series"].get_absolute_url())
    assert list(Dialogue.objects.values_list("pk", "series", "version")) == before


def test_the_gathering_page_links_to_its_series(client, world, series):
    client.force_login(world["member"])
    html = client.get(series["mine"].get_absolute_url()).content.decode()
    assert f'href="{series["series"].get_absolute_url()}"' in html


def test_a_series_with_gatherings_cannot_be_deleted(series):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        series["series"].delete()


def test_the_admin_lists_and_adds_series(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:dialogues_series_changelist")).status_code == 200
    response = client.post(reverse("admin:dialogues_series_add"), {"name": "Høstkonferanser", "slug": "host"})
    assert response.status_code == 302 and Series.objects.filter(slug="host").exists()


def test_min_side_shows_a_gathering_attended_as_well_as_its_date_is_known(client):
    user = UserFactory()
    person = ParticipantFactory(user=user)
    AttendanceFactory(dialogue=rough(TimePrecision.YEAR, 2011, 5, 1, title="Året", status="held"), participant=person)
    AttendanceFactory(dialogue=unknown(title="Ukjent", status="held"), participant=person)
    client.force_login(user)
    with translation.override("nb"):
        html = client.get(reverse("participants:my_page")).content.decode()
    assert '<span class="meta">2011</span>' in html and '<span class="meta">Dato ikke kjent</span>' in html
    assert "01.01.2011" not in html
    data = client.get(reverse("participants:my_data")).content.decode()
    assert "Tidspunkt kjent til" in data and "<td>År</td>" in data  # how well each gathering's time is known
