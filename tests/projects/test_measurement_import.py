"""Measurements in and out of a spreadsheet: checked row by row, all or nothing, and an export re-imports as no change."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Indicator, Measurement
from tests.factories import CoordinatorFactory, OrganisationFactory, PartnershipFactory, ProjectFactory, member_of

pytestmark = pytest.mark.django_db

HEADER = "indikator,gruppe,periode,dato kjent til,verdi,av,kilde\n"


@pytest.fixture
def world():
    partner = OrganisationFactory(name="Skien kommune")
    project = ProjectFactory(title="Boligprosjekt", slug="bolig")
    PartnershipFactory(project=project, organisation=partner)
    housing = Indicator.objects.create(project=project, name="I egen bolig", unit="deltakere")
    return {
        "project": project,
        "housing": housing,
        "coordinator": CoordinatorFactory(username="koord-import"),
        "member": member_of(partner, username="medlem-import"),
        "outsider": member_of(OrganisationFactory(), username="utenfor-import"),
    }


def url(world, name="measurement_import"):
    return reverse(f"projects:{name}", args=[world["project"].slug])


def upload(client, world, content, name="malinger.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(url(world), {"file": SimpleUploadedFile(name, data)})


def confirm(client, world, preview):
    return client.post(url(world), {"confirm": preview.context["confirm"]})


def test_a_valid_file_is_previewed_then_saved_on_confirmation(client, world):
    client.force_login(world["coordinator"])
    preview = upload(
        client, world, HEADER + "I egen bolig,,2010-01-01,år,13,14,4.3\nI egen bolig,,2011-05-01,år,12,14,\n"
    )
    assert preview.status_code == 200 and preview.context["counts"] == {"new": 2, "changed": 0, "unchanged": 0}
    assert Measurement.objects.count() == 0  # a preview saves nothing
    response = confirm(client, world, preview)
    assert response.status_code == 302
    saved = list(Measurement.objects.order_by("date").values_list("date", "date_precision", "value", "denominator"))
    assert saved == [(datetime.date(2010, 1, 1), "year", 13, 14), (datetime.date(2011, 1, 1), "year", 12, 14)]
    assert set(Measurement.objects.values_list("recorded_by", flat=True)) == {world["coordinator"].pk}


def test_one_bad_row_saves_nothing_and_names_the_row_and_the_column(client, world):
    client.force_login(world["coordinator"])
    response = upload(
        client,
        world,
        HEADER + "I egen bolig,,2010-01-01,år,13,14,\nI egen bolig,,2011-01-01,år,15,14,\nUkjent,,2012-01-01,år,1,,\n",
    )
    rows = response.context["rows"]
    assert [row.number for row in rows if row.errors] == [3, 4]
    page = response.content.decode()
    assert "«verdi»" in page or "“verdi”" in page
    assert "ingen indikator «Ukjent»" in page or "ingen indikator “Ukjent”" in page
    assert "confirm" not in response.context or not response.context["confirm"]
    assert Measurement.objects.count() == 0


@pytest.mark.parametrize(
    "row",
    [
        "I egen bolig,,2010-01-01,år,=1+1,,",  # a formula where a number belongs
        "I egen bolig,,2010-01-01,år,13,14," + "x" * 10_000,  # a source far too long
        "I egen bolig,,ikke en dato,år,13,,",
        "I egen bolig,,2010-01-01,århundre,13,,",
        "I egen bolig,,2010-01-01,år,1e400,,",
        "I egen bolig,,2010-01-01,år,-3,14,",
        "I egen bolig,,,år,13,,",
    ],
)
def test_hostile_cells_give_messages_not_errors(client, world, row):
    client.force_login(world["coordinator"])
    response = upload(client, world, HEADER + row + "\n")
    assert response.status_code == 200
    assert response.context["has_errors"] and response.context["rows"][0].errors
    assert Measurement.objects.count() == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "tom"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        ("indikator,verdi\nI egen bolig,13\n", "periode"),
        (HEADER, "ingen målinger"),
        (b"PK\x03\x04broken", "kunne ikke leses"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_message(client, world, content, message):
    client.force_login(world["coordinator"])
    response = upload(client, world, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])


def test_an_exported_file_re_imports_as_no_change_in_csv_and_xlsx(client, world):
    housing = world["housing"]
    Measurement.objects.create(
        indicator=housing,
        value=13,
        denominator=14,
        date=datetime.date(2010, 1, 1),
        date_precision="year",
        source='=HYPERLINK("x")',
    )
    Measurement.objects.create(indicator=housing, value=-2, date=datetime.date(2011, 3, 1), date_precision="season")
    client.force_login(world["coordinator"])
    exported = client.get(url(world, "measurement_export")).content
    lines = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert lines[0] == ["indikator", "gruppe", "periode", "dato kjent til", "verdi", "av", "kilde"]
    assert lines[1][6] == '\'=HYPERLINK("x")'  # not run as a formula
    before = list(Measurement.objects.values())
    for content, name in (
        (exported, "malinger.csv"),
        (client.get(url(world, "measurement_export") + "?format=xlsx").content, "m.xlsx"),
    ):
        preview = upload(client, world, content, name)
        assert preview.context["counts"] == {"new": 0, "changed": 0, "unchanged": 2}, name
        assert confirm(client, world, preview).status_code == 302
    assert list(Measurement.objects.values()) == before


def test_the_xlsx_export_opens_with_the_rows_of_the_page(client, world):
    Measurement.objects.create(
        indicator=world["housing"], value=13, denominator=14, date=datetime.date(2010, 1, 1), date_precision="year"
    )
    client.force_login(world["member"])
    response = client.get(url(world, "measurement_export") + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [list(row) for row in sheet.iter_rows(values_only=True)][1] == [
        "I egen bolig",
        None,
        "2010-01-01",
        "year",
        "13",
        "14",
        None,
    ]


def test_a_changed_row_updates_its_measurement(client, world):
    Measurement.objects.create(
        indicator=world["housing"], value=12, denominator=14, date=datetime.date(2010, 1, 1), date_precision="year"
    )
    client.force_login(world["coordinator"])
    preview = upload(client, world, HEADER + "i egen bolig,,2010-06-01,year,13,14,rettet\n")
    assert preview.context["counts"] == {"new": 0, "changed": 1, "unchanged": 0}
    confirm(client, world, preview)
    assert list(Measurement.objects.values_list("value", "source")) == [(13, "rettet")]


def test_a_tampered_preview_is_refused(client, world):
    client.force_login(world["coordinator"])
    response = client.post(url(world), {"confirm": "forfalsket"}, follow=True)
    assert "Last opp filen på nytt" in response.content.decode()
    assert Measurement.objects.count() == 0


def test_who_may_import_and_export(client, world):
    client.force_login(world["member"])
    assert client.get(url(world)).status_code == 403
    assert client.get(url(world, "measurement_export")).status_code == 200
    client.force_login(world["outsider"])
    assert client.get(url(world)).status_code == 404
    assert client.get(url(world, "measurement_export")).status_code == 404
