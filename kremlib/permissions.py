"""The app's permission checks: the `rules` predicates of each app (projects/rules.py, dialogues/rules.py,
participants/rules.py), asked by name.

They are deliberately kept apart from Django's model permissions: no authentication backend reads them, so
the admin's own checks (superusers, and model permissions given on purpose) never pass because of an app
rule, and the app's checks never pass because of the superuser flag or an admin grant. An admin is a
coordinator in the app because `is_coordinator` says so, not because Django lets superusers do anything.
"""

import rules
from django.core.exceptions import PermissionDenied


def can(user, perm: str, obj=None) -> bool:
    return rules.has_perm(perm, user, obj)


def require(user, perm: str, obj=None) -> None:
    """The object is visible, but this is not the user's to do: 403."""
    if not can(user, perm, obj):
        raise PermissionDenied
