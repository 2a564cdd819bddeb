"""Workflows of participant records: consent, invitations, the access log, export, merging and erasure.

Other apps ask here before they quote, photograph or contact a person:

    from participants.models import ConsentPurpose
    from participants.services import has_consent, contact_details
    if has_consent(insight.participant, ConsentPurpose.QUOTING): ...

Nothing here is cached: a withdrawn consent counts from the moment it is withdrawn.
"""

import calendar
import datetime
import json
import operator
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce

from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from krem.versioning import Versioned
from projects.rules import is_coordinator

from . import registry
from .models import (
    AccessLog,
    Consent,
    ConsentPurpose,
    Invitation,
    MergedRecord,
    Participant,
    hash_token,
)
from .personal_data import PersonalData
from .queries import inactive_since

INVITATION_VALID_FOR = datetime.timedelta(days=7)


# The access log


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed")
    EXPORT = "export", _("exported")
    MERGE = "merge", _("merged a duplicate into")
    ANONYMISE = "anonymise", _("anonymised")


class AccessReason(models.TextChoices):
    """Reasons the app gives by itself. A coordinator may also type their own, which is shown as typed."""

    REGISTRY = "registry detail", _("Registry page")
    OWN_REQUEST = "own request", _("The person's own request (GDPR Art. 15)")
    ACCESS_REQUEST = "access request", _("Access request (GDPR Art. 15)")
    ERASURE = "erasure", _("Erasure (GDPR Art. 17)")
    RETENTION = "retention", _("Retention period ended")
    DUPLICATE = "duplicate", _("Duplicate record")


def log_access(*, actor, participant: Participant, action: str, reason: str) -> AccessLog:
    """Append who looked at or exported whose data, when and why. Writes one AccessLog row."""
    return AccessLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        participant=participant,
        action=action,
        reason=str(reason)[: AccessLog._meta.get_field("reason").max_length],
    )


# Consent


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


