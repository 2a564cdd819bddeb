"""Exports of every list as CSV and XLSX (kremlib/exports.py and each app's exports.py).

Each export opens with the csv module and with openpyxl, has the page's rows (with the page's filters) and
Norwegian column headings, obeys the same visibility and naming rules as the page, writes formula-like text so
that spreadsheets do not run it, and makes the same number of queries at 1 row as at 30."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import AccessLog
from projects.models import LearningEntry, Result, SystemChange
from tests.factories import (
    AttendanceFactory,
    ConsentFactory,
    CoordinatorFactory,
    DialogueFactory,
    FollowUpActionFactory,
    HeadcountFactory,
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

FORMATS = ["csv", "xlsx"]
HIDDEN = "Zqxskjultperson"  # a marker name nobody but coordinators (and the person) may see
SHOWN = "Synlig Forfatter"  # consented to being named: members see it


def read(response, fmt):
    """The export as a list of rows (the first is the headings), each a list of texts; dates as ISO text."""
    assert response.status_code == 200, response.status_code
    assert response.streaming
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        assert response["Content-Type"].startswith("text/csv")
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    rows = []
    for row in workbook.worksheets[0].iter_rows():
        rows.append([cell_text(cell.value) for cell in row])
    return rows


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute) != (0, 0) else value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def download(client, name, fmt, **params):
    return read(client.get(reverse(name, args=[fmt]), params), fmt)


def column(rows, heading):
    index = rows[0].index(heading)
    return [row[index] for row in rows[1:]]


@pytest.fixture
def world():
    municipality = MunicipalityFactory(name="Eksportby", number="4990")
    partner = OrganisationFactory(name="NAV Eksportby", municipality=municipality)
    project = ProjectFactory(
        title="Eksportprosjekt",
        slug="eksport-prosjekt",
        start_date=datetime.date(2010, 9, 1),
        start_precision="season",
        end_date=datetime.date(2011, 6, 30),
        end_precision="day",
        status="active",
    )
    project.municipalities.add(municipality)
    PartnershipFactory(project=project, organisation=partner, role="lead")
    other = ProjectFactory(title="Andres prosjekt", slug="andres", status="completed")
    PartnershipFactory(project=other, organisation=OrganisationFactory(name="Annen etat"))
    member = member_of(partner, username="medlem-eksport")
    # Two authors of learning entries in the member's project: one may be named to members, one may not.
    hidden_user = UserFactory(username="skjult-login")
    hidden = ParticipantFactory(user=hidden_user, display_name=HIDDEN, organisation=partner)
    shown_user = UserFactory(username="synlig-login")
    shown = ParticipantFactory(user=shown_user, display_name=SHOWN, organisation=partner)
    ConsentFactory(participant=shown, purpose="attendance")
    LearningEntry.objects.create(project=project, kind="learned", text="Lært av skjult", author=hidden_user)
    LearningEntry.objects.create(project=project, kind="wise", text="Lurt av synlig", author=shown_user)
    LearningEntry.objects.create(project=other, kind="done", text="Gjort andre steder")
    Result.objects.create(project=project, description="13 av 14 i egen bolig", value=13, unit="personer")
    Result.objects.create(project=other, description="Annet resultat")
    SystemChange.objects.create(project=project, level="practice", description="Ny rutine i NAV")
    held = HeldDialogueFactory(project=project, title="Eksportdialog", municipality=municipality)
    AttendanceFactory(dialogue=held, participant=hidden, perspective="lived_experience")
    AttendanceFactory(dialogue=held, participant=shown, perspective="staff")
    HeadcountFactory(dialogue=held, perspective="lived_experience", count=4)
    FollowUpActionFactory(dialogue=held, what="Skjult ansvarlig", responsible_participant=hidden)
    FollowUpActionFactory(dialogue=held, what="Synlig ansvarlig", responsible_participant=shown)
    DialogueFactory(project=other, title="Andres dialog")
    return {
        "project": project,
        "other": other,
        "member": member,
        "held": held,
        "hidden": hidden,
        "coordinator": CoordinatorFactory(username="koordinator-eksport"),
    }


# Each export has the page's rows and the page's columns, in both formats.

# (export, page, the page's count in its context, the export's column that names a row, how the page names it)
LISTS = [
    ("projects:project_export", "projects:project_list", "Tittel", lambda item: item.title),
    ("projects:organisation_export", "projects:organisation_list", "Navn", lambda item: item.name),
    ("projects:learning_export", "projects:learning_register", "Tekst", lambda item: item.text),
    ("projects:result_export", "projects:result_register", "Beskrivelse", lambda item: item.description),
    ("projects:system_change_export", "projects:system_change_register", "Systemendring", lambda i: i.description),
    ("participants:participant_export_list", "participants:participant_list", "Navn", lambda i: i.display_name),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("export, page, key, label", LISTS)
@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_each_export_has_the_rows_of_its_page(client, world, role, export, page, key, label, fmt):
    if export.startswith("participants") and role == "member":
        pytest.skip("the registry is for coordinators (test_only_coordinators_download_the_registry)")
    client.force_login(world[role])
    shown = client.get(reverse(page)).context["page"].paginator.object_list
    rows = download(client, export, fmt)
    assert sorted(column(rows, key)) == sorted(label(item) for item in shown)
    assert len(rows) - 1 == len(shown) > 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_project_export_has_the_columns_the_page_shows(client, world, fmt):
    client.force_login(world["coordinator"])
    rows = download(client, "projects:project_export", fmt)
    assert rows[0][:7] == ["Tittel", "Rapportavsnitt", "Status", "Start", "Slutt", "Kommuner", "Partnere"]
    row = rows[1 + column(rows, "Tittel").index("Eksportprosjekt")]
    assert row[2] == "Aktiv"
    assert row[5] == "Eksportby"
    assert row[6] == "NAV Eksportby (Prosjekteier)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_are_iso_and_approximate_dates_as_written(client, world, fmt):
    client.force_login(world["coordinator"])
    rows = download(client, "projects:project_export", fmt)
    row = rows[1 + column(rows, "Tittel").index("Eksportprosjekt")]
    assert row[3] == "høsten 2010"  # known to the season: as the page writes it
    assert row[4] == "2011-06-30"  # known to the day: ISO


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_carries_the_filters_of_its_page(client, world, fmt):
    client.force_login(world["coordinator"])
    rows = download(client, "projects:project_export", fmt, status="completed")
    assert column(rows, "Tittel") == ["Andres prosjekt"]
    rows = download(client, "projects:learning_export", fmt, kind="wise")
    assert column(rows, "Tekst") == ["Lurt av synlig"]
    rows = download(client, "projects:learning_export", fmt, project=world["other"].pk)
    assert column(rows, "Tekst") == ["Gjort andre steder"]


def test_the_export_links_carry_the_query_string_without_the_page(client, world):
    client.force_login(world["coordinator"])
    page = client.get(reverse("projects:project_list"), {"status": "active", "side": "1"}).content.decode()
    assert reverse("projects:project_export", args=["csv"]) + "?status=active" in page
    assert reverse("projects:project_export", args=["xlsx"]) + "?status=active" in page


@pytest.mark.parametrize(
    "page, export",
    [
        ("projects:project_list", "projects:project_export"),
        ("projects:organisation_list", "projects:organisation_export"),
        ("projects:municipality_list", "projects:municipality_export"),
        ("projects:learning_register", "projects:learning_export"),
        ("projects:result_register", "projects:result_export"),
        ("projects:system_change_register", "projects:system_change_export"),
        ("dialogues:dialogue_list", "dialogues:dialogue_export"),
        ("dialogues:dialogue_list", "dialogues:attendance_export"),
        ("dialogues:action_overview", "dialogues:action_export"),
        ("participants:participant_list", "participants:participant_export_list"),
    ],
)
def test_every_list_links_to_its_exports(client, world, page, export):
    client.force_login(world["coordinator"])
    content = client.get(reverse(page)).content.decode()
    for fmt in FORMATS:
        assert reverse(export, args=[fmt]) in content


def test_a_format_that_is_not_csv_or_xlsx_is_not_an_address(client, world):
    client.force_login(world["coordinator"])
    assert client.get("/eksport/prosjekter.pdf").status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_municipality_export_counts_the_projects_the_user_sees(client, world, fmt):
    client.force_login(world["member"])
    rows = download(client, "projects:municipality_export", fmt)
    assert rows[0] == ["Kommune", "Nummer", "Fylke", "Prosjekter"]
    assert rows[1 + column(rows, "Kommune").index("Eksportby")][3] == "1"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_dialogue_exports(client, world, fmt):
    client.force_login(world["member"])
    shown = client.get(reverse("dialogues:dialogue_list")).context
    titles = [d.title for d in shown["upcoming"]] + [d.title for d in shown["page"].object_list]
    rows = download(client, "dialogues:dialogue_export", fmt)
    assert sorted(column(rows, "Tittel")) == sorted(titles)
    assert "Andres dialog" not in titles  # another project's: not the member's
    counts = download(client, "dialogues:attendance_export", fmt)
    row = counts[1 + column(counts, "Dialog").index("Eksportdialog")]
    heading = counts[0]
    # one named lived-experience attendee and four counted anonymously; one named staff member
    assert row[heading.index("Erfaringskompetanse (bruker)")] == "5"
    assert row[heading.index("Ansatt")] == "1"
    assert row[heading.index("Registrert med navn")] == "2"
    assert row[heading.index("Telt anonymt")] == "4"
    assert row[heading.index("I alt")] == "6"


# Naming: a member's export names no one the member could not see named on the page.


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("export", ["projects:learning_export", "dialogues:action_export"])
def test_a_members_export_names_no_unconsented_person(client, world, export, fmt):
    client.force_login(world["member"])
    response = client.get(reverse(export, args=[fmt]))
    body = b"".join(response.streaming_content)
    text = (
        body.decode("utf-8-sig")
        if fmt == "csv"
        else " ".join(
            " ".join(cell_text(v) for v in row) for row in openpyxl.load_workbook(io.BytesIO(body)).active.values
        )
    )
    assert HIDDEN not in text
    assert "skjult-login" not in text
    assert SHOWN in text  # the consented person is named, as on the page


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_coordinators_export_names_everyone(client, world, fmt):
    client.force_login(world["coordinator"])
    rows = download(client, "dialogues:action_export", fmt)
    people = dict(zip(column(rows, "Hva"), column(rows, "Ansvarlig person"), strict=True))
    assert people["Skjult ansvarlig"] == HIDDEN
    member_rows = None
    client.force_login(world["member"])
    member_rows = download(client, "dialogues:action_export", fmt)
    people = dict(zip(column(member_rows, "Hva"), column(member_rows, "Ansvarlig person"), strict=True))
    assert people["Skjult ansvarlig"] == "En person som ikke navngis her (erfaringskompetanse (bruker))"
    assert people["Synlig ansvarlig"] == SHOWN


def test_exports_see_what_the_pages_see(client, world):
    """A participant who attended but is in no partner organisation sees no project rows, as on the pages."""
    participant_user = UserFactory(username="deltaker-eksport")
    AttendanceFactory(dialogue=world["held"], participant=ParticipantFactory(user=participant_user))
    client.force_login(participant_user)
    for export in ("projects:project_export", "projects:learning_export", "projects:result_export"):
        assert download(client, export, "csv")[1:] == []
    assert column(download(client, "dialogues:dialogue_export", "csv"), "Tittel") == ["Eksportdialog"]


# The participant registry: coordinators only, and written in the access log.


@pytest.mark.parametrize("fmt", FORMATS)
def test_only_coordinators_download_the_registry(client, world, fmt):
    client.force_login(world["member"])
    before = AccessLog.objects.count()
    assert client.get(reverse("participants:participant_export_list", args=[fmt])).status_code == 403
    assert AccessLog.objects.count() == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_registry_download_is_written_in_the_access_log_of_everyone_in_it(client, world, fmt):
    coordinator = world["coordinator"]
    client.force_login(coordinator)
    rows = download(client, "participants:participant_export_list", fmt, q="Zqx")
    assert column(rows, "Navn") == [HIDDEN]
    entries = AccessLog.objects.filter(actor=coordinator)
    assert [(e.participant, e.action, e.reason) for e in entries] == [(world["hidden"], "export", "registry export")]
    rows = download(client, "participants:participant_export_list", fmt)
    entries = AccessLog.objects.filter(actor=coordinator)
    assert entries.count() == 1 + len(rows) - 1
    assert entries.values("at").distinct().count() == 2  # one moment per download


# Formula-like text is never run by a spreadsheet.

FORMULAS = ['=HYPERLINK("http://x")', "+47 99", "-1+1", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_cells_are_neutralised_in_csv(client, world, text):
    Result.objects.create(project=world["project"], description=text, value=-5)
    client.force_login(world["coordinator"])
    rows = download(client, "projects:result_export", "csv")
    row = rows[1 + column(rows, "Beskrivelse").index("'" + text)]
    assert row[1] == "-5"  # a number stays a number


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_cells_are_text_in_xlsx(client, world, text):
    Result.objects.create(project=world["project"], description=text)
    client.force_login(world["coordinator"])
    body = b"".join(client.get(reverse("projects:result_export", args=["xlsx"])).streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)  # never "f", a formula
    # (XML reads a carriage return back as a line feed)
    assert "'" + text.replace("\r", "\n") in [cell.value for cell in cells]


def test_control_characters_do_not_break_xlsx(client, world):
    Result.objects.create(project=world["project"], description="før\x02etter\x1f")
    client.force_login(world["coordinator"])
    rows = download(client, "projects:result_export", "xlsx")
    assert "føretter" in column(rows, "Beskrivelse")


# Queries: the same at 1 row as at 30 (the rows are read in chunks, prefetches per chunk).


def counted(client, name, fmt):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name, args=[fmt]))
        b"".join(response.streaming_content)
    return len(captured.captured_queries)


def more_rows(world, n):
    for i in range(n):
        project = ProjectFactory()
        project.municipalities.add(MunicipalityFactory())
        PartnershipFactory(project=project, organisation=world["member"].participant.organisation)
        PartnershipFactory(project=project)
        LearningEntry.objects.create(project=project, kind="done", text=f"Gjort {i}", author=world["member"])
        Result.objects.create(project=project, description=f"Resultat {i}")
        change = SystemChange.objects.create(project=project, level="guideline", description=f"Endring {i}")
        change.adoptions.create(organisation=OrganisationFactory(), role="adopted")
        dialogue = HeldDialogueFactory(project=project, municipality=MunicipalityFactory())
        HeadcountFactory(dialogue=dialogue, perspective="staff", count=2)
        FollowUpActionFactory(dialogue=dialogue, responsible_participant=ParticipantFactory())
        ParticipantFactory(organisation=OrganisationFactory())


EXPORTS = [
    "projects:project_export",
    "projects:organisation_export",
    "projects:municipality_export",
    "projects:learning_export",
    "projects:result_export",
    "projects:system_change_export",
    "dialogues:dialogue_export",
    "dialogues:attendance_export",
    "dialogues:action_export",
    "participants:participant_export_list",
]

# The queries of one download for (export, role), whatever the number of rows. Four are on every download of a
# logged-in user (the session, the user, the SAVEPOINT and RELEASE of ATOMIC_REQUESTS); no menu is rendered.
# Then the rows (read in chunks, each chunk with its prefetches), and what visibility and naming read once.
EXPORT_BUDGETS = {
    # whether a coordinator (visible_to), the rows, their municipalities and partners
    ("projects:project_export", "coordinator"): 8,
    ("projects:project_export", "member"): 8,
    # the rows, with their municipality joined
    ("projects:organisation_export", "coordinator"): 5,
    ("projects:organisation_export", "member"): 5,
    # whether a coordinator, the rows with their counted projects
    ("projects:municipality_export", "coordinator"): 6,
    ("projects:municipality_export", "member"): 6,
    # whether a coordinator (twice: visibility, naming), the rows with their authors, the authors' name consents;
    # a member's projects (who may be named)
    ("projects:learning_export", "coordinator"): 7,
    ("projects:learning_export", "member"): 8,
    ("projects:result_export", "coordinator"): 6,
    ("projects:result_export", "member"): 6,
    # the rows (the status a subquery), the adopting organisations
    ("projects:system_change_export", "coordinator"): 7,
    ("projects:system_change_export", "member"): 7,
    ("dialogues:dialogue_export", "coordinator"): 6,
    ("dialogues:dialogue_export", "member"): 7,
    # the counts per perspective are subqueries of the one query of the rows
    ("dialogues:attendance_export", "coordinator"): 6,
    ("dialogues:attendance_export", "member"): 7,
    # the user's participant record (whose actions are theirs), the rows, the responsible people's name consents
    ("dialogues:action_export", "coordinator"): 8,
    ("dialogues:action_export", "member"): 10,
    # whether a coordinator, the ids for the access log and its INSERT (one per 1,000 people), then the rows
    ("participants:participant_export_list", "coordinator"): 8,
}


def test_every_export_has_a_budget():
    assert {name for name, _role in EXPORT_BUDGETS} == set(EXPORTS)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name, role", sorted(EXPORT_BUDGETS))
def test_export_queries_do_not_grow_with_the_rows(client, world, name, role, fmt):
    client.force_login(world[role])
    more_rows(world, 1)
    one = counted(client, name, fmt)
    more_rows(world, 29)
    thirty = counted(client, name, fmt)
    assert (one, thirty) == (EXPORT_BUDGETS[name, role], EXPORT_BUDGETS[name, role])


def test_an_export_streams(client, world):
    client.force_login(world["coordinator"])
    response = client.get(reverse("projects:project_export", args=["csv"]))
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="prosjekter-')
    assert "no-store" in response["Cache-Control"]
    assert f"{timezone.localdate().isoformat()}.csv" in response["Content-Disposition"]
