"""Merging duplicates: one person registered twice becomes one record.

`merge()` moves, in one transaction, what the apps registered (participants/registry.py) and the record's
own consents, invitations, access-log rows, merged ids and account to the kept record, fills its gaps in
contact details, deletes the duplicate and writes one access-log row. It refuses, changing nothing, what it
cannot merge or move.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .. import registry
from ..models import AccessLog, MergedRecord, Participant
from .access_log import AccessAction, AccessReason, log_access


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
