"""The voice balance's stored counts: per dialogue, the named attendees and anonymous headcounts per perspective
and the insights per insight perspective, on the Dialogue row (models.VOICE_COUNTS). The voice balance of a
municipality's 35,000 dialogues then sums one table, where counting the rows scanned 2 million attendances.

recount() sets them from the rows, in the transaction that changed the rows:
- every save and delete of an Attendance, Headcount or Insight through the ORM, by the signals connected here:
  the services, the outcome's formsets, the admin, merging participants, the demo loader, the test factories;
- code that writes the rows around the ORM (generate_scale's COPY) calls recount_all() when it is done.
Anonymising a person changes no count (their rows and perspectives stay; erasure only rewrites texts), and a
deleted dialogue keeps its counts for when it is restored (the callers count only the dialogues alive).
`manage.py recount_voices` repairs the counts and says how many dialogues were off.
"""

import operator
from functools import reduce

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_init, post_save

from .models import ANONYMOUS_COUNT, INSIGHT_COUNT, NAMED_COUNT, VOICE_COUNTS, Attendance, Dialogue, Headcount, Insight

COUNTED_MODELS = (Attendance, Headcount, Insight)
# Saving only other fields (merge moves a row to the kept participant) changes no count.
COUNTED_FIELDS = {"dialogue", "dialogue_id", "perspective", "count"}


def fresh_counts():
    """Each stored count as an expression over the rows of the dialogue being updated (for .update() or .alias())."""

    def rows(model, perspective, total):
        counted = (
            model._base_manager.filter(dialogue=OuterRef("pk"), perspective=perspective)
            .order_by()
            .values("dialogue")
            .annotate(n=total)
            .values("n")
        )
        return Coalesce(Subquery(counted), 0)

    return {
        **{name: rows(Attendance, value, Count("pk")) for value, name in NAMED_COUNT.items()},
        **{name: rows(Headcount, value, Sum("count")) for value, name in ANONYMOUS_COUNT.items()},
        **{name: rows(Insight, value, Count("pk")) for value, name in INSIGHT_COUNT.items()},
    }


@transaction.atomic
def recount(dialogue_ids) -> None:
    """Set the stored counts of these dialogues from their rows. Two queries, for any number of dialogues.

    Locks the dialogue rows first, so that of two transactions changing the same dialogue's rows the second counts
    only once the first has committed, and so sees its rows (an UPDATE that waits for the lock would still count
    from the snapshot it started with). FOR NO KEY UPDATE does not wait for transactions that merely add rows
    pointing at the dialogue."""
    ids = sorted({pk for pk in dialogue_ids if pk is not None})
    if not ids:
        return
    dialogues = Dialogue._base_manager.filter(pk__in=ids)
    locked = list(dialogues.order_by("pk").select_for_update(no_key=True).values_list("pk", flat=True))
    Dialogue._base_manager.filter(pk__in=locked).update(**fresh_counts())


@transaction.atomic
def recount_all() -> int:
    """Set the stored counts of every dialogue whose counts differ from its rows; returns how many differed.

    Two set-based queries over the whole table: for repair (manage.py recount_voices), and after rows were
    written around the ORM (generate_scale)."""
    fresh = {f"fresh_{name}": expression for name, expression in fresh_counts().items()}
    differs = reduce(operator.or_, (~Q(**{name: F(f"fresh_{name}")}) for name in VOICE_COUNTS))
    stale = list(Dialogue._base_manager.alias(**fresh).filter(differs).values_list("pk", flat=True))
    if stale:
        Dialogue._base_manager.filter(pk__in=stale).update(**fresh_counts())
    return len(stale)


def stored_totals(dialogues) -> dict[str, int]:
    """The stored counts summed over `dialogues` (a queryset or a list of dialogues), by field name: one query on
    the dialogue table alone.

    A queryset is summed as it selects, as the other counts of its page are (each dialogue once: what it joins
    must not repeat rows); one with DISTINCT is summed over the ids it selects."""
    sums = {name: Sum(name, default=0) for name in VOICE_COUNTS}
    if isinstance(dialogues, QuerySet) and not dialogues.query.distinct:
        return dialogues.order_by().aggregate(**sums)
    ids = dialogues if isinstance(dialogues, QuerySet) else [dialogue.pk for dialogue in dialogues]
    return Dialogue._base_manager.filter(pk__in=ids).aggregate(**sums)


# The signals: every ORM save or delete of a counted row recounts its dialogue, in the same transaction.


def _remember_dialogue(sender, instance, **kwargs):
    # The admin can move an attendance to another dialogue: then both dialogues are recounted.
    instance._counted_in = instance.__dict__.get("dialogue_id")


def _saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # loaddata: the fixture's dialogues carry their counts
        return
    if update_fields is not None and not COUNTED_FIELDS & set(update_fields):
        return
    recount({instance.dialogue_id, getattr(instance, "_counted_in", None)})
    instance._counted_in = instance.dialogue_id


def _deleting_dialogues(origin):
    """The delete started at a dialogue (or a queryset of them): its counts go with it, nothing to recount."""
    return isinstance(origin, Dialogue) or (isinstance(origin, QuerySet) and origin.model is Dialogue)


def _deleted(sender, instance, origin=None, **kwargs):
    if not _deleting_dialogues(origin):
        recount({instance.dialogue_id})


def connect():
    for model in COUNTED_MODELS:
        uid = f"voice-counts-{model._meta.label_lower}"
        post_init.connect(_remember_dialogue, sender=model, dispatch_uid=f"{uid}-init")
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}-delete")
