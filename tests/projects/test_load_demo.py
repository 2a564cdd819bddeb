"""load_demo loads what the report states, and loading twice changes nothing."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from dialogues.models import Dialogue, Series
from participants.models import Participant, Perspective
from projects.models import (
    Grant,
    Indicator,
    Measurement,
    Municipality,
    Organisation,
    Partnership,
    Project,
    SystemChangeAdoption,
)
from projects.rules import is_coordinator

pytestmark = pytest.mark.django_db


def load():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (
            Municipality,
            Organisation,
            Project,
            Partnership,
            Dialogue,
            Participant,
            Indicator,
            Measurement,
            SystemChangeAdoption,
            Grant,
            Series,
        )
    } | {
        "updated": sorted(Project.objects.values_list("updated_at", flat=True)),
        "gatherings": sorted(Dialogue.objects.values_list("pk", "starts_at", "ends_at", "version", "series")),
    }


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the tests that only read it, in a transaction rolled back after the last of them.

    Each test's own transaction (the db fixture) is a savepoint inside it, so what a test writes is undone after
    that test. Class-scoped, not module-scoped: the tests below that load the demo themselves run on an empty
    database, wherever the order puts them."""
    with django_db_blocker.unblock(), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo")
class TestTheLoadedDemo:
    def test_loads_the_reports_projects_partners_and_municipalities(self):
        assert Project.objects.count() >= 20
        assert Organisation.objects.count() >= 25
        for name in ["Horten", "Vestnes", "Larvik", "Drammen", "Risør", "Gjerdrum", "Notodden", "Skien", "Oslo"]:
            assert Municipality.objects.filter(name=name).exists(), name
        assert Municipality.objects.get(name="Oslo").districts.filter(name="Grünerløkka").exists()

    def test_larvik_tenk_om_conference_on_8_march_2011(self):
        conference = (
            Dialogue.objects.filter(kind="conference", municipality__name="Larvik").order_by("starts_at").first()
        )
        assert conference is not None
        assert conference.starts_at.astimezone(datetime.timezone(datetime.timedelta(hours=1))).date() == datetime.date(
            2011, 3, 8
        )
        assert conference.time_precision == "day"

    def test_the_voice_counts_equal_the_rows(self):
        from dialogues.voice_counts import recount_all

        assert Dialogue.objects.filter(named_lived_experience__gt=0).exists()  # the demo has counted attendance
        assert recount_all() == 0  # none differs from a full recount

    def test_pa_vei_til_egen_bolig_is_in_skien(self):
        project = Project.objects.get(report_section="5.13")
        assert [m.name for m in project.municipalities.all()] == ["Skien"]

    def test_vestnes_project_is_from_2011(self):
        project = Project.objects.get(report_section="5.2")
        assert project.municipalities.filter(name="Vestnes").exists()
        assert project.start_date.year == 2011

    def test_hortensia_runs_2008_to_2011_in_horten(self):
        project = Project.objects.get(report_section="5.6")
        assert project.municipalities.filter(name="Horten").exists()
        assert (project.start_date.year, project.end_date.year) == (2008, 2011)

    def test_demo_accounts_exist_for_every_role(self):
        User = get_user_model()
        assert User.objects.get(username="admin").is_superuser
        assert is_coordinator(User.objects.get(username="koordinator"))
        assert Participant.objects.get(user__username="nav-ansatt").perspective == Perspective.STAFF
        assert Participant.objects.get(user__username="deltaker").perspective == Perspective.LIVED_EXPERIENCE

    def test_report_learning_results_and_system_changes_are_loaded(self):
        from projects.models import LearningEntry, Result, SystemChange

        skien = Project.objects.get(report_section="5.13")
        assert Result.objects.filter(project=skien, value=13, description__contains="13 av 14").exists()
        larvik = SystemChange.objects.get(date=datetime.date(2010, 12, 15))
        assert (larvik.level, larvik.project.report_section) == ("framework", "5.3")
        assert [a.organisation.name for a in larvik.adoptions.all()] == ["Larvik kommune"]
        assert SystemChange.objects.filter(
            project__report_section="5.1", description__icontains="fast stilling som næringslivskoordinator"
        ).exists()
        assert set(LearningEntry.objects.values_list("kind", flat=True)) == {"done", "learned", "wise"}
        assert LearningEntry.objects.filter(author__isnull=False).count() == 0  # the report, not a user, wrote them

    def test_notodden_has_all_its_partners_and_two_bodies_continued_the_work(self):
        """Report 5.9: NAV, Oppveksttjenesten, grunnskole, videregående opplæring, Røde Kors and pleie og omsorg;
        "videreført av Notodden kommune og NAV Notodden", one change with two organisations continuing it."""
        project = Project.objects.get(report_section="5.9")
        names = set(project.partnerships.values_list("organisation__name", flat=True))
        assert {"Grunnskolen, Notodden kommune", "Videregående opplæring, Notodden"} <= names
        change = project.system_changes.get()
        assert sorted(change.adoptions.values_list("organisation__name", "role")) == [
            ("NAV Notodden", "continued"),
            ("Notodden kommune", "continued"),
        ]

    def test_the_close_reading_corrections_are_in_the_demo(self):
        """What a close reading of the report found (issue 12), each against the section that says it."""
        norsombro = Project.objects.get(report_section="5.21")
        assert norsombro.partnerships.get(organisation__name="KREM").role == "coordinator"  # "koordineringsansvar"
        conference = Dialogue.objects.get(title="Tenk Om-konferansen i Larvik")
        assert conference.project.report_section == "5.14"  # 5.3 does not tie it to Innovasjon i velferdsstaten
        assert set(Project.objects.filter(report_section="4.3").values_list("slug", flat=True)) >= {
            "tst-skien",
            "interessepolitisk-arbeid",
        }
        assert "HENNE" in Organisation.objects.get(name="KREM").notes
        velferdsalliansen = Organisation.objects.get(name="Velferdsalliansen")
        assert not velferdsalliansen.partnerships.filter(project__status="active").exists()  # member "until recently"
        grunerlokka = Project.objects.get(report_section="5.1")
        assert not SystemChangeAdoption.objects.filter(change__project=grunerlokka).exists()  # "en bydel i Oslo"
        grant = Grant.objects.get(project__report_section="5.6")
        assert (grant.funder.name, grant.status, grant.amount) == ("Arbeids- og velferdsdirektoratet", "granted", None)


