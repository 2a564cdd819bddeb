"""Indicators: a baseline and a target each need a date, a measurement is never more than it is counted among,
the project page charts them, and only coordinators record them."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from projects.forms import IndicatorForm, MeasurementForm
from projects.models import CatalogueIndicator, Indicator, Measurement, Project
from projects.totals import catalogue_totals
from tests.factories import (
    CoordinatorFactory,
    IndicatorFactory,
    MeasurementFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    partner = OrganisationFactory(name="NAV Målby")
    project = ProjectFactory(title="Målprosjekt", slug="maal")
    PartnershipFactory(project=project, organisation=partner)
    return {
        "project": project,
        "member": member_of(partner, username="medlem-maal"),
        "outsider": member_of(OrganisationFactory(), username="utenfor-maal"),
        "coordinator": CoordinatorFactory(username="koord-maal"),
    }


def indicator_form(project, **data):
    fields = {
        "name": "I egen bolig",
        "unit": "deltakere",
        "direction": "higher",
        "baseline_precision": "year",
        "target_precision": "year",
    }
    fields.update(data)
    return IndicatorForm(fields, instance=Indicator(project=project))


def test_the_catalogue_holds_the_common_indicators():
    codes = set(CatalogueIndicator.objects.values_list("code", flat=True))
    assert {"i-arbeid", "i-utdanning", "i-egen-bolig", "fortsatt-i-arbeid-6-mnd", "fortsatt-i-arbeid-12-mnd"} <= codes
    assert "deltakere-i-samlinger" in codes


def test_a_baseline_without_a_date_is_refused_with_a_norwegian_message(world):
    form = indicator_form(world["project"], baseline_value="2")
    assert not form.is_valid()
    assert form.errors["baseline_date"] == ["Oppgi datoen for utgangspunktet (året er nok)."]


def test_a_target_without_a_date_is_refused(world):
    form = indicator_form(world["project"], target_value="14")
    assert not form.is_valid()
    assert "target_date" in form.errors


def test_a_target_date_without_a_value_is_refused(world):
    form = indicator_form(world["project"], target_date="2010-06-01", target_precision="year")
    assert not form.is_valid()
    assert "target_value" in form.errors


def test_a_target_known_to_the_year_is_stored_as_the_year(world):
    form = indicator_form(world["project"], target_value="14", target_date="2010-06-01", target_precision="year")
    assert form.is_valid(), form.errors
    indicator = form.save()
    assert indicator.target_date == datetime.date(2010, 1, 1)
    assert indicator.target_display == "2010"


def test_an_indicator_from_the_catalogue_takes_its_name_and_unit(world):
    housing = CatalogueIndicator.objects.get(code="i-egen-bolig")
    form = indicator_form(world["project"], catalogue=housing.pk, name="", unit="")
    assert form.is_valid(), form.errors
    indicator = form.save()
    assert (indicator.name, indicator.unit, indicator.catalogue) == (housing.name, housing.unit, housing)


def test_an_indicator_needs_a_name_or_a_catalogue_entry(world):
    form = indicator_form(world["project"], name="")
    assert not form.is_valid()
    assert "name" in form.errors


def test_the_database_refuses_a_baseline_without_a_date(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(project=world["project"], name="x", baseline_value=1)


def measurement_form(indicator, **data):
    fields = {"value": "13", "denominator": "14", "date": "2010-01-01", "date_precision": "year", "source": "4.3"}
    fields.update(data)
    return MeasurementForm(fields, instance=Measurement(indicator=indicator))


def test_a_measurement_larger_than_its_denominator_is_refused(world):
    form = measurement_form(IndicatorFactory(project=world["project"]), value="15")
    assert not form.is_valid()
    assert form.errors["value"] == ["Verdien kan ikke være større enn antallet den telles blant (14)."]


def test_a_measurement_needs_its_period(world):
    form = measurement_form(IndicatorFactory(project=world["project"]), date="")
    assert not form.is_valid()
    assert "date" in form.errors


@pytest.mark.parametrize("value", ["=1+1", "x" * 10_000, "1e400", "NaN", "--"])
def test_hostile_measurement_values_give_messages(world, value):
    form = measurement_form(IndicatorFactory(project=world["project"]), value=value)
    assert not form.is_valid()
    assert form.errors["value"]


def test_the_database_refuses_a_value_above_its_denominator(world):
    indicator = IndicatorFactory(project=world["project"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Measurement.objects.create(indicator=indicator, value=15, denominator=14, date=datetime.date(2010, 1, 1))


def test_the_project_page_shows_the_indicator_with_its_denominator_and_chart(client, world):
    indicator = IndicatorFactory(
        project=world["project"],
        name="I egen bolig",
        baseline_value=0,
        baseline_date=datetime.date(2008, 1, 1),
        baseline_precision="year",
    )
    MeasurementFactory(indicator=indicator, value=13, denominator=14)
    client.force_login(world["member"])
    page = client.get(world["project"].get_absolute_url()).content.decode()
    assert "I egen bolig" in page
    assert "13</span> av 14" in page
    assert "indicator-chart" in page
    assert reverse("projects:measurement_create", args=["maal", indicator.pk]) not in page  # read-only for members


def test_a_coordinator_records_a_measurement_and_is_named_as_recorder(client, world):
    indicator = IndicatorFactory(project=world["project"])
    client.force_login(world["coordinator"])
    url = reverse("projects:measurement_create", args=["maal", indicator.pk])
    response = client.post(url, {"value": "5", "denominator": "7", "date": "2011-03-01", "date_precision": "season"})
    assert response.status_code == 302
    measurement = indicator.measurements.get()
    assert (measurement.value, measurement.denominator, measurement.recorded_by) == (5, 7, world["coordinator"])
    assert measurement.date == datetime.date(2011, 3, 1)


def test_an_invalid_measurement_saves_nothing_and_says_why(client, world):
    indicator = IndicatorFactory(project=world["project"])
    client.force_login(world["coordinator"])
    url = reverse("projects:measurement_create", args=["maal", indicator.pk])
    response = client.post(url, {"value": "9", "denominator": "7", "date": "2011-03-01", "date_precision": "day"})
    assert response.status_code == 200
    assert "større enn antallet" in response.content.decode()
    assert not indicator.measurements.exists()


def test_a_member_may_not_record_a_measurement(client, world):
    indicator = IndicatorFactory(project=world["project"])
    client.force_login(world["member"])
    url = reverse("projects:measurement_create", args=["maal", indicator.pk])
    response = client.post(url, {"value": "5", "date": "2011-03-01", "date_precision": "day"})
    assert response.status_code == 403
    assert not indicator.measurements.exists()


def test_an_outsider_gets_404_for_another_projects_measurement(client, world):
    measurement = MeasurementFactory(indicator=IndicatorFactory(project=world["project"]))
    client.force_login(world["outsider"])
    assert client.post(reverse("projects:measurement_delete", args=["maal", measurement.pk])).status_code == 404
    assert Measurement.objects.filter(pk=measurement.pk).exists()


def test_a_measurement_of_another_project_is_not_found_through_this_one(client, world):
    elsewhere = MeasurementFactory()
    client.force_login(world["coordinator"])
    assert client.get(reverse("projects:measurement_edit", args=["maal", elsewhere.pk])).status_code == 404


def test_get_of_the_delete_page_changes_nothing_and_post_deletes(client, world):
    measurement = MeasurementFactory(indicator=IndicatorFactory(project=world["project"]))
    client.force_login(world["coordinator"])
    url = reverse("projects:measurement_delete", args=["maal", measurement.pk])
    assert client.get(url).status_code == 200
    assert Measurement.objects.filter(pk=measurement.pk).exists()
    assert client.post(url).status_code == 302
    assert not Measurement.objects.filter(pk=measurement.pk).exists()


def test_a_coordinator_adds_an_indicator_through_the_project_section(client, world):
    client.force_login(world["coordinator"])
    url = reverse("projects:entry_create", args=["maal", "indikatorer"])
    data = {
        "name": "I arbeid",
        "unit": "personer",
        "direction": "higher",
        "target_value": "5",
        "target_date": "2012-01-01",
        "target_precision": "year",
        "baseline_precision": "day",
    }
    assert client.post(url, data).status_code == 302
    indicator = world["project"].indicators.get()
    assert (indicator.name, indicator.target_value) == ("I arbeid", Decimal("5"))


def test_an_indicator_edited_by_someone_else_meanwhile_is_not_overwritten(client, world):
    indicator = IndicatorFactory(project=world["project"], name="Før")
    client.force_login(world["coordinator"])
    url = reverse("projects:entry_edit", args=["maal", "indikatorer", indicator.pk])
    Indicator.objects.filter(pk=indicator.pk).update(name="Andres", version=2)
    data = {
        "name": "Mitt",
        "unit": "personer",
        "direction": "higher",
        "version": "1",
        "baseline_precision": "day",
        "target_precision": "day",
    }
    assert client.post(url, data).status_code == 200
    indicator.refresh_from_db()
    assert indicator.name == "Andres"


# The portfolio: totals of the catalogue's indicators across the projects one sees


def measure(project, code, value, denominator, year, *, group=""):
    catalogue = CatalogueIndicator.objects.get(code=code)
    indicator, _created = Indicator.objects.get_or_create(
        project=project, catalogue=catalogue, group=group, defaults={"name": catalogue.name}
    )
    return Measurement.objects.create(
        indicator=indicator, value=value, denominator=denominator, date=datetime.date(year, 6, 1)
    )


def test_totals_add_projects_and_say_how_many_projects_each_is_made_of(client, world):
    skien, horten = MunicipalityFactory(name="Skien"), MunicipalityFactory(name="Horten")
    world["project"].municipalities.add(skien)
    other = ProjectFactory()
    other.municipalities.add(horten)
    measure(world["project"], "i-egen-bolig", 13, 14, 2010)
    measure(other, "i-egen-bolig", 3, 5, 2010)
    [housing] = catalogue_totals(Project.objects.all())
    [(year, total)] = housing.by_year
    assert (year, total.value, total.denominator, total.project_count) == (2010, 16, 19, 2)
    assert [(name, t.value, t.project_count) for _y, name, t in housing.by_municipality] == [
        ("Horten", 3, 1),
        ("Skien", 13, 1),
    ]


def test_a_project_counts_with_its_latest_measurement_of_the_year_and_its_groups_are_added(world):
    measure(world["project"], "i-arbeid", 2, None, 2011)
    Measurement.objects.create(
        indicator=world["project"].indicators.get(), value=5, date=datetime.date(2011, 12, 1), date_precision="month"
    )
    measure(world["project"], "i-arbeid", 4, None, 2011, group="Første kull")
    [work] = catalogue_totals(Project.objects.all())
    [(_year, total)] = work.by_year
    assert (total.value, total.project_count, total.has_denominator) == (9, 1, False)


def test_a_member_sees_totals_of_their_own_projects_only(client, world):
    measure(world["project"], "i-egen-bolig", 13, 14, 2010)
    measure(ProjectFactory(), "i-egen-bolig", 500, 600, 2010)
    client.force_login(world["member"])
    page = client.get(reverse("projects:indicator_totals")).content.decode()
    assert "13</span> av 14" in page
    assert '<span class="figure">500</span>' not in page


def test_indicators_not_in_the_catalogue_are_not_totalled(client, world):
    Measurement.objects.create(
        indicator=IndicatorFactory(project=world["project"], name="Egen"), value=77, date=datetime.date(2010, 1, 1)
    )
    client.force_login(world["coordinator"])
    page = client.get(reverse("projects:indicator_totals")).content.decode()
    assert "Ingen prosjekter du kan se, har målt en indikator fra katalogen ennå." in page
    assert '<span class="figure">77</span>' not in page
