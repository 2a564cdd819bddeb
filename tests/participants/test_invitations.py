"""Accounts by invitation: a single-use link valid for 7 days; a password, the terms, an account, logged in."""

import datetime
import re

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from participants.models import Invitation, Participant, hash_token
from participants.services import INVITATION_VALID_FOR, InvitationRefused, invite
from tests.conftest import english
from tests.factories import ConsentFactory, InvitationFactory, ParticipantFactory, UserFactory
from tests.together import at_once

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD_PASSWORD = "lang-og-sikker-passordfrase"


@pytest.fixture
def newcomer(db):
    newcomer = ParticipantFactory(display_name="Nina Ny", perspective="staff", email="Nina.Ny@Example.org")
    ConsentFactory(participant=newcomer, purpose="contact")  # an invitation is an email: it needs this consent
    return newcomer


def invite_url(participant):
    return reverse("participants:participant_invite", args=[participant.pk])


def accept_url(token):
    return reverse("participants:accept_invitation", args=[token])


def link_in(message):
    return re.search(r"https?://\S+/invitasjon/(\S+)/", message.body)


def test_coordinator_invites_by_email_with_a_single_use_link(client, world, newcomer):
    client.force_login(world["coordinator"])
    assert client.get(invite_url(newcomer)).context["form"]["email"].initial == "Nina.Ny@Example.org"
    response = client.post(invite_url(newcomer), {"email": "Nina.Ny@Example.org"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.participant, invitation.email, invitation.created_by) == (
        newcomer,
        "nina.ny@example.org",
        world["coordinator"],
    )
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=7) == INVITATION_VALID_FOR
    [message] = mail.outbox
    assert message.to == ["nina.ny@example.org"]
    token = link_in(message).group(1)
    assert invitation.token_hash == hash_token(token)  # only the hash is stored
    assert token not in str(Invitation.objects.values_list())


def test_a_new_invitation_replaces_the_open_one(rf, world, newcomer):
    request = rf.get("/")
    first = invite(participant=newcomer, email="nina@example.org", invited_by=world["coordinator"], request=request)
    second = invite(participant=newcomer, email="nina@example.org", invited_by=world["coordinator"], request=request)
    first.refresh_from_db()
    assert not first.is_usable and second.is_usable


@pytest.mark.parametrize("case", ["has_account", "username_taken", "anonymised"])
def test_invitations_that_cannot_work_are_refused(rf, world, newcomer, case):
    if case == "has_account":
        newcomer = world["kari"]
    elif case == "username_taken":
        UserFactory(username="nina@example.org")
    else:
        newcomer.anonymised_at = timezone.now()
    with pytest.raises(InvitationRefused):
        invite(participant=newcomer, email="NINA@example.org", invited_by=world["coordinator"], request=rf.get("/"))
    assert not Invitation.objects.exists() and not mail.outbox


def test_an_invitation_needs_a_consent_to_contact(rf, world, newcomer):
    newcomer.consents.update(withdrawn_at=timezone.now())
    with (
        translation.override("en"),
        pytest.raises(InvitationRefused, match="Nina Ny has not consented to being contacted"),
    ):
        invite(participant=newcomer, email="nina@example.org", invited_by=world["coordinator"], request=rf.get("/"))
    assert not Invitation.objects.exists() and not mail.outbox


def test_the_invite_page_says_up_front_that_the_consent_is_missing_and_links_to_recording_it(client, world, newcomer):
    newcomer.consents.update(withdrawn_at=timezone.now())
    client.force_login(world["coordinator"])
    html = client.get(invite_url(newcomer)).content.decode()
    assert "needs their consent to being contacted" in html
    assert f'href="{reverse("participants:participant_detail", args=[newcomer.pk])}#consents"' in html
    assert 'name="email"' not in html  # no form that could only be refused
    response = client.post(invite_url(newcomer), {"email": "nina@example.org"})
    assert response.status_code == 200 and "needs their consent to being contacted" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_the_invite_form_explains_a_refusal(client, world, newcomer):
    UserFactory(username="nina@example.org")
    client.force_login(world["coordinator"])
    response = client.post(invite_url(newcomer), {"email": "nina@example.org"})
    assert response.status_code == 200
    assert "already an account" in response.context["form"].errors["email"][0]
    assert not Invitation.objects.exists()


