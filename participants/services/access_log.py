"""The access log: who looked at or exported whose data, when, what and why.

`log_access()` appends one AccessLog row; the app never changes or deletes one (merge moves them to the kept
record, erasure rewrites a reason that names the person). AccessAction and AccessReason are what the log
says, in words for the reader.
"""

from django.db import models
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


def log_access(*, actor, participant: Participant, action: str, reason: str) -> AccessLog:
    """Append who looked at or exported whose data, when and why. Writes one AccessLog row."""
    return AccessLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        participant=participant,
        action=action,
        reason=str(reason)[: AccessLog._meta.get_field("reason").max_length],
    )
