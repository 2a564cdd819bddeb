"""load_demo loads what the report states, and loading twice changes nothing."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from dialogues.models import Dialogue
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
        )
    } | {"updated": sorted(Project.objects.values_list("updated_at", flat=True))}


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