@pytest.mark.usefixtures("demo")
class TestTheGatheringsTheReportNames:
    """Gatherings the report names without a date, or with a rough one (issue 12, part 5): no date is invented."""

    def test_the_closing_conference_at_horten_kino_has_no_date(self):
        conference = Dialogue.objects.get(title="Avslutningskonferanse i Horten kino")  # 5.7
        assert (conference.project.report_section, conference.kind, conference.venue) == (
            "5.7",
            "conference",
            "Horten kino",
        )
        assert (conference.starts_at, conference.ends_at, conference.municipality.name) == (None, None, "Horten")
        assert not conference.facilitators.exists()  # the report does not say who held it

    @pytest.mark.parametrize("section", ["5.2", "5.10"])
    def test_the_dialogue_seminars_and_learning_labs_the_text_names_are_recorded_without_a_date(self, section):
        gatherings = Dialogue.objects.filter(project__report_section=section)
        assert sorted(gatherings.values_list("kind", flat=True)) == ["dialogue_seminar", "learning_lab"]
        assert all(g.starts_at is None and g.status == "held" for g in gatherings)

    def test_the_tenk_om_series_holds_the_oslo_and_larvik_conferences(self):
        series = Series.objects.get(slug="tenk-om")
        assert series.name == "Tenk Om-konferansene"
        by_place = {d.municipality.name: d for d in series.dialogues.select_related("municipality")}
        assert set(by_place) == {"Oslo", "Larvik"}
        assert by_place["Oslo"].starts_at is None  # "datoen for Oslo-konferansen er ikke oppgitt"
        assert by_place["Larvik"].when_display  # 8 March 2011, known to the day
        assert {d.project.report_section for d in by_place.values()} == {"5.14"}

    def test_hostkonferansen_for_vekstbedriftene_is_autumn_2012_and_planned(self):
        conference = Dialogue.objects.get(title="Høstkonferansen for Vekstbedriftene i Norge")  # 6.4.1, "I høst"
        assert (conference.time_precision, conference.status, conference.project.report_section) == (
            "season",
            "planned",
            "5.14",
        )
        assert conference.series is None and conference.municipality is None
        assert not conference.is_upcoming  # autumn 2012 is over

    def test_the_series_page_shows_both_conferences_to_the_coordinator(self, client):
        client.force_login(get_user_model().objects.get(username="koordinator"))
        page = client.get(reverse("dialogues:series_detail", args=["tenk-om"])).content.decode()
        assert "Tenk Om-konferansen i Oslo" in page and "Tenk Om-konferansen i Larvik" in page


def test_loading_twice_changes_nothing():
    load()
    before = snapshot()
    second = load()
    assert snapshot() == before
    assert "0 rows changed" in second


def test_skien_housing_is_an_indicator_measured_13_of_14_in_2010(client):
    load()
    project = Project.objects.get(report_section="5.13")
    indicator = project.indicators.get()
    assert indicator.catalogue.code == "i-egen-bolig"
    assert (indicator.baseline_value, indicator.target_value) == (None, None)  # the report states neither
    measurement = indicator.measurements.get()
    assert (measurement.value, measurement.denominator) == (13, 14)
    assert (measurement.date, measurement.date_precision, measurement.source) == (
        datetime.date(2010, 1, 1),
        "year",
        "4.3",
    )
    client.force_login(get_user_model().objects.get(username="koordinator"))
    page = client.get(project.get_absolute_url()).content.decode()
    assert "13</span> av 14" in page and "I egen bolig" in page
    totals = client.get(reverse("projects:indicator_totals")).content.decode()
    assert "I egen bolig" in totals and "13</span> av 14" in totals and "Skien" in totals


def test_passwords_are_not_printed_without_debug(settings):
    settings.DEBUG = False
    assert "demo-" not in load()


def test_passwords_are_printed_with_debug(settings):
    settings.DEBUG = True
    assert "demo-koordinator-2012" in load()
