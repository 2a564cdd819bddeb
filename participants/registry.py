"""What each app holds about a person, so that merge, export, erasure and retention need not import the apps.

(Not the participant registry of /deltakere/: this is the list that participants' services walk.) An app
registers from its AppConfig.ready(), once per process, as pretix's `register_data_shredders` does:

    from participants.registry import Rows, SharedTexts, register
    register(
        Rows(Insight, "participant", section="insights", export=insight_rows, text="text"),
        SharedTexts(AgendaItem, ("title",), "dialogue", "dialogue"),
    )

(dialogues/personal_data.py registers the dialogue side; participants/apps.py the project texts.)

- `Rows(model, field)`: rows that belong to a participant through the foreign key `field`. Merge moves them
  to the kept record (one by one, so each move is in the change history), or calls `move(keep, duplicate)`
  where moving needs more. Export lists them in `section` as `export(participant)` returns them, and their
  change history (the historical rows of the person's current rows) under "history" with the fields in
  `history`. Erasure replaces the person's names in their own free text `text`, live and in the history, whose
  rows also lose the link; with `unlink_history` the historical rows lose the link without a text. Retention
  counts the latest date at each lookup in `activity`, and with `activity_in_history` the latest change.
  The readable export page heads the section with `heading` and shows the codes of `labels` by their labels.
- `SharedTexts(model, fields, scope, lookup)`: free text that anyone may write about a dialogue or a project
  ("dialogue", "project": the scope), and so may name a person who took part; `lookup` leads from a row to
  that dialogue's or project's id ("id" for the dialogue or project itself). Erasure replaces the person's
  names in them, live and in the history, wherever the person took part.
- `TookPart(find)`: `find(ids)` returns, for the participant ids of one person (the record and the records
  merged into it), the ids of what they took part in, per scope: {"dialogue": {...}, "project": {...}}.
- `AccountRows(model, field)`: rows that belong to the person's user account through `field`; erasure
  deletes them.
- `OwnPart(section, heading, items)`: what the person took part in, for "Min side": `items(participant, user,
  limit)` returns at most `limit` (None: all) `OwnItem`s, newest first, each linking to where it lives (no link
  where the user may not open that page), in one query.

Services walk the lists in the order of registration (apps in INSTALLED_APPS order).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Rows:
    model: type[models.Model]
    field: str
    move: Callable | None = None
    section: str = ""
    export: Callable | None = None
    history: tuple[str, ...] = ()
    text: str = ""
    unlink_history: bool = False
    activity: tuple[str, ...] = ()
    activity_in_history: bool = False
    heading: str = ""  # the section's heading on the readable export page
    labels: tuple = ()  # (key, choices) pairs: the readable export page shows a code by its label


@dataclass(frozen=True)
class SharedTexts:
    model: type[models.Model]
    fields: tuple[str, ...]
    scope: str
    lookup: str


@dataclass(frozen=True)
class TookPart:
    find: Callable


@dataclass(frozen=True)
class AccountRows:
    model: type[models.Model]
    field: str


@dataclass(frozen=True)
class OwnItem:
    title: str  # where it lives: the gathering's title
    url: str  # "" where the user may not open that page
    when: object  # a date or datetime, or None
    what: str = ""  # the contribution itself: the insight's text, the feedback's note, the action
    detail: str = ""  # the perspective brought, the status
    when_text: str = ""  # `when` as well as it is known ("2011", "Date not known"), shown instead of the date


@dataclass(frozen=True)
class OwnPart:
    section: str
    heading: str
    items: Callable


ROWS: list[Rows] = []
OWN_PARTS: list[OwnPart] = []
SCOPES = ("dialogue", "project")
SHARED_TEXTS: list[SharedTexts] = []
TOOK_PART: list[TookPart] = []
ACCOUNT_ROWS: list[AccountRows] = []

_LISTS = {Rows: ROWS, SharedTexts: SHARED_TEXTS, TookPart: TOOK_PART, AccountRows: ACCOUNT_ROWS, OwnPart: OWN_PARTS}


def register(*entries) -> None:
    """Add each entry to its list; an entry registered before is not added twice."""
    for entry in entries:
        registered = _LISTS[type(entry)]
        if entry not in registered:
            registered.append(entry)
    # A dialogue's texts before a project's, whichever app registered first: the erasure confirmation page
    # lists them in this order.
    SHARED_TEXTS.sort(key=lambda texts: SCOPES.index(texts.scope))
