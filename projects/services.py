"""Workflows of projects: deleting and bringing back (krem.services removes them for good after RESTORE_DAYS)."""

from django.db import transaction
from django.utils import timezone

from kremlib.softdelete import set_deleted

from .models import Project


def delete_project(*, project: Project) -> Project:
    """Move the project to "Deleted items": it and its dialogues vanish from every page for everyone.

    Sets deleted_at and a new version (recorded in history). A coordinator can restore it for RESTORE_DAYS days."""
    return set_deleted(instance=project, deleted=True)


def restore_project(*, project: Project) -> Project:
    """Bring a deleted project back, with its dialogues (those not deleted on their own)."""
    return set_deleted(instance=project, deleted=False)


@transaction.atomic
def set_published(*, project: Project, published: bool) -> Project:
    """Publish the project's public results page, or withdraw it (it answers 404 from the next request on).

    Sets published_at and a new version (recorded in history), so that an edit form opened before is refused
    rather than silently publishing or withdrawing again. Locks the row; returns the saved project."""
    locked = Project._base_manager.select_for_update().get(pk=project.pk)
    if published and locked.published_at is None:
        locked.published_at = timezone.now()
    elif not published:
        locked.published_at = None
    locked.version += 1
    locked.save()
    return locked
