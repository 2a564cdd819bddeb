"""Files of a gathering: whoever sees the dialogue downloads them; those who plan it upload and delete them."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kremlib import files

from ..models import DialogueFile
from .common import CHANGE_DIALOGUE, get_dialogue_for_user


def file_upload(request, pk):
    dialogue = get_dialogue_for_user(request.user, pk, CHANGE_DIALOGUE)
    response = files.upload_page(
        request,
        instance=DialogueFile(dialogue=dialogue),
        back_url=dialogue.get_absolute_url(),
        back_label=dialogue.title,
    )
    if response is not None:
        return response
    messages.success(request, _("The file was uploaded."))
    return redirect(f"{dialogue.get_absolute_url()}#files")


def get_dialogue_file(request, pk, file_pk, perm=None):
    """A file of a dialogue the user sees (404 otherwise, and for a file of another dialogue)."""
    dialogue = get_dialogue_for_user(request.user, pk, perm)
    return dialogue, get_object_or_404(DialogueFile, dialogue=dialogue, pk=file_pk)


@require_safe
def file_download(request, pk, file_pk):
    _dialogue, stored = get_dialogue_file(request, pk, file_pk)
    return files.download_response(stored)


@require_POST
def file_delete(request, pk, file_pk):
    dialogue, stored = get_dialogue_file(request, pk, file_pk, CHANGE_DIALOGUE)
    files.delete_file(stored)
    messages.success(request, _("The file “%(name)s” was deleted.") % {"name": stored})
    return redirect(f"{dialogue.get_absolute_url()}#files")