def record_consent(*, participant: Participant, purpose: str, recorded_by, given_at=None) -> Consent:
    """Record a consent for one purpose. The database keeps one active consent per purpose: a second
    raises ConsentAlreadyActive and changes nothing."""
    try:
        with transaction.atomic():  # a savepoint: the request's transaction stays usable after the error
            return Consent.objects.create(
                participant=participant, purpose=purpose, recorded_by=recorded_by, given_at=given_at or timezone.now()
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


# Accounts by invitation


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

    The raw token exists only in the email; the database keeps its hash. If the mail cannot be sent,
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
    send_mail(
        subject=render_to_string("participants/email/invitation_subject.txt", context).strip(),
        message=render_to_string("participants/email/invitation.txt", context),
        from_email=None,
        recipient_list=[email],
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


# Access (GDPR Art. 15)


def _history_rows(queryset, fields, who):
    return [
        {
            "history_id": row.history_id,
            "date": row.history_date,
            "change": row.get_history_type_display(),
            "changed_by": who(row.history_user),
            **{name: getattr(row, name) for name in fields},
        }
        for row in queryset.select_related("history_user").order_by("history_date", "history_id")
    ]


def export_data(participant: Participant, *, reader) -> dict:
    """Everything the app holds about a person, for GDPR Art. 15, as a JSON-serialisable dict.

    Includes their change history: the historical rows of their record and of their insights, feedback
    and comments. Other people's accounts (who recorded a consent, who changed a row, who looked) are named as
    the naming policy lets `reader` see them: names for coordinators, "you" and roles for the person."""
    names = PersonalData(reader)

    def _who(account):
        return names.user_label(account) or (None if account is None else gettext("another user"))

    user = participant.user
    own_ids = {
        rows.section: list(rows.model._default_manager.filter(**{rows.field: participant}).values_list("pk", flat=True))
        for rows in registry.ROWS
        if rows.history
    }
    return {
        "exported_at": timezone.now(),
        "participant": {
            "id": participant.pk,
            "display_name": participant.display_name,
            "usual_perspective": participant.perspective,
            "organisation": participant.organisation.name if participant.organisation else None,
            "email": participant.email,
            "phone": participant.phone,
            "created_at": participant.created_at,
            "updated_at": participant.updated_at,
            "anonymised_at": participant.anonymised_at,
            "account": None
            if user is None
            else {
                "username": user.username,
                "email": user.email,
                "date_joined": user.date_joined,
                "last_login": user.last_login,
                "is_active": user.is_active,
            },
        },
        # What the apps hold (registry.ROWS): attendances, insights, feedback, comments, actions, facilitation.
        **{rows.section: rows.export(participant) for rows in registry.ROWS if rows.export is not None},
        "consents": [
            {
                "purpose": c.purpose,
                "purpose_label": str(c.get_purpose_display()),
                "given_at": c.given_at,
                "recorded_by": _who(c.recorded_by),
                "withdrawn_at": c.withdrawn_at,
                "withdrawn_by": _who(c.withdrawn_by),
            }
            for c in participant.consents.select_related("recorded_by", "withdrawn_by").order_by("given_at", "pk")
        ],
        "invitations": [
            {
                "email": i.email,
                "sent_at": i.created_at,
                "expires_at": i.expires_at,
                "accepted_at": i.accepted_at,
                "invited_by": _who(i.created_by),
            }
            for i in participant.invitations.select_related("created_by").order_by("created_at", "pk")
        ],
        "access_log": [
            {"at": entry.at, "who": _who(entry.actor), "action": entry.action, "reason": entry.reason}
            for entry in participant.access_log.select_related("actor").order_by("at", "pk")
        ],
        "history": {
            "participant": _history_rows(
                Participant.history.filter(id=participant.pk),
                ["display_name", "perspective", "organisation_id", "email", "phone", "user_id", "anonymised_at"],
                _who,
            ),
            **{
                rows.section: _history_rows(rows.model.history.filter(id__in=own_ids[rows.section]), rows.history, _who)
                for rows in registry.ROWS
                if rows.history
            },
        },
    }


# Merging duplicates


class MergeRefused(Exception):
    """The two records cannot be merged; the message says why, in words for the user."""


def _move_consents(keep, duplicate, by, now):
    kept_active = {c.purpose: c for c in keep.consents.active()}
    for consent in duplicate.consents.order_by("given_at"):
        other = kept_active.get(consent.purpose) if consent.is_active else None
        if other is not None:
            # One active consent per purpose: the earlier one stays active, the later one is closed as of the merge.
            later = consent if consent.given_at >= other.given_at else other
            later.withdrawn_at, later.withdrawn_by = now, by
            later.save(update_fields=["withdrawn_at", "withdrawn_by"])
        consent.participant = keep
        consent.save(update_fields=["participant"])


def _remaining_relations(participant):
    """Related rows still pointing at `participant`: deleting it would take them along."""
    return [
        relation.get_accessor_name()
        for relation in participant._meta.related_objects
        if relation.related_model._base_manager.filter(**{relation.field.name: participant}).exists()
    ]


@transaction.atomic
def merge(*, keep: Participant, duplicate: Participant, by) -> Participant:
    """Merge `duplicate` into `keep` and delete `duplicate`, in one transaction.

    Moves attendances (one row per dialogue: the kept record's row wins), insights, feedback, outcome
    comments, follow-up actions, facilitation, consents, invitations, access-log rows and the user
    account. Contact details and organisation fill gaps in the kept record. The duplicate's id, and the ids
    merged into it before, are kept as MergedRecords of `keep`, so that erasure still finds their history.
    Refuses (MergeRefused, nothing changed) when both have user accounts, when either is anonymised, or when
    they are the same."""
    if keep.pk == duplicate.pk:
        raise MergeRefused(gettext("A record cannot be merged with itself."))
    records = Participant.objects.select_for_update().in_bulk([keep.pk, duplicate.pk])
    keep, duplicate = records[keep.pk], records[duplicate.pk]
    if keep.anonymised_at or duplicate.anonymised_at:
        raise MergeRefused(gettext("An anonymised record cannot be merged."))
    if keep.user_id and duplicate.user_id:
        raise MergeRefused(
            gettext(
                "Both records have a user account, so they cannot be merged here. Deactivate one of the "
                "accounts in the admin first, and unlink it from its participant."
            )
        )
    now = timezone.now()

    for rows in registry.ROWS:  # what the apps hold: attendances, facilitation, insights, feedback, ...
        if rows.move is not None:
            rows.move(keep, duplicate)
            continue
        for row in rows.model._default_manager.filter(**{rows.field: duplicate}):
            setattr(row, rows.field, keep)  # one by one, so each move is in the change history
            row.save(update_fields=[rows.field])
    _move_consents(keep, duplicate, by, now)
    duplicate.invitations.update(participant=keep)
    # The access log is append-only for the app; a merge keeps every row, now under the kept record.
    AccessLog.objects.filter(participant=duplicate).update(participant=keep)
    # Erasure must still find the duplicate's history and admin log by its id, and those of records merged into it.
    duplicate.merged_records.update(participant=keep)
    MergedRecord.objects.create(participant=keep, merged_id=duplicate.pk, merged_at=now)

    user = duplicate.user
    if user is not None:
        duplicate.user = None
        duplicate.save(update_fields=["user"])
        keep.user = user
    for field in ("email", "phone", "organisation"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    keep.version += 1
    keep.save()

    remaining = _remaining_relations(duplicate)
    if remaining:  # a relation added later that this function does not know yet: lose nothing, refuse
        raise MergeRefused(
            gettext("The duplicate still has data this merge cannot move: %(what)s.") % {"what": ", ".join(remaining)}
        )
    duplicate_pk = duplicate.pk
    duplicate.delete()
    log_access(
        actor=by, participant=keep, action=AccessAction.MERGE, reason=f"{AccessReason.DUPLICATE} #{duplicate_pk}"
    )
    return keep


# Erasure (GDPR Art. 17)


def anonymous_label(pk: int) -> str:
    """The neutral name an anonymised record gets. It is stored data, like any name, so it is written once in
    the language the records are kept in (Norwegian), not translated per reader."""
    return f"Anonym deltaker #{pk}"


# Shorter names ("Bo", "Li") are ordinary words in too many sentences to be replaced automatically.
MIN_IDENTIFIER_LENGTH = 3


def _identifier_words(identifiers) -> list[str]:
    """The identifiers long enough to replace, longest first (an email before its name part)."""
    words = {i.strip() for i in identifiers if i and len(i.strip()) >= MIN_IDENTIFIER_LENGTH}
    return sorted(words, key=len, reverse=True)


def _identifier_pattern(identifiers):
    """Whole-word, case-insensitive matches of any identifier; with none left, a pattern that matches nothing."""
    words = _identifier_words(identifiers)
    return re.compile("|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in words) or r"(?!)", re.IGNORECASE)


def _scrub_rows(queryset, fields, pattern, label, **also):
    """Replace the identifiers in `fields` of every row with `label` (and set `also` on every row), without new
    history rows. A live row of a Versioned model whose text changes gets a new version, so that an edit form
    opened before, with the name in it, is refused instead of writing the name back."""
    model = queryset.model
    limits = {field: model._meta.get_field(field).max_length for field in fields}
    for pk, *texts in queryset.values_list("pk", *fields):
        changes = {
            field: pattern.sub(label, text)[: limits[field]]
            for field, text in zip(fields, texts)
            if text and pattern.search(text)
        }
        if changes and issubclass(model, Versioned):
            changes["version"] = F("version") + 1
        if changes or also:
            model._base_manager.filter(pk=pk).update(**changes, **also)


def _personal_texts():
    """The person's own texts (registry.ROWS with a `text`): the model, the field that holds the text and the one
    that links them to the person."""
    return [(rows.model, rows.text, rows.field) for rows in registry.ROWS if rows.text]


def _person_ids(participant) -> list[int]:
    """The record's id and the ids of every record merged into it."""
    return [participant.pk, *participant.merged_records.values_list("merged_id", flat=True)]


def _identifiers(participant, ids) -> list[str]:
    """What names the person: the current and earlier names, emails and phones of the record and of every record
    merged into it (their change history keeps them), and the account's username, email and full name."""
    identifiers = [participant.display_name, participant.email, participant.phone]
    for row in Participant.history.filter(id__in=ids).values_list("display_name", "email", "phone"):
        identifiers += row
    user = participant.user
    if user is not None:
        identifiers += [user.username, user.email, user.get_full_name()]
    return identifiers


def _taken_part_in(ids) -> dict[str, set[int]]:
    """What the person (any of `ids`) took part in, per scope ("dialogue", "project"), as the apps find it
    (registry.TOOK_PART): the dialogues they attended, facilitated, wrote in, ..., and those dialogues' projects."""
    scope = defaultdict(set)
    for took_part in registry.TOOK_PART:
        for where, pks in took_part.find(ids).items():
            scope[where] |= pks
    return scope


def _shared_texts(scope):
    """Per entry of registry.SHARED_TEXTS in `scope`: the model, its text fields, the lookup to its dialogue or
    project, and its live and historical rows (soft-deleted ones too)."""
    for texts in registry.SHARED_TEXTS:
        model, fields, where, lookup = texts.model, texts.fields, texts.scope, texts.lookup
        rows = {f"{lookup}__in": scope[where]}
        yield model, fields, lookup, model._base_manager.filter(**rows), model.history.filter(**rows)


@dataclass(frozen=True)
class NamingText:
    kind: str
    field: str
    where: str
    text: str
    words: list[str]


def texts_naming(participant: Participant) -> list[NamingText]:
    """The texts in the dialogues and projects the person took part in (registry.SHARED_TEXTS) that name them,
    as they are now, with the words anonymise() would replace. Changes nothing: the confirmation page lists them,
    so that a coordinator can see, and reword first, a text where a name that is also a common word would go."""
    ids = _person_ids(participant)
    pattern = _identifier_pattern(_identifiers(participant, ids))
    found = []
    for model, fields, lookup, live, _history in _shared_texts(_taken_part_in(ids)):
        title = "title" if lookup == "id" else f"{lookup}__title"
        for where, *texts in live.order_by("pk").values_list(title, *fields):
            for field, text in zip(fields, texts):
                words = sorted({match.group(0) for match in pattern.finditer(text)})
                if words:
                    found.append(
                        NamingText(
                            kind=capfirst(model._meta.verbose_name),
                            field=capfirst(model._meta.get_field(field).verbose_name),
                            where=where,
                            text=text,
                            words=words,
                        )
                    )
    return found


def end_sessions(user) -> int:
    """Log `user` out everywhere at once: delete every session that belongs to them. Returns how many."""
    mine = [s.pk for s in Session.objects.iterator() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


def _forget_login_records(usernames):
    """django-axes keeps failed logins by username (ours are email addresses); drop the person's."""
    from axes.models import AccessAttempt, AccessFailureLog
    from axes.models import AccessLog as LoginLog

    for model in (AccessAttempt, AccessFailureLog, LoginLog):
        for username in usernames:
            model.objects.filter(username__iexact=username).delete()


def _deactivate_account(user, pattern, label):
    """No login, no password, no name: the account stays only so that old references still resolve."""
    old_usernames = [user.username, user.email]
    user.username = f"anonymised-{user.pk}"
    user.email = user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()  # also invalidates every password-reset link
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    end_sessions(user)
    for rows in registry.ACCOUNT_ROWS:  # e.g. the calendar feed
        rows.model.objects.filter(**{rows.field: user}).delete()
    _forget_login_records([name for name in old_usernames if name])
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk))
    _scrub_rows(entries, ("change_message",), pattern, label, object_repr=user.username)


def _scrub_admin_log(ids, identifiers, label):
    """Entries about the record or a record merged into it get the label as their description; entries about
    anything else (an attendance is "<name> @ <dialogue>") whose description or change message names the person
    have the names replaced. Django writes change messages as JSON with non-ASCII letters escaped
    ("\\u00f8"), so those spellings are replaced too."""
    words = _identifier_words([*identifiers, *(json.dumps(i)[1:-1] for i in identifiers if i)])
    pattern = _identifier_pattern(words)
    participant_type = ContentType.objects.get_for_model(Participant)
    about_them = LogEntry.objects.filter(content_type=participant_type, object_id__in=[str(pk) for pk in ids])
    _scrub_rows(about_them, ("change_message",), pattern, label, object_repr=label)
    # The database finds the candidates, the whole-word pattern decides. SQLite's LIKE ignores the case of ASCII
    # letters only, hence the spellings.
    spellings = {spelling for word in words for spelling in (word, word.lower(), word.upper(), word.title())}
    naming = reduce(
        operator.or_,
        (Q(object_repr__icontains=spelling) | Q(change_message__icontains=spelling) for spelling in spellings),
        Q(pk__in=[]),
    )
    _scrub_rows(LogEntry.objects.filter(naming), ("object_repr", "change_message"), pattern, label)


@transaction.atomic
def anonymise(*, participant: Participant, by, reason: str = AccessReason.ERASURE) -> Participant:
    """Erase a person while keeping every count: GDPR Art. 17.

    The record stays (same pk, same perspective), so attendance and insights still count as before; its
    name becomes "Anonym deltaker #<pk>" and its email, phone and organisation are emptied, in the live
    row and in every historical row, also those of the records merged into it (their ids stay as MergedRecords).

    What names the person (the current and earlier names, emails and phones of the record and of the records
    merged into it, and the account's username, email and full name) is replaced by that label, as a whole
    word and ignoring case, live and in the change history:
    - in their own texts (insights, feedback, comments, follow-up actions), whose historical rows also lose
      the link to the person, as do the historical rows of their attendances and consents;
    - in the texts anyone wrote in the dialogues they attended, facilitated, answer an action in or wrote in,
      and in those dialogues' projects (registry.SHARED_TEXTS);
    - in their access-log reasons, and in the admin log: entries about the record, a merged record or the
      account, and entries about anything else that name them.
    A name shorter than MIN_IDENTIFIER_LENGTH is not replaced in text. A name that is also a common word
    ("Sol", "Fjell") is replaced wherever it stands as a whole word in those texts: erasure errs on the side
    of the person, and the confirmation page lists the texts beforehand (texts_naming()) so that a coordinator
    can reword them first. Texts outside those dialogues and projects are not searched.

    Active consents are withdrawn, invitations deleted. A user account is deactivated, renamed and logged out
    everywhere. Writes one AccessLog row. Anonymising twice changes nothing more."""
    participant = Participant.objects.select_for_update(of=("self",)).select_related("user").get(pk=participant.pk)
    if participant.anonymised_at is not None:
        return participant
    now = timezone.now()
    label = anonymous_label(participant.pk)
    user = participant.user
    ids = _person_ids(participant)
    identifiers = _identifiers(participant, ids)
    pattern = _identifier_pattern(identifiers)
    scope = _taken_part_in(ids)  # before the attendance history loses the link

    for model, field, link in _personal_texts():
        mine = model.objects.filter(**{link: participant})
        text_ids = list(mine.values_list("pk", flat=True))
        _scrub_rows(mine, (field,), pattern, label)
        history = model.history.filter(Q(id__in=text_ids) | Q(**{f"{link}_id__in": ids}))
        _scrub_rows(history, (field, "history_change_reason"), pattern, label, **{f"{link}_id": None})
    for _model, fields, _lookup, live, history in _shared_texts(scope):
        _scrub_rows(live, fields, pattern, label)
        _scrub_rows(history, (*fields, "history_change_reason"), pattern, label)

    participant.display_name = label
    participant.email = participant.phone = ""
    participant.organisation = None
    participant.anonymised_at = now
    participant.version += 1
    participant.save()
    history = Participant.history.filter(id__in=ids)
    _scrub_rows(
        history,
        ("history_change_reason",),
        pattern,
        label,
        display_name=label,
        email="",
        phone="",
        organisation_id=None,
    )

    for consent in participant.consents.active():
        withdraw_consent(consent=consent, by=by, at=now)
    unlinked = [(rows.model, rows.field) for rows in registry.ROWS if rows.unlink_history]  # e.g. attendances
    for model, link in [*unlinked, (Consent, "participant")]:
        model.history.filter(**{f"{link}_id__in": ids}).update(**{f"{link}_id": None})
    participant.invitations.all().delete()
    # The access log is append-only for the app; erasure is the one reason to rewrite a reason that names the person.
    _scrub_rows(AccessLog.objects.filter(participant=participant), ("reason",), pattern, label)
    _scrub_admin_log(ids, identifiers, label)
    if user is not None:
        _deactivate_account(user, pattern, label)
    log_access(actor=by, participant=participant, action=AccessAction.ANONYMISE, reason=reason)
    return participant


# Retention


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last day)."""
    year, month_index = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month = month_index + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def apply_retention(*, months: int, dry_run: bool = False) -> list[Participant]:
    """Anonymise every participant with no activity in the last `months` months (see
    queries.with_last_activity). Returns them, each with `last_activity`; with dry_run, changes nothing."""
    cutoff = months_before(timezone.now(), months)
    due = list(inactive_since(cutoff).order_by("pk"))
    if not dry_run:
        for participant in due:
            anonymise(participant=participant, by=None, reason=AccessReason.RETENTION)
    return due
