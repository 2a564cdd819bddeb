"""Validators shared by the participant forms, so every way of naming a person agrees."""

import calendar
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Eleven digits, written together or as 6 + 5 with one space, dot or dash: 01019012345, 010190 12345, 010190-12345.
NATIONAL_ID_PATTERN = re.compile(r"(?<!\d)(\d{6})[\s.\-]?(\d{5})(?!\d)")
# Any run of digits, however it is spaced: "010 190 123 45".
DIGIT_RUN_PATTERN = re.compile(r"\d(?:[\s.\-]?\d)*")


def looks_like_birth_date(six_digits: str) -> bool:
    """DDMMYY as a fødselsnummer starts: also D-numbers (day + 40), H-numbers (month + 40), synthetic (month + 80)."""
    day, month = int(six_digits[:2]), int(six_digits[2:4])
    if day > 40:
        day -= 40
    if month > 80:
        month -= 80
    elif month > 40:
        month -= 40
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]  # 2000: a leap year


def looks_like_national_id(value: str) -> bool:
    """Eleven digits that begin with a possible date of birth. The check digits are not needed: a mistyped
    number identifies a person just as well, and numbers issued from 2032 change how they are computed."""
    candidates = ["".join(match.groups()) for match in NATIONAL_ID_PATTERN.finditer(value)]
    candidates += [digits for run in DIGIT_RUN_PATTERN.findall(value) if len(digits := re.sub(r"\D", "", run)) == 11]
    return any(looks_like_birth_date(candidate) for candidate in candidates)


def validate_no_national_id(value: str) -> None:
    """We never store national identity numbers (DOMAIN.md, "Privacy"), not even by mistake in a name."""
    if looks_like_national_id(value):
        raise ValidationError(
            _(
                "This looks like a national identity number (fødselsnummer). We never store those: "
                "write a name or a pseudonym instead."
            ),
            code="national_id",
        )
