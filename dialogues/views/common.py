from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from kremlib.permissions import can

from ..models import Dialogue

CHANGE_DIALOGUE = "dialogues.change_dialogue"


def get_dialogue_for_user(user, pk, perm=None):
    """Fetch and authorise in one step: 404 outside what the user may see, 403 when visible but read-only."""
    dialogue = get_object_or_404(
        Dialogue.objects.visible_to(user).select_related("project", "municipality", "series"), pk=pk
    )
    if perm and not can(user, perm, dialogue):
        raise PermissionDenied
    return dialogue
