"""The access log: who looked at or exported whose data, when, what and why.

`log_access()` appends one AccessLog row; the app never changes or deletes one (merge moves them to the kept
record, erasure rewrites a reason that names the person). AccessAction and AccessReason are what the log
says, in words for the reader.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import AccessLog, Participant


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
    REGISTRY_EXPORT = "registry export", _("Download of the registry list (CSV or Excel)")


def log_access(*, actor, participant: Participant, action: str, reason: str) -> AccessLog:
    """Append who looked at or exported whose data, when and why. Writes one AccessLog row."""
    return AccessLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        participant=participant,
        action=action,
        reason=str(reason)[: AccessLog._meta.get_field("reason").max_length],
    )


LOG_BATCH = 1000


def log_bulk_access(*, actor, participant_ids, action: str, reason: str) -> int:
    """Append one AccessLog row per person, all with the same moment: a download of the registry list is an access
    to each person's data, and each person reads it in their own "who has looked at my data". Inserted in batches
    (one query per LOG_BATCH people). Returns how many were written."""
    now = timezone.now()
    actor = actor if actor is not None and actor.is_authenticated else None
    rows = [
        AccessLog(actor=actor, participant_id=pk, at=now, action=action, reason=str(reason)) for pk in participant_ids
    ]
    AccessLog.objects.bulk_create(rows, batch_size=LOG_BATCH)
    return len(rows)
