"""Validators shared by models and forms, so both agree."""

from django import forms
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


def normalise_org_number(value):
    """The nine digits of an organisation number as people write it: "889 640 782", "889-640-782", " 889640782"."""
    if value is None:
        return None
    return "".join(ch for ch in str(value) if not (ch.isspace() or ch in "-."))


class OrgNumberField(forms.CharField):
    """An organisation number typed with spaces or dashes, cleaned to the nine digits the model stores.

    The admin's form and any model form use it, so "889 640 782" is accepted everywhere and stored as 889640782.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 15)  # room for the spaces; the model stores nine digits
        kwargs.setdefault("validators", [validate_org_number])
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")

    def to_python(self, value):
        return normalise_org_number(super().to_python(value))


def validate_municipality_number(value: str) -> None:
    if len(value) != 4 or not value.isdigit():
        raise ValidationError(_("A municipality number has exactly four digits."), code="municipality_number")


def validate_period(start, start_precision, end, end_precision, *, field="end_date"):
    """End may not lie before start. An approximate end counts to the last day of its period."""
    if start and end and period_end(end, end_precision) < start:
        raise ValidationError({field: _("The end cannot be before the start.")}, code="end_before_start")
