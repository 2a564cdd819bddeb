import pytest
from django.core.exceptions import ValidationError

from participants.validators import looks_like_national_id, validate_no_national_id


@pytest.mark.parametrize(
    "value",
    [
        "01019012345",  # a date of birth and five digits
        "010190 12345",
        "010190-12345",
        "Kari 010190.12345",
        "410190 12345",  # D-number: day + 40
        "01419012345",  # H-number: month + 40
        "01819012345",  # synthetic test number: month + 80
        "290200 12345",  # 29 February
        "010 190 123 45",  # spaced however
    ],
)
def test_eleven_digits_starting_with_a_date_look_like_a_national_id(value):
    assert looks_like_national_id(value)
    with pytest.raises(ValidationError) as error:
        validate_no_national_id(value)
    assert error.value.code == "national_id"


@pytest.mark.parametrize(
    "value",
    [
        "Kari Nordmann",
        "Lerke 42",
        "912 34 567",  # a phone number
        "+47 912 34 567",  # ten digits
        "32019012345",  # no 32nd day
        "01139012345",  # no 13th month
        "310490 12345",  # no 31 April
        "0101901234567",  # thirteen digits
        "Gruppe 2010",
    ],
)
def test_other_names_and_numbers_pass(value):
    assert not looks_like_national_id(value)
    validate_no_national_id(value)
