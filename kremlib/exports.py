"""Exports of a list as CSV or XLSX: a column spec in, a streamed download out. Every app's exports use this.

An app declares its columns (`Column(heading, value)`, where `value(row)` reads one row) and hands over the rows
its page lists, limited to what the user may see and named through the one naming policy; this module writes them.

- **Streaming.** Rows are read lazily (pass `queryset.iterator(chunk_size=CHUNK_SIZE)`; with prefetch_related the
  prefetches run per chunk), and the file is written as it goes: CSV line by line into a StreamingHttpResponse,
  XLSX with openpyxl's write-only workbook (rows go to a temporary file, strings are written inline), then sent
  in blocks from a temporary file. Memory stays flat however many rows (tests/bench/export_memory.py).
  The rows are read while the response is sent, after the view's transaction: like every page, a snapshot of one
  moment only per chunk.
- **Formula neutralisation.** A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be
  run as a formula by spreadsheet programs (CSV injection). In CSV it gets an apostrophe in front; in XLSX it is
  written as a text cell (never a formula) with the same apostrophe, so both files read alike. Numbers and dates
  are written as numbers and dates: they cannot be formulas.
- **Language and dates.** Headings, labels and approximate dates are written in Norwegian Bokmål (the site's
  language), whatever language the user reads the site in: the files go to funders and partners. Exact dates are
  ISO 8601 (2011-03-01; times 2011-03-01 09:00, local time); a date known only to the month, season or year is
  written as the page shows it ("høsten 2010", "2011"), see `approx_date()`.
"""

import csv
import datetime
import decimal
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import register_converter
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .dates import Precision, format_approx

CHUNK_SIZE = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_BLOCK = 64 * 1024
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    """One column of an export: its heading (translatable) and how to read its value from a row."""

    heading: Any
    value: Callable[[Any], Any]


class FormatConverter:
    """The `<export:fmt>` of an export address: csv or xlsx; anything else is not an address (404)."""

    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


# Registered once, here: every app's urls.py that has exports imports this module.
register_converter(FormatConverter, "export")


def neutralise(text: str) -> str:
    """Text a spreadsheet program will show, never run: an apostrophe before a formula-like start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def approx_date(date, precision):
    """A date as exact as it is known: ISO for a day, else as written ("høsten 2010", "2011")."""
    if date is None:
        return None
    if precision == Precision.DAY:
        return date
    return format_approx(date, precision)


def yes_no(value: bool):
    return _("Yes") if value else _("No")


def plain(value):
    """A value as it goes in a cell: None as empty, text neutralised, dates and numbers as themselves, aware
    datetimes in local time (without the zone, which spreadsheets do not know)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(yes_no(value))
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, datetime.date | int | float | decimal.Decimal):
        return value
    return neutralise(str(value))


def csv_text(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return f"{value.normalize():f}"
    return "" if value is None else value


class _Line:
    """csv.writer writes into this and gets the line back, so that each line can be yielded at once."""

    def write(self, text):
        return text


def csv_lines(rows: Iterable, columns: list[Column]):
    writer = csv.writer(_Line())
    with translation.override(settings.LANGUAGE_CODE):
        # A byte order mark, so that spreadsheet programs read the file as UTF-8 (æ, ø, å).
        yield "\ufeff" + writer.writerow([neutralise(str(column.heading)) for column in columns])
        for row in rows:
            yield writer.writerow([csv_text(plain(column.value(row))) for column in columns])


DATE_FORMATS = {datetime.datetime: "yyyy-mm-dd hh:mm", datetime.date: "yyyy-mm-dd"}


def xlsx_cell(sheet, value):
    cell = WriteOnlyCell(sheet)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # text, even if it looks like a formula (it is neutralised as well)
    else:
        cell.value = value
        if type(value) in DATE_FORMATS:
            cell.number_format = DATE_FORMATS[type(value)]
    return cell


def xlsx_blocks(rows: Iterable, columns: list[Column], sheet_title: str):
    with translation.override(settings.LANGUAGE_CODE):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=ILLEGAL_CHARACTERS_RE.sub("", str(sheet_title))[:31] or "Ark")
        bold = Font(bold=True)
        headings = []
        for column in columns:
            cell = xlsx_cell(sheet, neutralise(str(column.heading)))
            cell.font = bold
            headings.append(cell)
        sheet.append(headings)
        for row in rows:
            sheet.append([xlsx_cell(sheet, plain(column.value(row))) for column in columns])
        with tempfile.TemporaryFile() as file:
            workbook.save(file)
            file.seek(0)
            while block := file.read(XLSX_BLOCK):
                yield block


def export_response(rows: Iterable, columns: list[Column], *, fmt: str, name: str, sheet_title: str = ""):
    """The download of `rows` in `fmt` ("csv" or "xlsx") as `<name>-<today>.<fmt>`, streamed."""
    if fmt == "xlsx":
        content = xlsx_blocks(rows, columns, sheet_title or name)
    else:
        fmt, content = "csv", csv_lines(rows, columns)
    response = StreamingHttpResponse(content, content_type=CONTENT_TYPES[fmt])
    filename = f"{name}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def lazily(queryset):
    """The rows of `queryset`, read in chunks (prefetches too): the one way exports read their rows."""
    return queryset.iterator(chunk_size=CHUNK_SIZE)
