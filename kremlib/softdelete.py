"""Deleted rows that can come back: a soft-deleted project or dialogue is hidden everywhere, a coordinator can
restore it for RESTORE_DAYS days, and `manage.py purge_deleted` removes it for good after that."""

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .versioning import Versioned

RESTORE_DAYS = 30  # a soft-deleted row can be restored for this long; `manage.py purge_deleted` removes it after


class SoftDeletableQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)

    def restorable(self, now=None):
        """Deleted less than RESTORE_DAYS ago: a coordinator may still bring these back."""
        return self.filter(deleted_at__gt=(now or timezone.now()) - timezone.timedelta(days=RESTORE_DAYS))

    def expired(self, now=None):
        """Deleted RESTORE_DAYS ago or longer: `manage.py purge_deleted` removes these for good."""
        return self.filter(deleted_at__lte=(now or timezone.now()) - timezone.timedelta(days=RESTORE_DAYS))


class SoftDeletable(models.Model):
    """Deleted rows stay for a while so that a coordinator can restore them."""

    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def restorable_until(self):
        return self.deleted_at + timezone.timedelta(days=RESTORE_DAYS) if self.deleted_at else None


@transaction.atomic
def set_deleted(*, instance, deleted: bool):
    """Soft-delete (or bring back) `instance`: sets deleted_at and a new version, so history records it and a
    form opened before is refused. Locks the row; returns the saved instance."""
    model = type(instance)
    locked = model._base_manager.select_for_update().get(pk=instance.pk)
    locked.deleted_at = timezone.now() if deleted else None
    if isinstance(locked, Versioned):
        locked.version += 1
    locked.save()
    return locked
