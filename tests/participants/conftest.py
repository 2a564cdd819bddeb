import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    ParticipantFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English: these tests read the msgids, whatever the Norwegian catalogue says.

    The locale middleware leaves the last request's language active in the thread; put the site's default
    back afterwards, so that later tests (which expect Norwegian outside requests) are not affected."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    """A coordinator; Kari, a service user with an account; and an outsider with a record of their own."""
    kari_user = UserFactory(username="kari@example.org", email="kari@example.org")
    kari = ParticipantFactory(
        display_name="Kari Nordmann",
        user=kari_user,
        email="kari@example.org",
        phone="912 34 567",
        organisation=OrganisationFactory(name="Brukerforum Larvik"),
    )
    outsider_user = UserFactory(username="utenfor")
    ParticipantFactory(
        display_name="Ola Utenfor", user=outsider_user, organisation=OrganisationFactory(name="Annen etat")
    )
    return {
        "coordinator": CoordinatorFactory(username="koord"),
        "kari": kari,
        "person": kari_user,
        "outsider": outsider_user,
        "no_record": UserFactory(username="uten-deltakerpost"),
    }
