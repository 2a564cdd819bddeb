"""Consent per purpose: asking for it, recording it and withdrawing it.

Other apps ask `has_consent()` before they quote, photograph or contact a person, and `contact_details()` for
what they may show of how to reach them; both only read, one query, never cached. `record_consent()` writes
one Consent row (the database keeps one active consent per purpose); `withdraw_consent()` dates the row, which
stays, and what depended on it stops at once.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.rules import is_coordinator

from ..models import Consent, ConsentPurpose, Participant


def has_consent(participant: Participant | None, purpose: str) -> bool:
    """Does the person have an active consent for `purpose` right now? One query, never cached.

    False for no person, for an anonymised record, and from the moment a consent is withdrawn."""
    if participant is None or participant.pk is None or participant.anonymised_at is not None:
        return False
    return Consent.objects.active().filter(participant=participant, purpose=purpose).exists()


@dataclass(frozen=True)
class Contact:
    email: str
    phone: str
    consented: bool


def contact_details(participant: Participant, *, user) -> Contact | None:
    """How `user` may reach `participant`, or None when nothing may be shown.

    The person themself and coordinators see what is stored (coordinators with `consented` telling whether
    they may use it). Anyone else, and every export to others, sees contact details only with an active
    CONTACT consent."""
    if not (participant.email or participant.phone):
        return None
    consented = has_consent(participant, ConsentPurpose.CONTACT)
    own = user.is_authenticated and participant.user_id == user.pk
    if consented or own or is_coordinator(user):
        return Contact(email=participant.email, phone=participant.phone, consented=consented)
    return None


class ConsentAlreadyActive(Exception):
    """The person already has an active consent for this purpose."""


def record_consent(*, participant: Participant, purpose: str, recorded_by, given_at=None, method: str = "") -> Consent:
    """Record a consent for one purpose, given `method` (orally, on paper, digitally; "" unknown), recorded
    now by `recorded_by`. The database keeps one active consent per purpose: a second raises
    ConsentAlreadyActive and changes nothing."""
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: the request's transaction stays usable after the error
            return Consent.objects.create(
                participant=participant,
                purpose=purpose,
                method=method,
                recorded_by=recorded_by,
                recorded_at=now,
                given_at=given_at or now,
            )
    except IntegrityError:
        if Consent.objects.active().filter(participant=participant, purpose=purpose).exists():
            raise ConsentAlreadyActive from None
        raise


@transaction.atomic
def withdraw_consent(*, consent: Consent, by, at=None) -> Consent:
    """Withdraw a consent as of `at` (default now). The row stays, with the date and who withdrew it.

    Withdrawing twice keeps the first date. What depended on the consent stops at once: has_consent()
    answers False from this moment."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = at or timezone.now()
        consent.withdrawn_by = by if by is not None and by.is_authenticated else None
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return consent
