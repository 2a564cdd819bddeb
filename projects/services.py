"""Workflows of projects: deleting and bringing back (krem.services removes them for good after RESTORE_DAYS)."""

from kremlib.softdelete import set_deleted

from .models import Project


def delete_project(*, project: Project) -> Project:
    """Move the project to "Deleted items": it and its dialogues vanish from every page for everyone.

    Sets deleted_at and a new version (recorded in history). A coordinator can restore it for RESTORE_DAYS days."""
    return set_deleted(instance=project, deleted=True)


def restore_project(*, project: Project) -> Project:
    """Bring a deleted project back, with its dialogues (those not deleted on their own)."""
    return set_deleted(instance=project, deleted=False)
