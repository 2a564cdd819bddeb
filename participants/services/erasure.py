"""Erasure (GDPR Art. 17): anonymise a person while keeping every count.

`anonymise()` renames the record to "Anonym deltaker #<id>", empties its contact details live and in the
change history, replaces whatever names the person in their own texts, in the texts others wrote where they
took part (participants/registry.py), in the access log and in the admin log, unlinks historical rows,
withdraws consents, deletes invitations, deactivates the account and logs it out everywhere, and writes one
access-log row. `texts_naming()` lists beforehand, changing nothing, the texts that name the person.
"""

import json
import operator
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce

from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import capfirst

from kremlib.versioning import Versioned

from .. import registry
from ..models import AccessLog, Consent, Participant
from .access_log import AccessAction, AccessReason, log_access
from .consent import withdraw_consent


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
