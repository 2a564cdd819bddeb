"""The life of a system change: dated steps in order, with who recorded them; a re-check date; the register."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from projects.forms import SystemChangeStepForm
from projects.models import SystemChange, SystemChangeStep
from tests.factories import CoordinatorFactory, OrganisationFactory, PartnershipFactory, ProjectFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    partner = OrganisationFactory(name="NAV Endringsby")
    project = ProjectFactory(title="Endringsprosjekt", slug="endring")
    PartnershipFactory(project=project, organisation=partner)
    change = SystemChange.objects.create(project=project, level="practice", description="Ny rutine for gruppearbeid")
    return {
        "project": project,
        "change": change,
        "member": member_of(partner, username="medlem-endring"),
        "outsider": member_of(OrganisationFactory(), username="utenfor-endring"),
        "coordinator": CoordinatorFactory(username="koord-endring"),
    }


def step(change, status, year, precision="year"):
    return SystemChangeStep.objects.create(
        change=change, status=status, date=datetime.date(year, 1, 1), date_precision=precision
    )


def step_form(change, **data):
    fields = {"status": "decided", "date": "2011-01-01", "date_precision": "year"}
    fields.update(data)
    return SystemChangeStepForm(fields, instance=SystemChangeStep(change=change))


def test_a_step_that_goes_back_is_refused_with_a_norwegian_message(world):
    step(world["change"], "implemented", 2011)
    form = step_form(world["change"], status="decided")
    assert not form.is_valid()
    assert form.errors["status"] == ["Endringen er allerede «Gjennomført»: neste steg må komme etter."]


def test_a_step_dated_before_the_previous_one_is_refused(world):
    step(world["change"], "proposed", 2011)
    form = step_form(world["change"], status="decided", date="2010-05-01")
    assert not form.is_valid()
    assert "date" in form.errors


def test_a_step_in_the_same_year_as_the_previous_one_known_to_the_year_is_allowed(world):
    step(world["change"], "proposed", 2011)
    form = step_form(world["change"], status="decided", date="2011-01-01", date_precision="year")
    assert form.is_valid(), form.errors


def test_nothing_follows_an_abandoned_change(world):
    step(world["change"], "proposed", 2010)
    step(world["change"], "abandoned", 2011)
    form = step_form(world["change"], status="verified", date="2012-01-01")
    assert not form.is_valid()
    assert "status" in form.errors


def test_a_change_may_be_abandoned_after_it_was_decided(world):
    step(world["change"], "decided", 2010)
    assert step_form(world["change"], status="abandoned", date="2012-01-01").is_valid()


def test_a_step_needs_a_date(world):
    form = step_form(world["change"], date="")
    assert not form.is_valid()
    assert "date" in form.errors


def test_the_database_refuses_the_same_status_twice(world):
    step(world["change"], "proposed", 2010)
    with pytest.raises(IntegrityError), transaction.atomic():
        step(world["change"], "proposed", 2011)


def test_a_coordinator_records_a_step_and_is_named_as_recorder(client, world):
    client.force_login(world["coordinator"])
    url = reverse("projects:step_create", args=["endring", world["change"].pk])
    response = client.post(url, {"status": "decided", "date": "2011-09-01", "date_precision": "season"})
    assert response.status_code == 302
    saved = world["change"].steps.get()
    assert (saved.status, saved.date, saved.recorded_by) == ("decided", datetime.date(2011, 9, 1), world["coordinator"])
    page = client.get(world["project"].get_absolute_url()).content.decode()
    assert "Vedtatt" in page


def test_a_refused_step_saves_nothing_and_says_why(client, world):
    step(world["change"], "verified", 2012)
    client.force_login(world["coordinator"])
    url = reverse("projects:step_create", args=["endring", world["change"].pk])
    response = client.post(url, {"status": "abandoned", "date": "2013-01-01", "date_precision": "year"})
    assert response.status_code == 200
    assert "intet steg kan følge" in response.content.decode()
    assert world["change"].steps.count() == 1


def test_a_member_may_not_record_a_step(client, world):
    client.force_login(world["member"])
    url = reverse("projects:step_create", args=["endring", world["change"].pk])
    assert client.post(url, {"status": "proposed", "date": "2011-01-01", "date_precision": "year"}).status_code == 403
    assert not world["change"].steps.exists()


def test_an_outsider_gets_404_for_the_step_form(client, world):
    client.force_login(world["outsider"])
    url = reverse("projects:step_create", args=["endring", world["change"].pk])
    assert client.post(url, {"status": "proposed", "date": "2011-01-01", "date_precision": "year"}).status_code == 404
    assert not world["change"].steps.exists()


def test_the_register_shows_current_status_and_the_ones_due_for_recheck(client, world):
    step(world["change"], "proposed", 2010)
    step(world["change"], "implemented", 2011)
    world["change"].recheck_date = timezone.localdate() - datetime.timedelta(days=1)
    world["change"].save()
    later = SystemChange.objects.create(
        project=world["project"],
        level="framework",
        description="Fast stilling som koordinator",
        recheck_date=timezone.localdate() + datetime.timedelta(days=300),
    )
    client.force_login(world["member"])
    register = reverse("projects:system_change_register")
    page = client.get(register).content.decode()
    assert "Gjennomført" in page and "Fast stilling" in page
    due = client.get(register, {"due": "on"}).content.decode()
    assert "Ny rutine" in due and later.description not in due
    implemented = client.get(register, {"status": "implemented"}).content.decode()
    assert "Ny rutine" in implemented and later.description not in implemented


def test_the_register_lists_no_change_of_a_project_one_does_not_see(client, world):
    client.force_login(world["outsider"])
    page = client.get(reverse("projects:system_change_register")).content.decode()
    assert "Ny rutine" not in page


def test_a_bad_filter_value_is_a_message_not_a_500(client, world):
    client.force_login(world["coordinator"])
    response = client.get(reverse("projects:system_change_register"), {"status": "'; DROP", "municipality": "x"})
    assert response.status_code == 200
