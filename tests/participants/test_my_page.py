"""Min side: the person's profile, consents, invitations and who looked at their data."""

import pytest
from django.urls import reverse

from participants.models import AccessLog, Participant
from tests.factories import ConsentFactory, InvitationFactory

pytestmark = pytest.mark.django_db
MY_PAGE = reverse("participants:my_page")


def test_the_person_sees_who_looked_at_their_data(client, world):
    client.force_login(world["coordinator"])
    client.get(reverse("participants:participant_detail", args=[world["kari"].pk]))
    client.force_login(world["person"])
    response = client.get(MY_PAGE)
    assert [(e.actor, e.action) for e in response.context["page"]] == [(world["coordinator"], "view")]
    html = response.content.decode()
    # Other people's accounts by their role (account names are for coordinators).
    assert "a coordinator" in html and "koord" not in html and "Registry page" in html
    assert AccessLog.objects.count() == 1  # looking at one's own page is not logged


def test_the_page_shows_consents_and_invitations(client, world):
    ConsentFactory(participant=world["kari"], purpose="contact")
    InvitationFactory(participant=world["kari"], email="kari@example.org", created_by=world["coordinator"])
    client.force_login(world["person"])
    html = client.get(MY_PAGE).content.decode()
    assert "Withdraw consent to contact by email or phone" in html
    assert "My invitations" in html


def test_the_person_edits_their_own_profile(client, world):
    kari = world["kari"]
    client.force_login(world["person"])
    response = client.post(
        MY_PAGE,
        {
            "profile-display_name": "Kari N.",
            "profile-email": "ny@example.org",
            "profile-phone": "",
            "profile-version": kari.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == MY_PAGE
    kari.refresh_from_db()
    assert (kari.display_name, kari.email, kari.phone, kari.version) == ("Kari N.", "ny@example.org", "", 2)
    assert kari.perspective == "lived_experience" and kari.organisation.name == "Brukerforum Larvik"


def test_bad_profile_input_changes_nothing(client, world):
    client.force_login(world["person"])
    before = list(Participant.objects.values())
    for data in [
        {"profile-display_name": "", "profile-email": "x"},
        {"profile-display_name": "01019012345", "profile-email": ""},
        {"profile-display_name": "Kari", "profile-email": "", "profile-version": 0},
    ]:
        response = client.post(MY_PAGE, data)
        assert response.status_code == 200 and response.context["form"].errors
    assert list(Participant.objects.values()) == before


def test_the_person_cannot_change_their_perspective_or_organisation(client, world):
    kari = world["kari"]
    client.force_login(world["person"])
    client.post(
        MY_PAGE,
        {
            "profile-display_name": "Kari",
            "profile-perspective": "staff",
            "profile-organisation": "",
            "profile-version": kari.version,
        },
    )
    kari.refresh_from_db()
    assert kari.perspective == "lived_experience" and kari.organisation is not None


def test_an_edit_that_crosses_a_coordinators_edit_is_refused_and_shows_theirs(client, world):
    kari = world["kari"]
    opened = kari.version
    client.force_login(world["coordinator"])
    client.post(
        reverse("participants:participant_edit", args=[kari.pk]),
        {"display_name": "Kari Nordmann", "perspective": "staff", "email": "", "phone": "", "version": opened},
    )
    client.force_login(world["person"])
    response = client.post(MY_PAGE, {"profile-display_name": "Kari K.", "profile-email": "", "profile-version": opened})
    assert response.status_code == 200
    assert response.context["form"].conflict is not None
    kari.refresh_from_db()
    assert (kari.display_name, kari.perspective) == ("Kari Nordmann", "staff")
