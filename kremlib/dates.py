"""Dates that are known only to the month, the season or the year.

The report often says "2011" or "høsten 2010". We store the first day of that period
together with its precision, and never show a date more precisely than it is known.
"""

import calendar
import datetime

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Precision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    SEASON = "season", _("Season")
    YEAR = "year", _("Year")


SEASON_STARTS = {
    3: pgettext_lazy("season", "spring"),
    6: pgettext_lazy("season", "summer"),
    9: pgettext_lazy("season", "autumn"),
    12: pgettext_lazy("season", "winter"),
}


def normalise(date: datetime.date, precision: str) -> datetime.date:
    """The first day of the period the date stands for, so that sorting and comparing work."""
    if precision == Precision.YEAR:
        return date.replace(month=1, day=1)
    if precision == Precision.SEASON:
        season_month = max(m for m in SEASON_STARTS if m <= date.month) if date.month >= 3 else 12
        year = date.year if date.month >= 3 else date.year - 1
        return datetime.date(year, season_month, 1)
    if precision == Precision.MONTH:
        return date.replace(day=1)
    return date


def period_end(date: datetime.date, precision: str) -> datetime.date:
    """The last day of the period, used to check that an end is not before a start."""
    date = normalise(date, precision)
    if precision == Precision.YEAR:
        return datetime.date(date.year, 12, 31)
    months = {Precision.SEASON: 3, Precision.MONTH: 1}.get(precision)
    if months:
        month = date.month + months
        next_start = datetime.date(date.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        return next_start - datetime.timedelta(days=1)
    return date


def format_approx(date: datetime.date | None, precision: str) -> str:
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return str(date.year)
    if precision == Precision.SEASON:
        return f"{SEASON_STARTS[normalise(date, precision).month]} {normalise(date, precision).year}"
    if precision == Precision.MONTH:
        return formats.date_format(date, "YEAR_MONTH_FORMAT")
    return formats.date_format(date, "DATE_FORMAT")


def add_months(date: datetime.date, months: int) -> datetime.date:
    """`date` moved by whole months (back for a negative number), on the same day of the month or, where that
    month is shorter, on its last day: 31 March less one month is 28 or 29 February."""
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(date.day, last_day))
