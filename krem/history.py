"""Change history for people: who changed what and when, field by field, from django-simple-history's records.

Used by the History pages of projects, organisations, dialogues and outcomes, and by the conflict message of
krem.versioning. Query budget: a page of history costs the same number of queries for 1 row as for 30
(one union for the page, two queries per kind of row on it, one per kind of related object named in it).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import models
from django.db.models import IntegerField, OuterRef, Q, Subquery, Value
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .versioning import Conflict

PAGE_SIZE = 20
# Bookkeeping that changes with every save and tells a reader nothing.
NEVER_SHOWN = frozenset({"id", "version", "created_at", "updated_at"})
RESTORE_REASON = "restore:"


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str


class Values:
    """Raw field values as a reader understands them. Related objects are looked up in one query per model."""

    def __init__(self):
        self.wanted = defaultdict(set)
        self.found = {}

    def want(self, model_field, value):
        if value is not None and isinstance(model_field, models.ForeignKey):
            self.wanted[model_field.related_model].add(value)

    def load(self):
        for model, pks in self.wanted.items():
            # select_related(): str() of a district names its municipality; no query per row.
            self.found[model] = model._base_manager.select_related().in_bulk(pks)

    def display(self, model_field, value):
        if value is None or value == "":
            return ""
        if isinstance(model_field, models.ForeignKey):
            obj = self.found.get(model_field.related_model, {}).get(value)
            return str(obj) if obj is not None else _("(removed, no. %(pk)s)") % {"pk": value}
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.BooleanField):
            return str(_("yes") if value else _("no"))
        if isinstance(model_field, models.DateTimeField):
            return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(model_field, models.DateField):
            return formats.date_format(value, "DATE_FORMAT")
        return str(value)


def raw_changes(new, old, excluded=()):
    """(model field, old value, new value) for every field that differs between two historical records.

    With no `old` (the row was created), every field that has a value."""
    model = new.instance_type
    excluded = NEVER_SHOWN | set(excluded)
    if old is None:
        return [
            (f, None, getattr(new, f.attname))
            for f in new.tracked_fields
            if f.editable and f.name not in excluded and getattr(new, f.attname) not in (None, "")
        ]
    delta = new.diff_against(old, excluded_fields=excluded)
    changes = [(model._meta.get_field(change.field), change.old, change.new) for change in delta.changes]
    return sorted(changes, key=lambda change: change[0].creation_counter)  # in the order the model declares them


def field_changes(raw, values):
    return [
        FieldChange(f.name, capfirst(f.verbose_name), values.display(f, old), values.display(f, new))
        for f, old, new in raw
    ]


def record_of(instance):
    """An unsaved historical record holding the row as it is now, to diff against a saved one."""
    history_model = type(instance).history.model
    return history_model(**{f.attname: getattr(instance, f.attname) for f in history_model.tracked_fields})


def conflict_between(current, opened_version):
    """What changed in `current` (the locked row) since `opened_version`, and who changed it."""
    history = current.history.select_related("history_user").order_by("-history_date", "-history_id")
    opened = history.filter(version=opened_version).first()
    since = list(history.filter(version__gt=opened_version)[:50])
    users = []
    for record in since:
        if record.history_user not in users:
            users.append(record.history_user)
    conflict = Conflict(
        opened_version=opened_version,
        current_version=current.version,
        changed_by=[user for user in users if user is not None],
        changed_at=since[0].history_date if since else None,
        details_known=opened is not None,
    )
    if opened is not None:
        raw = raw_changes(record_of(current), opened)
        values = Values()
        for f, old, new in raw:
            values.want(f, old)
            values.want(f, new)
        values.load()
        conflict.changes = field_changes(raw, values)
    return conflict


# Removing for good


def delete_history(model, pks):
    """Remove the change history of `model`'s rows `pks` and of every row that belonged to them: the tracked models
    that point to it with on_delete=CASCADE, followed down (a dialogue's outcome, the outcome's comments). The rows
    that belonged to them are found through their own history, so those deleted long before go too.

    For `manage.py purge_deleted`: call it after deleting the rows, so that the records of that deletion go too.
    `pks` is a list or a queryset of ids."""
    for relation in model._meta.related_objects:
        child = relation.related_model
        if relation.on_delete is models.CASCADE and hasattr(child, "history"):
            child_pks = child.history.filter(**{f"{relation.field.attname}__in": pks}).values("id")
            delete_history(child, child_pks)
    model.history.filter(id__in=pks).delete()


# History pages


@dataclass(frozen=True)
class Source:
    """One kind of row on a history page: the object itself, or rows that belong to it (a project's results)."""

    model: type  # the tracked model, e.g. Project
    filter: dict  # which of its historical records, e.g. {"id": project.pk} or {"project_id": project.pk}
    label: str = ""  # what kind of row, shown for rows other than the object itself
    title_field: str = ""  # the field that names a row, e.g. "text"
    exclude: tuple = ()  # fields never shown, e.g. the project a result belongs to


@dataclass
class Entry:
    record: object
    source: Source
    action: str  # created, changed, deleted, trashed, untrashed, restored
    changes: list = field(default_factory=list)
    title: str = ""
    restored_version: int | None = None
    restore_url: str = ""

    @property
    def is_main(self):
        return not self.source.label


def _previous(history_model):
    """The historical record just before OuterRef's, of the same row."""
    earlier = Q(history_date__lt=OuterRef("history_date")) | Q(
        history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")
    )
    return Subquery(
        history_model.objects.filter(earlier, id=OuterRef("id")).order_by("-history_date", "-history_id").values(
            "history_id"
        )[:1]
    )


def _action(record, previous):
    if record.history_type == "+":
        return "created"
    if record.history_type == "-":
        return "deleted"
    reason = record.history_change_reason or ""
    if reason.startswith(RESTORE_REASON):
        return "restored"
    was_deleted = getattr(previous, "deleted_at", None) is not None
    is_deleted = getattr(record, "deleted_at", None) is not None
    if is_deleted and not was_deleted:
        return "trashed"
    if was_deleted and not is_deleted:
        return "untrashed"
    return "changed"


def history_page(sources, number, per_page=PAGE_SIZE):
    """A page of the history of `sources`, newest first, each entry with its field-by-field changes."""
    history_models = [source.model.history.model for source in sources]
    parts = [
        history_model.objects.filter(**source.filter)
        .annotate(krem_history_source=Value(index, output_field=IntegerField()))
        .values_list("krem_history_source", "history_id", "history_date")
        .order_by()  # historical models sort by default; a part of a UNION may not
        for index, (source, history_model) in enumerate(zip(sources, history_models))
    ]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    page = Paginator(combined.order_by("-history_date", "-history_id"), per_page).get_page(number)

    wanted = defaultdict(list)
    for index, history_id, _date in page.object_list:
        wanted[index].append(history_id)
    records, previous = {}, {}
    for index, ids in wanted.items():
        history_model = history_models[index]
        found = list(
            history_model.objects.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(previous_id=_previous(history_model))
        )
        records.update({(index, r.history_id): r for r in found})
        before = history_model.objects.in_bulk([r.previous_id for r in found if r.previous_id])
        previous.update({(index, r.history_id): before.get(r.previous_id) for r in found})

    values = Values()
    pending = []
    for index, history_id, _date in page.object_list:
        source, record = sources[index], records[(index, history_id)]
        before = previous[(index, history_id)]
        action = _action(record, before)
        raw = [] if action == "deleted" else raw_changes(record, before, source.exclude)
        for f, old, new in raw:
            values.want(f, old)
            values.want(f, new)
        title_field = record.instance_type._meta.get_field(source.title_field) if source.title_field else None
        if title_field is not None:
            values.want(title_field, getattr(record, title_field.attname))
        pending.append((source, record, action, raw, title_field))
    values.load()

    entries = []
    for source, record, action, raw, title_field in pending:
        entry = Entry(record=record, source=source, action=action, changes=field_changes(raw, values))
        if title_field is not None:
            entry.title = values.display(title_field, getattr(record, title_field.attname))
        if action == "restored":
            entry.restored_version = record.history_change_reason[len(RESTORE_REASON) :]
        entries.append(entry)
    page.object_list = entries
    return page
