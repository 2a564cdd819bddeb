"""No lost updates: every edit form carries the version it was opened on (see issue "Trust")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """A row counter that goes up by one on every saved edit; an edit opened on an older version is refused."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class SoftDeletable(models.Model):
    """Deleted rows stay for a while so that a coordinator can restore them."""

    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True
