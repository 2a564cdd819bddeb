"""Shared set-up for the attendance, outcome, action and voice-balance tests."""

from tests.conftest import english
from tests.factories import (
    CoordinatorFactory,
    HeldDialogueFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    member_of,
)

ROLES = ["anonymous", "outsider", "member", "coordinator"]


def make_world():
    """A project with one partner organisation and a dialogue held two days ago; a member of the partner,
    an outsider from another organisation, and a coordinator."""
    partner = OrganisationFactory(name="NAV Partnerby")
    project = ProjectFactory(title="Dialog i Partnerby", slug="dialog-i-partnerby")
    PartnershipFactory(project=project, organisation=partner, role="lead")
    return {
        "project": project,
        "partner": partner,
        "dialogue": HeldDialogueFactory(project=project, title="Dialogseminar i Partnerby"),
        "member": member_of(partner, username="medlem"),
        "outsider": member_of(OrganisationFactory(name="Annen etat"), username="utenfor"),
        "coordinator": CoordinatorFactory(username="koord"),
    }


def as_role(client, world, role):
    """The test client, logged in as the role (or not at all), asking for pages in English.

    English msgids make the assertions independent of the Norwegian translations."""
    english(client)
    if role != "anonymous":
        client.force_login(world[role])
    return client


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith("/logg-inn/")
