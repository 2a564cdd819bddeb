"""Who a notice goes to, whether by email, at which address, in which language, and whose naming policy it follows.

- A participant record decides: email only with an active consent to contact (ConsentPurpose.CONTACT), to the
  record's address (else its account's), never after anonymisation.
- An account without a participant record (staff and coordinators, users of the system at work) gets email at
  the account's address: that is their work address, and the notices are about their work. They opt out per
  kind like anyone (README, "Reminders and the job queue").
- An opt-out of the kind means no email; the notice is still listed in the app for someone with an account.
- Nobody without an account and without email gets a notice at all: there would be nowhere to show it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from participants.models import Consent, ConsentPurpose

from .models import NoticeLanguage, OptOut


@dataclass(frozen=True)
class Recipient:
    key: str
    user: object = None
    participant: object = None
    address: str = ""  # where email may go; "" means in-app only

    @property
    def reader(self):
        """The reader whose naming policy the email follows: the account, or (no account) someone who sees no names."""
        return self.user if self.user is not None else AnonymousUser()


def key_for(*, participant=None, user=None) -> str:
    if participant is None and user is not None:
        participant = getattr(user, "participant", None)
    return f"p:{participant.pk}" if participant is not None else f"u:{user.pk}"


def may_contact(participant) -> bool:
    if participant.anonymised_at is not None:
        return False
    consents = getattr(participant, "krem_contact_consents", None)
    if consents is not None:
        return bool(consents)
    return Consent.objects.active().filter(participant=participant, purpose=ConsentPurpose.CONTACT).exists()


def for_participant(participant):
    """The recipient for a participant record, or None when nothing may reach them."""
    user = participant.user if participant.user_id and participant.user.is_active else None
    address = ""
    if may_contact(participant):
        address = participant.email or (user.email if user is not None else "")
    if not address and user is None:
        return None
    return Recipient(key=key_for(participant=participant), user=user, participant=participant, address=address)


def for_user(user):
    """The recipient for an account: its participant record decides when it has one."""
    if not user.is_active:
        return None
    participant = getattr(user, "participant", None)
    if participant is not None:
        return for_participant(participant)
    return Recipient(key=key_for(user=user), user=user, address=user.email)


def opted_out(key, kind) -> bool:
    return OptOut.objects.filter(recipient_key=key, kind=kind).exists()


def language_of(key) -> str:
    chosen = NoticeLanguage.objects.filter(recipient_key=key).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE
