"""Workflows of participant records: consent, invitations, the access log, export, merging and erasure.

Other apps ask here before they quote, photograph or contact a person:

    from participants.models import ConsentPurpose
    from participants.services import has_consent, contact_details
    if has_consent(insight.participant, ConsentPurpose.QUOTING): ...

Nothing here is cached: a withdrawn consent counts from the moment it is withdrawn.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dialogues.models import (
    CalendarFeed,
    Feedback,
    FollowUpAction,
    Insight,
    OutcomeComment,
)
from projects.models import Partnership
from projects.rules import is_coordinator

from .models import (
    AccessLog,
    Consent,
    ConsentPurpose,
    Invitation,
    Participant,
    hash_token,
)
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


# Names of other people (and so their contact details and consents)

NAME_CONSENTS = "krem_name_consents"
QUOTING_CONSENTS = "krem_quoting_consents"


def with_name_consents(lookup: str) -> Prefetch:
    """Prefetch the active consents to registration by name of the participants at `lookup` (e.g.
    "participant"; "" for a queryset of participants), so that PersonalData.shows_name() asks no query per row."""
    return Prefetch(
        f"{lookup}__consents" if lookup else "consents",
        queryset=Consent.objects.active().filter(purpose=ConsentPurpose.ATTENDANCE),
        to_attr=NAME_CONSENTS,
    )


def with_quoting_consents(lookup: str) -> Prefetch:
    """Prefetch every consent to quoting (withdrawn ones too) of the participants at `lookup`, for
    PersonalData.shows_quote()."""
    return Prefetch(
        f"{lookup}__consents", queryset=Consent.objects.filter(purpose=ConsentPurpose.QUOTING), to_attr=QUOTING_CONSENTS
    )


class PersonalData:
    """What `user` may see of other participants. Ask one per request; it reads the user's memberships once.

    - Names (and with them contact details and consents) of other people: coordinators always; members of a
      partner organisation of the project only when the person has an active consent to registration of
      attendance by name (ConsentPurpose.ATTENDANCE); everyone else sees counts. A person always sees their
      own name.
    - Insights are shown with the perspective only, never the author. An insight whose author withdrew their
      consent to quoting (and has no active one) is not shown verbatim, except to coordinators and the author.
      An insight with no author, or whose author never gave or withdrew a quoting consent, is shown: quoting
      consent is asked when the insight is written down together, and only its withdrawal takes it back.
    """

    def __init__(self, user):
        self.user = user
        self.coordinator = is_coordinator(user)

    @cached_property
    def member_projects(self) -> frozenset:
        """The projects whose partner organisations the user belongs to (as is_project_member). One query."""
        if self.coordinator or not self.user.is_authenticated:
            return frozenset()
        return frozenset(
            Partnership.objects.filter(organisation__participants__user=self.user).values_list("project_id", flat=True)
        )

    def is_self(self, participant) -> bool:
        return self.user.is_authenticated and participant.user_id == self.user.pk

    def shows_name(self, participant, project_id) -> bool:
        """May the user see the name of `participant`, met in the project `project_id`?"""
        if participant is None:
            return False
        if self.coordinator or self.is_self(participant):
            return True
        if project_id not in self.member_projects or participant.anonymised_at is not None:
            return False
        consents = getattr(participant, NAME_CONSENTS, None)
        if consents is None:
            return has_consent(participant, ConsentPurpose.ATTENDANCE)
        return bool(consents)

    def shows_quote(self, participant) -> bool:
        """May the user read verbatim an insight written by `participant` (None: no one named)?"""
        if participant is None or self.coordinator or self.is_self(participant):
            return True
        consents = getattr(participant, QUOTING_CONSENTS, None)
        if consents is None:
            consents = list(participant.consents.filter(purpose=ConsentPurpose.QUOTING))
        return not consents or any(consent.withdrawn_at is None for consent in consents)


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
            gettext("%(name)s has not consented to being contacted, so no invitation can be sent. Record the consent to contact first.")
            % {"name": participant.display_name}
        )
    email = username_for(email)
    if email_in_use(email):
        raise InvitationRefused(
            gettext("There is already an account with the username %(email)s.") % {"email": email}
        )
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


def _who(user):
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _history_rows(queryset, fields):
    return [
        {
            "history_id": row.history_id,
            "date": row.history_date,
            "change": row.get_history_type_display(),
            "changed_by": _who(row.history_user),
            **{name: getattr(row, name) for name in fields},
        }
        for row in queryset.select_related("history_user").order_by("history_date", "history_id")
    ]


def export_data(participant: Participant) -> dict:
    """Everything the app holds about a person, for GDPR Art. 15, as a JSON-serialisable dict.

    Includes their change history: the historical rows of their record and of their insights, feedback
    and comments."""
    user = participant.user
    insight_ids = list(participant.insights.values_list("pk", flat=True))
    feedback_ids = list(participant.feedback.values_list("pk", flat=True))
    comment_ids = list(participant.outcome_comments.values_list("pk", flat=True))
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
        "attendances": [
            {
                "dialogue": a.dialogue.title,
                "dialogue_id": a.dialogue_id,
                "project": a.dialogue.project.title,
                "starts_at": a.dialogue.starts_at,
                "perspective": a.perspective,
            }
            for a in participant.attendances.select_related("dialogue__project").order_by("dialogue__starts_at")
        ],
        "facilitated_dialogues": [
            {"dialogue": d.title, "dialogue_id": d.pk, "starts_at": d.starts_at}
            for d in participant.facilitated_dialogues.order_by("starts_at")
        ],
        "insights": [
            {"id": i.pk, "dialogue": i.dialogue.title, "text": i.text, "perspective": i.perspective, "created_at": i.created_at}
            for i in participant.insights.select_related("dialogue").order_by("created_at", "pk")
        ],
        "feedback": [
            {"id": f.pk, "dialogue": f.dialogue.title, "perspective": f.perspective, "note": f.note, "rating": f.rating}
            for f in participant.feedback.select_related("dialogue").order_by("pk")
        ],
        "outcome_comments": [
            {"id": c.pk, "dialogue": c.outcome.dialogue.title, "confirmed": c.confirmed, "text": c.text, "created_at": c.created_at}
            for c in participant.outcome_comments.select_related("outcome__dialogue").order_by("created_at", "pk")
        ],
        "follow_up_actions": [
            {"id": a.pk, "dialogue": a.dialogue.title, "what": a.what, "due_date": a.due_date, "status": a.status}
            for a in participant.follow_up_actions.select_related("dialogue").order_by("pk")
        ],
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
            ),
            "insights": _history_rows(Insight.history.filter(id__in=insight_ids), ["id", "dialogue_id", "text", "perspective"]),
            "feedback": _history_rows(
                Feedback.history.filter(id__in=feedback_ids), ["id", "dialogue_id", "perspective", "note", "rating"]
            ),
            "outcome_comments": _history_rows(
                OutcomeComment.history.filter(id__in=comment_ids), ["id", "outcome_id", "confirmed", "text"]
            ),
        },
    }


# Merging duplicates


class MergeRefused(Exception):
    """The two records cannot be merged; the message says why, in words for the user."""


def _move_attendances(keep, duplicate):
    kept_dialogues = set(keep.attendances.values_list("dialogue_id", flat=True))
    for attendance in duplicate.attendances.all():
        if attendance.dialogue_id in kept_dialogues:
            # Both records attended: one person, one row. The kept record's row (and perspective) stays.
            attendance.delete()
        else:
            attendance.participant = keep
            attendance.save(update_fields=["participant"])


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
    account. Contact details and organisation fill gaps in the kept record. Refuses (MergeRefused,
    nothing changed) when both have user accounts, when either is anonymised, or when they are the same."""
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

    _move_attendances(keep, duplicate)
    for related in (duplicate.insights.all(), duplicate.feedback.all(), duplicate.outcome_comments.all()):
        for row in related:  # one by one, so each move is in the change history
            row.participant = keep
            row.save(update_fields=["participant"])
    for action in duplicate.follow_up_actions.all():
        action.responsible_participant = keep
        action.save(update_fields=["responsible_participant"])
    for dialogue in duplicate.facilitated_dialogues.all():
        dialogue.facilitating_participants.add(keep)
        dialogue.facilitating_participants.remove(duplicate)
    _move_consents(keep, duplicate, by, now)
    duplicate.invitations.update(participant=keep)
    # The access log is append-only for the app; a merge keeps every row, now under the kept record.
    AccessLog.objects.filter(participant=duplicate).update(participant=keep)

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
        raise MergeRefused(gettext("The duplicate still has data this merge cannot move: %(what)s.") % {"what": ", ".join(remaining)})
    duplicate_pk = duplicate.pk
    duplicate.delete()
    log_access(actor=by, participant=keep, action=AccessAction.MERGE, reason=f"{AccessReason.DUPLICATE} #{duplicate_pk}")
    return keep


# Erasure (GDPR Art. 17)


def anonymous_label(pk: int) -> str:
    """The neutral name an anonymised record gets. It is stored data, like any name, so it is written once in
    the language the records are kept in (Norwegian), not translated per reader."""
    return f"Anonym deltaker #{pk}"


def _identifier_pattern(identifiers):
    """Whole-word, case-insensitive matches of any identifier, longest first (an email before its name part)."""
    words = sorted({i.strip() for i in identifiers if i and i.strip()}, key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in words), re.IGNORECASE)


def _scrub_rows(queryset, field, pattern, label, **also):
    """Replace the identifiers in `field` of every row with `label` (and set `also`), without new history rows."""
    for pk, text in queryset.values_list("pk", field):
        scrubbed = pattern.sub(label, text or "")
        if scrubbed != (text or "") or also:
            queryset.model._default_manager.filter(pk=pk).update(**{field: scrubbed}, **also)


# The person's own texts, with the field that holds the text and the one that links them to the person.
PERSONAL_TEXTS = [
    (Insight, "text", "participant"),
    (Feedback, "note", "participant"),
    (OutcomeComment, "text", "participant"),
    (FollowUpAction, "what", "responsible_participant"),
]


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
    CalendarFeed.objects.filter(user=user).delete()
    _forget_login_records([name for name in old_usernames if name])
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk))
    _scrub_rows(entries, "change_message", pattern, label, object_repr=user.username)


@transaction.atomic
def anonymise(*, participant: Participant, by, reason: str = AccessReason.ERASURE) -> Participant:
    """Erase a person while keeping every count: GDPR Art. 17.

    The record stays (same pk, same perspective), so attendance and insights still count as before; its
    name becomes "Anonym deltaker #<pk>" and its email, phone and organisation are emptied, in the live
    row and in every historical row. The person's name and email are removed from their own texts
    (insights, feedback, comments, follow-up actions) and from their access-log reasons; the historical
    rows of those texts lose the link to the person. Active consents are withdrawn, invitations deleted.
    A user account is deactivated, renamed and logged out everywhere. Writes one AccessLog row.
    Anonymising twice changes nothing more."""
    participant = Participant.objects.select_for_update(of=("self",)).select_related("user").get(pk=participant.pk)
    if participant.anonymised_at is not None:
        return participant
    now = timezone.now()
    label = anonymous_label(participant.pk)
    user = participant.user
    identifiers = [participant.display_name, participant.email, participant.phone]
    if user is not None:
        identifiers += [user.username, user.email, user.get_full_name()]
    pattern = _identifier_pattern(identifiers)

    for model, field, link in PERSONAL_TEXTS:
        mine = model.objects.filter(**{link: participant})
        ids = list(mine.values_list("pk", flat=True))
        _scrub_rows(mine, field, pattern, label)
        history = model.history.filter(models.Q(id__in=ids) | models.Q(**{f"{link}_id": participant.pk}))
        _scrub_rows(history, field, pattern, label, **{f"{link}_id": None})

    participant.display_name = label
    participant.email = participant.phone = ""
    participant.organisation = None
    participant.anonymised_at = now
    participant.version += 1
    participant.save()
    history = Participant.history.filter(id=participant.pk)
    _scrub_rows(history, "history_change_reason", pattern, label, display_name=label, email="", phone="", organisation_id=None)

    for consent in participant.consents.active():
        withdraw_consent(consent=consent, by=by, at=now)
    participant.invitations.all().delete()
    # The access log is append-only for the app; erasure is the one reason to rewrite a reason that names the person.
    _scrub_rows(AccessLog.objects.filter(participant=participant), "reason", pattern, label)
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Participant), object_id=str(participant.pk)
    )
    _scrub_rows(entries, "change_message", pattern, label, object_repr=label)
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
