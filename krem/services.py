"""Workflows of the site that span the apps: removing deleted items for good."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dialogues.models import Dialogue, DialogueFile
from kremlib.files import delete_stored
from kremlib.history import delete_history
from projects.models import Project, ProjectFile


@transaction.atomic
def purge_deleted(*, now=None) -> tuple[int, int]:
    """Remove for good the projects and dialogues deleted RESTORE_DAYS ago or longer, and all that belongs to them.

    A purged project takes all its dialogues along (their project is gone). Their change history goes too, and
    that of everything that belonged to them (kremlib.history.delete_history), and their uploaded files from the
    storage (after the commit). Returns (projects, dialogues) removed."""
    now = now or timezone.now()
    expired_projects = Project.objects.expired(now)
    project_ids = list(expired_projects.values_list("pk", flat=True))
    dialogue_ids = list(
        Dialogue.objects.filter(
            Q(pk__in=Dialogue.objects.expired(now).values("pk")) | Q(project__in=project_ids)
        ).values_list("pk", flat=True)
    )
    # Their uploaded files stayed while the project could be restored; now they go, once the rows are gone for good.
    stored = list(ProjectFile.objects.filter(project__in=project_ids).values_list("file", flat=True))
    stored += DialogueFile.objects.filter(dialogue__in=dialogue_ids).values_list("file", flat=True)
    Dialogue.objects.filter(pk__in=dialogue_ids).delete()
    Project.objects.filter(pk__in=project_ids).delete()
    delete_history(Dialogue, dialogue_ids)
    delete_history(Project, project_ids)
    delete_stored(stored)
    return len(project_ids), len(dialogue_ids)
