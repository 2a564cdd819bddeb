"""Lookups: the options a BoundedSelect's search swaps in (kremlib/widgets.py), with the pages' visibility rules."""

from django.db.models import F
from django.views.decorators.http import require_safe

from kremlib.lookups import lookup_options
from participants.personal_data import PersonalData, with_name_consents

from ..forms_outcome import selectable_participants
from ..models import Dialogue
from .common import CHANGE_DIALOGUE, get_dialogue_for_user


@require_safe
def dialogue_lookup(request):
    """Dialogues the user sees (Dialogue.objects.visible_to, as the dialogue list), latest first, by title."""
    dialogues = Dialogue.objects.visible_to(request.user).order_by(F("starts_at").desc(nulls_last=True), "-pk")
    return lookup_options(request, dialogues, search=lambda rows, query: rows.filter(title__icontains=query))


@require_safe
def attendee_lookup(request, pk):
    """Whom the attendance page's "add" form offers (selectable_participants: for anyone but a coordinator only
    people who consented to being named, and themselves), by name, labelled as the naming policy lets the user
    see them. Only those who may change the dialogue ask: 404 outside it, 403 read-only, as the page."""
    dialogue = get_dialogue_for_user(request.user, pk, CHANGE_DIALOGUE)
    people = PersonalData(request.user)
    offered = (
        selectable_participants(dialogue=dialogue, user=request.user)
        .prefetch_related(with_name_consents(""))
        .order_by("display_name", "pk")
    )
    return lookup_options(
        request,
        offered,
        search=lambda rows, query: rows.filter(display_name__icontains=query),
        label=lambda participant: people.option_label(participant, dialogue.project_id),
    )
