import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from kremlib.dates import Precision, format_approx
from projects.models import Organisation, ProjectStatus
from projects.validators import validate_org_number
from tests.factories import OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_valid_organisation_number_passes():
    validate_org_number("974760673")  # Brønnøysundregistrene's own number


@pytest.mark.parametrize("number", ["974760674", "12345678", "97476067X", "1234567890"])
def test_bad_organisation_number_is_rejected_in_norwegian(number):
    organisation = Organisation(name="Feil", org_number=number)
    with translation.override("nb"), pytest.raises(ValidationError) as error:
        organisation.full_clean()
    message = " ".join(error.value.message_dict["org_number"])
    assert "organisasjonsnummer" in message


def test_organisation_number_is_unique_when_given():
    OrganisationFactory(org_number="974760673")
    with pytest.raises(IntegrityError):
        OrganisationFactory(org_number="974760673")


def test_many_organisations_may_have_no_number():
    OrganisationFactory(org_number="")
    OrganisationFactory(org_number=None)
    assert Organisation.objects.filter(org_number__isnull=True).count() == 2


def test_project_end_before_start_is_rejected_with_a_clear_message():
    project = ProjectFactory.build(
        start_date=datetime.date(2011, 5, 1),
        start_precision=Precision.DAY,
        end_date=datetime.date(2010, 1, 1),
        end_precision=Precision.DAY,
    )
    with translation.override("nb"), pytest.raises(ValidationError) as error:
        project.full_clean()
    assert error.value.message_dict["end_date"] == ["Slutten kan ikke være før starten."]


def test_database_refuses_end_before_start_even_without_validation():
    with pytest.raises(IntegrityError):
        ProjectFactory(start_date=datetime.date(2011, 5, 1), end_date=datetime.date(2010, 1, 1))


def test_end_in_the_same_year_as_a_precise_start_is_fine():
    # "from 15 March 2011 until 2011": the year 2011 does not end before the start.
    project = ProjectFactory.build(
        start_date=datetime.date(2011, 3, 15),
        start_precision=Precision.DAY,
        end_date=datetime.date(2011, 1, 1),
        end_precision=Precision.YEAR,
    )
    project.full_clean()


def test_continued_project_must_name_who_continued_it():
    project = ProjectFactory.build(status=ProjectStatus.CONTINUED, continued_by=None)
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert "continued_by" in error.value.message_dict


@pytest.mark.parametrize(
    "date, precision, shown",
    [
        (datetime.date(2011, 1, 1), Precision.YEAR, "2011"),
        (datetime.date(2010, 9, 1), Precision.SEASON, "høsten 2010"),
        (datetime.date(2011, 3, 1), Precision.MONTH, "mars 2011"),
        (datetime.date(2010, 12, 15), Precision.DAY, "15. desember 2010"),
    ],
)
def test_dates_are_shown_no_more_precisely_than_known(date, precision, shown):
    with translation.override("nb"):
        assert format_approx(date, precision) == shown


def test_project_period_display_uses_precision():
    project = ProjectFactory.build(
        start_date=datetime.date(2010, 9, 1),
        start_precision=Precision.SEASON,
        end_date=datetime.date(2012, 1, 1),
        end_precision=Precision.YEAR,
    )
    with translation.override("nb"):
        assert project.period_display == "høsten 2010 – 2012"
