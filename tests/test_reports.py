"""Reports (issue 11, part 5): the project report and the portfolio report, as pages and as PDF.

The PDFs are read back with pypdf: their text, and their outline (WeasyPrint makes a bookmark of every heading),
which is where a chapter is counted."""

import io
import re
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from krem.reports.pdf import _fetcher_class, static_path
from projects.models import Indicator, LearningEntry, Measurement, Project
from tests.factories import (
    ConsentFactory,
    CoordinatorFactory,
    HeldDialogueFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

# A learning entry the report states (report 6.4.1, in krem/demo/report.yaml), kind "wise" (Lurt).
KNOWN_ENTRY = (
    "Skalering av ideer, holdninger og praksis i bredden er målet – ikke etablering av flere KREM-kontorer. "
    "Nøkkelen til innovasjon i offentlig sektor ligger hos brukeren."
)


FIGURES = "Porteføljen i tall"  # the summary's heading, the one bookmark at depth 1 that is not a chapter


def pdf_of(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def words(text):
    return re.sub(r"\s+", " ", text).strip()


def text_of(reader):
    """The text of every page, with line breaks (and the hyphens WeasyPrint may break words with) joined up."""
    return words(" ".join(page.extract_text() for page in reader.pages))


def outline_titles(reader):
    """The bookmarks of the PDF, flattened, each with its depth: [(depth, title)]."""

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, words(item.title)

    return list(walk(reader.outline, 0))


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    client.force_login(user)
    return client


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo data loaded as load_demo loads it, once for the class, rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo")
class TestTheDemoPortfolio:
    def test_the_portfolio_pdf_has_one_chapter_per_project_and_the_known_entry(self, settings):
        projects = list(Project.objects.alive())
        assert len(projects) > 30  # the issue counted 31; the demo holds 33 (sections 3.1 to 6.4)
        assert len(projects) <= settings.KREM_REPORT_MAX_CHAPTERS  # the whole demo is one part
        coordinator = CoordinatorFactory()
        started = time.perf_counter()
        response = client_for(coordinator).get(reverse("reports:portfolio_report_pdf"))
        seconds = time.perf_counter() - started
        reader = pdf_of(response)
        chapters = [title for depth, title in outline_titles(reader) if depth == 1 and title != FIGURES]
        expected = [words(f"{p.report_section} {p.title}" if p.report_section else p.title) for p in projects]
        assert sorted(chapters) == sorted(expected)
        assert len(chapters) == len(projects)
        text = text_of(reader)
        assert words(KNOWN_ENTRY) in text.replace("- ", "-")
        # The measurement for the notes (docs: /work/notes/11-reports.md); not a timing test.
        print(f"\ndemo portfolio PDF: {len(reader.pages)} pages, {len(response.content)} bytes, {seconds:.2f} s")

    def test_the_chapters_come_in_the_reports_order(self):
        response = client_for(CoordinatorFactory()).get(reverse("reports:portfolio_report"))
        html = response.content.decode()
        sections = re.findall(r'<h2 class="ds-heading" data-size="md" id="p\d+-title">(\d+(?:\.\d+)*) ', html)
        numbers = [[int(n) for n in section.split(".")] for section in sections]
        assert numbers == sorted(numbers)
        assert ["5", "2"] in [s.split(".") for s in sections] and ["5", "10"] in [s.split(".") for s in sections]

    def test_the_summary_counts_the_demo(self):
        response = client_for(CoordinatorFactory()).get(reverse("reports:portfolio_report"))
        summary = response.context["summary"]
        assert summary.projects == Project.objects.alive().count()
        assert summary.system_changes == sum(p.system_changes.count() for p in Project.objects.alive())
        assert summary.results == sum(p.results.count() for p in Project.objects.alive())


def privacy_world():
    """A project whose member reads a learning entry and a measurement by a person who never consented to being
    named, and an entry by one who did."""
    partner = OrganisationFactory(name="NAV Rapportby")
    project = ProjectFactory(title="Rapportprosjekt", slug="rapport")
    PartnershipFactory(project=project, organisation=partner)
    hidden = member_of(OrganisationFactory(), username="zqxskjult", first_name="Zqxskjult", last_name="Person")
    hidden.participant.display_name = "Zqxskjult Deltaker"
    hidden.participant.save()
    named = member_of(OrganisationFactory(), username="navngitt-login")
    named.participant.display_name = "Navngitt Deltaker"
    named.participant.save()
    ConsentFactory(participant=named.participant, purpose="attendance")
    LearningEntry.objects.create(project=project, kind="learned", text="Vi lærte av det skjulte.", author=hidden)
    LearningEntry.objects.create(project=project, kind="done", text="Vi gjorde det sammen.", author=named)
    indicator = Indicator.objects.create(project=project, name="I egen bolig", unit="deltakere")
    Measurement.objects.create(
        indicator=indicator, value=13, denominator=14, date=project.start_date, recorded_by=hidden
    )
    HeldDialogueFactory(project=project, title="Dialogseminar i Rapportby")
    return {"project": project, "member": member_of(partner, username="medlem-rapport")}


def test_a_members_project_report_pdf_names_no_unconsented_person():
    world = privacy_world()
    url = reverse("reports:project_report_pdf", args=[world["project"].slug])
    text = text_of(pdf_of(client_for(world["member"]).get(url))).lower()
    assert "vi lærte av det skjulte." in text
    assert "zqxskjult" not in text
    assert "navngitt deltaker" in text  # names the member may see are there: the check can fail
    # A coordinator sees every author: the marker is in the same report for them.
    assert "zqxskjult" in text_of(pdf_of(client_for(CoordinatorFactory()).get(url))).lower()


def test_the_project_report_has_the_page_sections_without_its_tools():
    world = privacy_world()
    response = client_for(CoordinatorFactory()).get(reverse("reports:project_report", args=[world["project"].slug]))
    html = response.content.decode()
    for heading in ("Partnere", "Samlinger", "Stemmebalanse", "Læringslogg", "Gjort", "Lært", "Lurt", "Resultater"):
        assert heading in html, heading
    assert "Dialogseminar i Rapportby" in html
    assert 'media="print"' in html and "css/print.css" in html
    project = world["project"]
    for tool in ("projects:project_edit", "projects:project_delete"):
        assert reverse(tool, args=[project.slug]) not in html
    assert reverse("projects:entry_create", args=[project.slug, "laering"]) not in html
    assert "/endre/" not in html  # no edit link on any entry


def test_a_member_sees_only_their_own_projects_in_the_portfolio():
    world = privacy_world()
    ProjectFactory(title="Zqxannet prosjekt")  # no partner of the member's
    response = client_for(world["member"]).get(reverse("reports:portfolio_report"))
    html = response.content.decode()
    assert "Rapportprosjekt" in html
    assert "Zqxannet" not in html
    assert response.context["summary"].projects == 1


def test_a_participant_without_projects_gets_an_empty_portfolio():
    response = client_for(UserFactory()).get(reverse("reports:portfolio_report"))
    assert response.status_code == 200
    assert response.context["summary"].projects == 0
    assert "Ingen prosjekter passer til disse valgene." in response.content.decode()


def test_the_portfolio_is_chosen_by_period_municipality_and_partner():
    coordinator = CoordinatorFactory()
    skien, horten = MunicipalityFactory(name="Skien"), MunicipalityFactory(name="Horten")
    partner = OrganisationFactory(name="Partner A")
    early = ProjectFactory(title="Tidlig", start_date="2008-01-01", end_date="2009-12-31", end_precision="year")
    early.municipalities.add(skien)
    late = ProjectFactory(title="Sent", start_date="2011-01-01")
    late.municipalities.add(horten)
    PartnershipFactory(project=late, organisation=partner)
    undated = ProjectFactory(title="Udatert", start_date=None)

    def chosen(**query):
        response = client_for(coordinator).get(reverse("reports:portfolio_report"), query)
        return {chapter.project.title for chapter in response.context["chapters"]}

    assert chosen() == {"Tidlig", "Sent", "Udatert"}
    assert chosen(from_year=2010) == {"Sent"}
    assert chosen(to_year=2009) == {"Tidlig"}
    assert chosen(from_year=2009, to_year=2011) == {"Tidlig", "Sent"}
    assert chosen(municipality=skien.pk) == {"Tidlig"}
    assert chosen(partner=partner.pk) == {"Sent"}
    assert undated.title not in chosen(from_year=1990)


@pytest.mark.parametrize(
    "query, message",
    [
        ({"from_year": 2012, "to_year": 2010}, "Perioden slutter før den begynner"),
        ({"from_year": "tjue"}, "Oppgi et heltall"),
        ({"from_year": 99999}, "2100"),
        ({"municipality": 999999}, "Velg et gyldig valg"),
    ],
)
def test_a_bad_choice_is_said_in_norwegian_and_renders_no_report(query, message):
    client = client_for(CoordinatorFactory())
    response = client.get(reverse("reports:portfolio_report"), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "summary" not in response.context
    pdf = client.get(reverse("reports:portfolio_report_pdf"), query)
    assert pdf.status_code == 400
    assert message in pdf.content.decode()


def test_a_big_portfolio_comes_in_parts_of_at_most_the_cap(settings):
    settings.KREM_REPORT_MAX_CHAPTERS = 2
    coordinator = CoordinatorFactory()
    for section in ("5.1", "5.2", "5.3"):
        ProjectFactory(report_section=section, title=f"Prosjekt {section}")
    client = client_for(coordinator)
    first = client.get(reverse("reports:portfolio_report"))
    assert [c.project.report_section for c in first.context["chapters"]] == ["5.1", "5.2"]
    assert first.context["summary"].projects == 3  # the summary counts them all
    assert "kapittel 1–2 av 3" in first.content.decode()
    second = client.get(reverse("reports:portfolio_report"), {"side": 2})
    assert [c.project.report_section for c in second.context["chapters"]] == ["5.3"]
    reader = pdf_of(client.get(reverse("reports:portfolio_report_pdf"), {"side": 2}))
    assert [t for d, t in outline_titles(reader) if d == 1 and t != FIGURES] == ["5.3 Prosjekt 5.3"]


def test_reports_are_read_only():
    world = privacy_world()
    client = client_for(CoordinatorFactory())
    for url in (
        reverse("reports:project_report", args=[world["project"].slug]),
        reverse("reports:project_report_pdf", args=[world["project"].slug]),
        reverse("reports:portfolio_report"),
        reverse("reports:portfolio_report_pdf"),
    ):
        assert client.post(url).status_code == 405


# The PDF's fetcher reads our static files from disk and nothing else.


def test_static_files_are_read_from_the_finders():
    # Collected or not (the fault and scale-out drills run collectstatic), the file is one of ours.
    assert static_path("http://testserver/static/css/print.css").endswith("css/print.css")
    assert static_path("http://testserver/static/vendor/inter/inter-latin-wght-normal.woff2")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/static/css/print.css",  # another site's address is only a path to us: not found there
        "http://testserver/static/../krem/settings.py",
        "http://testserver/static/%2e%2e/krem/settings.py",
        "http://testserver/media/secret.pdf",
        "http://testserver/static/css/no-such-file.css",
    ],
)
def test_the_fetcher_reads_nothing_but_our_static_files(url):
    fetcher = _fetcher_class()()
    if "example.org" in url:
        # Found on our disk by its path, it is our own print.css: never a request to example.org.
        assert fetcher.fetch(url).read().startswith(b"/* Printing")
        return
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_a_pdf_makes_no_request_for_an_address_elsewhere(monkeypatch):
    """An image or stylesheet at another address (a document link's thumbnail, say) is left out, never fetched."""
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the PDF renderer opened a network connection")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    from weasyprint import HTML

    html = '<img src="https://example.org/x.png"><link rel="stylesheet" href="http://example.org/x.css"><p>Tekst</p>'
    pdf = HTML(string=html, base_url="http://testserver/", url_fetcher=_fetcher_class()()).write_pdf()
    assert "Tekst" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