def test_a_mail_server_that_fails_leaves_no_invitation(client, world, newcomer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens on port 9
    client.force_login(world["coordinator"])
    response = client.post(invite_url(newcomer), {"email": "nina@example.org"})
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_the_invitee_chooses_a_password_accepts_the_terms_and_is_logged_in(client, newcomer):
    InvitationFactory(participant=newcomer, email="nina.ny@example.org", token="secret-token")
    page = client.get(accept_url("secret-token"))
    assert page.status_code == 200 and "nina.ny@example.org" in page.content.decode()
    response = client.post(
        accept_url("secret-token"), {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "accept_terms": "on"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("participants:my_page")
    user = User.objects.get(username="nina.ny@example.org")
    assert (user.email, user.is_staff, user.is_superuser, user.is_active) == ("nina.ny@example.org", False, False, True)
    assert user.check_password(GOOD_PASSWORD)
    newcomer.refresh_from_db()
    assert newcomer.user == user
    assert Invitation.objects.get().accepted_at is not None
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.get(reverse("participants:my_page")).context["participant"] == newcomer


def test_staff_and_service_users_get_the_same_kind_of_account(client, world):
    for n, perspective in enumerate(["staff", "lived_experience"]):
        InvitationFactory(
            participant=ParticipantFactory(perspective=perspective), email=f"p{n}@example.org", token=f"t{n}"
        )
        client.post(accept_url(f"t{n}"), {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "accept_terms": "on"})
    accounts = User.objects.filter(username__in=["p0@example.org", "p1@example.org"])
    assert {(u.is_staff, u.is_superuser, u.groups.count()) for u in accounts} == {(False, False, 0)}


@pytest.mark.parametrize(
    "data, field",
    [
        ({"password1": "elleve-tegn", "password2": "elleve-tegn", "accept_terms": "on"}, "password1"),  # 11 < 12
        ({"password1": "123456789012345", "password2": "123456789012345", "accept_terms": "on"}, "password1"),
        ({"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "x", "accept_terms": "on"}, "password2"),
        ({"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}, "accept_terms"),
        ({"password1": "nina.ny@example.org", "password2": "nina.ny@example.org", "accept_terms": "on"}, "password1"),
    ],
)
def test_bad_input_creates_no_account(client, newcomer, data, field):
    InvitationFactory(participant=newcomer, email="nina.ny@example.org", token="secret-token")
    response = client.post(accept_url("secret-token"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(username="nina.ny@example.org").exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize("state", ["expired", "used", "has_account"])
def test_a_used_or_expired_link_shows_410_and_changes_nothing(client, world, newcomer, state):
    invitation = InvitationFactory(participant=newcomer, email="nina@example.org", token="old-token")
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif state == "used":
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    else:
        invitation = InvitationFactory(participant=world["kari"], email="kari2@example.org", token="old-token-2")
    token = "old-token-2" if state == "has_account" else "old-token"
    users = User.objects.count()
    assert client.get(accept_url(token)).status_code == 410
    response = client.post(
        accept_url(token), {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "accept_terms": "on"}
    )
    assert response.status_code == 410
    assert "The link does not work" in response.content.decode()
    assert User.objects.count() == users
    assert SESSION_KEY not in client.session


def test_an_unknown_link_shows_404(client, newcomer):
    assert client.get(accept_url("never-issued")).status_code == 404
    assert client.post(accept_url("never-issued"), {"password1": GOOD_PASSWORD}).status_code == 404


def test_a_taken_username_is_refused_clearly_when_accepting(client, newcomer):
    InvitationFactory(participant=newcomer, email="nina@example.org", token="secret-token")
    UserFactory(username="Nina@Example.org")  # made after the invitation, e.g. by an admin
    response = client.post(
        accept_url("secret-token"), {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "accept_terms": "on"}
    )
    assert response.status_code == 200
    assert "already an account with the username nina@example.org" in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.user is None and Invitation.objects.get().accepted_at is None


def test_the_link_works_only_once(client, newcomer):
    InvitationFactory(participant=newcomer, email="nina@example.org", token="secret-token")
    data = {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "accept_terms": "on"}
    assert client.post(accept_url("secret-token"), data).status_code == 302
    client.logout()
    assert client.post(accept_url("secret-token"), data).status_code == 410
    assert Participant.objects.filter(user__isnull=False).count() == 1


def test_the_service_refuses_a_link_that_went_stale_between_page_and_post(newcomer):
    from participants.services import accept_invitation

    invitation = InvitationFactory(participant=newcomer, email="nina@example.org", token="secret-token")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(InvitationRefused):
        accept_invitation(token="secret-token", password=GOOD_PASSWORD)
    InvitationFactory(participant=newcomer, email="nina@example.org", token="second")
    newcomer.anonymised_at = timezone.now()
    newcomer.save()
    with pytest.raises(InvitationRefused):
        accept_invitation(token="second", password=GOOD_PASSWORD)
    assert not User.objects.filter(username="nina@example.org").exists()


def test_the_terms_page_is_public_and_linked_from_every_footer(client, world):
    terms = reverse("participants:terms")
    response = client.get(terms)
    assert response.status_code == 200 and "What we store" in response.content.decode()
    assert f'href="{terms}"' in client.get(reverse("login")).content.decode()


USED = "This invitation has already been used."
TAKEN = "There is already an account with the username nina@example.org."


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("links", [1, 2], ids=["one link", "two links to one address"])
def test_six_simultaneous_accepts_make_one_account_and_tell_the_others_why(links):
    """The same link sent six times at once (a double click, a reload), or two people invited with the same
    address: one account, and every other request a page that says why, never a 500 ("database is locked")."""
    for n in range(links):
        InvitationFactory(participant=ParticipantFactory(), email="nina@example.org", token=f"link-{n}")
    data = {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "accept_terms": "on"}
    clients = [english(Client()) for _ in range(6)]
    responses = at_once(
        *(
            lambda client=client, n=n: client.post(accept_url(f"link-{n % links}"), data)
            for n, client in enumerate(clients)
        )
    )
    statuses = [getattr(response, "status_code", response) for response in responses]
    assert statuses.count(302) == 1, statuses
    for response in responses:
        if response.status_code != 302:
            assert response.status_code in (200, 410), statuses
            html = response.content.decode()
            assert USED in html or TAKEN in html, html
    assert User.objects.filter(username="nina@example.org").count() == 1
    assert Participant.objects.filter(user__isnull=False).count() == 1
    assert Invitation.objects.filter(accepted_at__isnull=False).count() == 1
