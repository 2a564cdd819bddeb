"""Measurements of a project's indicators in and out of a spreadsheet (CSV or XLSX), in one shape both ways.

An import is read whole and checked row by row with the same form as the page (MeasurementForm); nothing is saved
until every row is valid. A row is the same measurement as one already saved when its indicator and period are
the same, so re-importing an export changes nothing.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kremlib.dates import Precision

from .forms import MeasurementForm
from .models import Measurement

# (key, heading): the file's columns, in order. Headings are read in Norwegian or English, or as the keys.
COLUMNS = [
    ("indicator", gettext_lazy("indicator")),
    ("group", gettext_lazy("group")),
    ("date", gettext_lazy("period")),
    ("date_precision", gettext_lazy("date known to the")),
    ("value", gettext_lazy("value")),
    ("denominator", gettext_lazy("out of")),
    ("source", gettext_lazy("source")),
]
REQUIRED = {"indicator", "date", "value"}
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong type, too big, no header, a column missing."""


@dataclass
class Row:
    number: int  # the row in the file, the header being row 1
    data: dict
    errors: list = field(default_factory=list)
    measurement: Measurement | None = None
    status: str = ""  # "new", "changed" or "unchanged"


def headings():
    return [str(label) for _key, label in COLUMNS]


def precision_names():
    """A precision as written in a cell: its code, or its label in Norwegian or English."""
    names = {}
    for language in ("nb", "en"):
        with translation.override(language):
            names.update({str(label).lower(): value for value, label in Precision.choices})
    names.update({value: value for value in Precision.values})
    return names


def read_table(upload):
    """The file's rows as lists of strings: CSV (UTF-8, comma or semicolon) or XLSX, known by its content."""
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB."))
    if not raw:
        raise ImportFileError(_("The file is empty."))
    if raw[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(raw), read_only=True, data_only=True).worksheets[0]
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise ImportFileError(_("The spreadsheet could not be read.")) from error
        return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(_("The file is neither an Excel file nor a CSV file in UTF-8.")) from error
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;") if ";" in text[:4096] else csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def column_keys(header):
    """Which column holds which field; a required column missing is an error for the whole file."""
    names = {}
    for key, label in COLUMNS:
        for language in ("nb", "en"):
            with translation.override(language):
                names[str(label).strip().lower()] = key
        names[key] = key
    keys = [names.get(cell.strip().lower()) for cell in header]
    missing = [str(label) for key, label in COLUMNS if key in REQUIRED and key not in keys]
    if missing:
        raise ImportFileError(_("The file has no column for: %(columns)s.") % {"columns": ", ".join(missing)})
    return keys


def unescape(cell):
    """What safe_cell() wrote, read back: a formula-like text loses the apostrophe put before it."""
    cell = cell.strip()
    return cell[1:] if cell[:1] == "'" and cell[1:2] and cell[1] in "=+-@\t\r" else cell


def parse(project, table):
    """Every row of the table (read_table), checked; each valid row holds its unsaved Measurement and its status."""
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise ImportFileError(_("The file has no header row."))
    keys = column_keys(table[0])
    if len(table) == 1:
        raise ImportFileError(_("The file has a header row but no measurements."))
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    indicators = {(i.name.strip().lower(), i.group.strip().lower()): i for i in project.indicators.all()}
    saved = {
        (m.indicator_id, m.date, m.date_precision): m for m in Measurement.objects.filter(indicator__project=project)
    }
    precisions = precision_names()
    rows, seen = [], set()
    for number, cells in enumerate(table[1:], start=2):
        data = {key: unescape(cell) for key, cell in zip(keys, cells) if key}
        row = Row(number, data)
        rows.append(row)
        indicator = indicators.get((data.get("indicator", "").lower(), data.get("group", "").lower()))
        if indicator is None:
            row.errors.append(
                _("Column “%(column)s”: the project has no indicator “%(name)s”.")
                % {"column": _("indicator"), "name": data.get("indicator", "")[:100]}
            )
            continue
        precision = precisions.get(data.get("date_precision", "").lower() or "day")
        form_data = {
            "value": data.get("value", "").replace(",", "."),
            "denominator": data.get("denominator", "").replace(",", "."),
            "date": data.get("date", "")[:10],
            "date_precision": precision or data.get("date_precision", ""),
            "source": data.get("source", ""),
        }
        # The same measurement as one saved: its indicator and period (normalised the way the model stores it).
        candidate = MeasurementForm(form_data, instance=Measurement(indicator=indicator))
        if not candidate.is_valid():
            row.errors.extend(form_errors(candidate))
            continue
        key = (indicator.pk, candidate.instance.date, candidate.instance.date_precision)
        if key in seen:
            row.errors.append(_("The same indicator and period are in the file twice."))
            continue
        seen.add(key)
        existing = saved.get(key)
        if existing is None:
            row.measurement, row.status = candidate.instance, "new"
            continue
        form = MeasurementForm(form_data, instance=existing)
        form.is_valid()
        row.measurement = form.instance
        row.status = "changed" if form.has_changed() else "unchanged"
    return rows


def form_errors(form):
    headings_by_key = dict(COLUMNS) | {"date": COLUMNS[2][1]}
    return [
        _("Column “%(column)s”: %(message)s") % {"column": headings_by_key.get(name, name), "message": message}
        for name, messages in form.errors.items()
        for message in messages
    ]


def save(rows, *, user):
    """Save the new and changed rows, all or none. Returns how many of each status."""
    if any(row.errors for row in rows):
        raise ValueError("an import with errors is not saved")
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    with transaction.atomic():
        for row in rows:
            counts[row.status] += 1
            if row.status == "new":
                row.measurement.recorded_by = user
            if row.status != "unchanged":
                row.measurement.save()
    return counts


def safe_cell(value):
    """A cell a spreadsheet program will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_rows(project):
    measurements = Measurement.objects.filter(indicator__project=project).select_related("indicator")
    for m in measurements.order_by("indicator__name", "indicator__group", "date", "pk"):
        yield [
            safe_cell(value)
            for value in (
                m.indicator.name,
                m.indicator.group,
                m.date.isoformat(),
                m.date_precision,
                f"{m.value.normalize():f}",
                "" if m.denominator is None else f"{m.denominator.normalize():f}",
                m.source,
            )
        ]


def export_csv(project):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings())
    writer.writerows(export_rows(project))
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(project):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Measurements")[:31])
    sheet.append(headings())
    for row in export_rows(project):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
