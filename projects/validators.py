"""Validators shared by models and forms, so both agree."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kremlib.dates import period_end

ORG_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def validate_org_number(value: str) -> None:
    """A Norwegian organisation number: nine digits, the last a modulus-11 check digit."""
    if len(value) != 9 or not value.isdigit():
        raise ValidationError(_("An organisation number has exactly nine digits."), code="org_number_format")
    remainder = sum(int(d) * w for d, w in zip(value[:8], ORG_NUMBER_WEIGHTS)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    if check == 10 or check != int(value[8]):
        raise ValidationError(
            _("%(value)s is not a valid organisation number (the check digit is wrong)."),
            code="org_number_checksum",
            params={"value": value},
        )


def validate_municipality_number(value: str) -> None:
    if len(value) != 4 or not value.isdigit():
        raise ValidationError(_("A municipality number has exactly four digits."), code="municipality_number")


def validate_period(start, start_precision, end, end_precision, *, field="end_date"):
    """End may not lie before start. An approximate end counts to the last day of its period."""
    if start and end and period_end(end, end_precision) < start:
        raise ValidationError({field: _("The end cannot be before the start.")}, code="end_before_start")
