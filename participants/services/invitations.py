"""Accounts by invitation: a coordinator invites a participant by email, the person accepts with a password.

`invite()` needs an active consent to contact, writes an Invitation (only the token's hash), ends the person's
earlier unused links and sends one email; `accept_invitation()` creates a plain user account, links it to the
participant and marks the invitation used. Both refuse with InvitationRefused, changing nothing.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from kremlib.tasks import send_email_later

from ..models import ConsentPurpose, Invitation, Participant, hash_token
from .consent import has_consent

INVITATION_VALID_FOR = datetime.timedelta(days=7)


class InvitationRefused(Exception):
    """The invitation cannot be sent or accepted; the message says why, in words for the user."""


def username_for(email: str) -> str:
    return email.strip().lower()


def email_in_use(email: str) -> bool:
    return get_user_model().objects.filter(username__iexact=username_for(email)).exists()


@transaction.atomic
def invite(*, participant: Participant, email: str, invited_by, request) -> Invitation:
    """Invite a participant, of any perspective, to make an account: creates an Invitation valid for
    7 days and emails its single-use link. Earlier unused links of the same person stop working. Only
    with an active consent to contact.

    The raw token exists only in the email; the database keeps its hash. Without a broker, if the mail cannot be sent,
    the error propagates and nothing is saved."""
    if participant.user_id is not None:
        raise InvitationRefused(gettext("%(name)s already has an account.") % {"name": participant.display_name})
    if participant.anonymised_at is not None:
        raise InvitationRefused(gettext("An anonymised participant cannot be invited."))
    # The invitation is an email to the person: contact needs their consent (GDPR Art. 6), like any other contact.
    if not has_consent(participant, ConsentPurpose.CONTACT):
        raise InvitationRefused(
            gettext(
                "%(name)s has not consented to being contacted, so no invitation can be sent. Record the consent to contact first."
            )
            % {"name": participant.display_name}
        )
    email = username_for(email)
    if email_in_use(email):
        raise InvitationRefused(gettext("There is already an account with the username %(email)s.") % {"email": email})
    now = timezone.now()
    participant.invitations.filter(accepted_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        participant=participant,
        email=email,
        token_hash=token_hash,
        created_by=invited_by,
        created_at=now,
        expires_at=now + INVITATION_VALID_FOR,
    )
    context = {
        "participant": participant,
        "link": request.build_absolute_uri(reverse("participants:accept_invitation", args=[token])),
        "expires_at": invitation.expires_at,
        "terms": request.build_absolute_uri(reverse("participants:terms")),
    }
    # A task: inline without a broker (a failure propagates and nothing is saved), else queued after the commit.
    send_email_later(
        subject=render_to_string("participants/email/invitation_subject.txt", context).strip(),
        body=render_to_string("participants/email/invitation.txt", context),
        to=[email],
    )
    return invitation


def taken_message(username):
    return gettext(
        "There is already an account with the username %(email)s. Log in with it, or ask a "
        "coordinator to invite you with another email address."
    ) % {"email": username}


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, usable or not; None for a token we never issued."""
    return Invitation.objects.select_related("participant").filter(token_hash=hash_token(token)).first()


@transaction.atomic
def accept_invitation(*, token: str, password: str):
    """Create the account for an invitation: username and email are the invited address, lowercased.

    Links the account to the participant and marks the invitation accepted. A plain user: no staff flag,
    whatever the person's perspective. Raises InvitationRefused, changing nothing, when the link is
    used, expired or unknown, the person already has an account, or the username is taken (also by an
    acceptance at the same moment)."""
    token_hash = hash_token(token)
    email = Invitation.objects.filter(token_hash=token_hash).values_list("email", flat=True).first()
    # Lock every invitation to the address, always in the same order: the same link sent twice at once, or two
    # links to one address, wait for each other here, so that only one passes the checks below.
    list(Invitation.objects.select_for_update().filter(email=email).order_by("pk").values_list("pk"))
    invitation = Invitation.objects.filter(token_hash=token_hash).first()  # as it is now that it is locked
    if invitation is None or not invitation.is_usable:
        raise InvitationRefused(gettext("This invitation link is no longer valid."))
    participant = Participant.objects.select_for_update().get(pk=invitation.participant_id)
    if participant.user_id is not None or participant.anonymised_at is not None:
        raise InvitationRefused(gettext("This invitation link is no longer valid."))
    username = username_for(invitation.email)
    if email_in_use(username):
        raise InvitationRefused(taken_message(username))
    user = get_user_model()(username=username, email=username)
    user.set_password(password)
    user.save()
    participant.user = user
    participant.version += 1
    participant.save(update_fields=["user", "version", "updated_at"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user
