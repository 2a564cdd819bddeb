"""Change history for people: who changed what and when, field by field, from django-simple-history's records.

Used by the History pages of projects, organisations, dialogues and outcomes, and by the conflict message of
kremlib.versioning. Query budget: a page of history costs the same number of queries for 1 row as for 30
(one union for the page, three queries per kind of row on it and one per kind of link it keeps, one per kind
of related object named in it, and one for the authors of quotes).

People named in history (who changed a row, a person a row points to, a quote) are shown as the naming policy
allows the reader: the participants app registers that policy in kremlib.naming (`register_names`), so this module needs to
know nothing of participants. Without a registered policy, everything is shown as stored.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import models
from django.db.models import IntegerField, OuterRef, Q, Subquery, Value
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryDescriptor

from .naming import PlainNames, names_for

HISTORY_PAGE_SIZE = 20  # versions are tall: fewer to a page than the lists
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
    """Raw field values as a reader understands them. Related objects are looked up in one query per model, and
    named as the naming policy lets this reader (a person who may not be named gets a neutral label)."""

    def __init__(self, names=None, project_id=None):
        self.names = names or PlainNames()
        self.project_id = project_id
        self.wanted = defaultdict(set)
        self.found = {}

    def want(self, model_field, value):
        if value is None:
            return
        if isinstance(model_field, models.ForeignKey):
            self.wanted[model_field.related_model].add(value)
        elif isinstance(model_field, models.ManyToManyField):
            self.wanted[model_field.related_model].update(value)

    def want_all(self, raw):
        for f, old, new in raw:
            self.want(f, old)
            self.want(f, new)

    def load(self):
        for model, pks in self.wanted.items():
            # select_related(): str() of a district names its municipality; no query per row.
            queryset = self.names.prefetch_labels(model._base_manager.select_related())
            self.found[model] = queryset.in_bulk(pks)

    def label(self, model, pk):
        obj = self.found.get(model, {}).get(pk)
        if obj is None:
            return str(_("(removed, no. %(pk)s)") % {"pk": pk})
        return str(self.names.object_label(obj, self.project_id))

    def display(self, model_field, value):
        if value is None or value == "":
            return ""
        if isinstance(model_field, models.ForeignKey):
            return self.label(model_field.related_model, value)
        if isinstance(model_field, models.ManyToManyField):
            return ", ".join(sorted(self.label(model_field.related_model, pk) for pk in value))
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.BooleanField):
            return str(_("yes") if value else _("no"))
        if isinstance(model_field, models.DateTimeField):
            return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(model_field, models.DateField):
            return formats.date_format(value, "DATE_FORMAT")
        return str(value)


# Links (many-to-many fields kept in history, e.g. a project's municipalities). Each record is given
# `krem_links`, {field name: frozenset of linked ids}, by attach_links() or record_of(); a record without it
# (links not loaded) is compared on its fields alone.


def link_fields(history_model):
    return list(getattr(history_model, "_history_m2m_fields", ()))


def attach_links(history_model, records):
    """Give every record its links, in one query per kind of link, whatever the number of records."""
    records = [record for record in records if record is not None]
    ids = {record.history_id for record in records}
    snapshot = {history_id: {} for history_id in ids}
    for model_field in link_fields(history_model):
        links_model = vars(history_model)[model_field.name].model
        target = model_field.m2m_reverse_field_name()
        for history_id, linked in links_model.objects.filter(history_id__in=ids).values_list("history_id", target):
            snapshot[history_id].setdefault(model_field.name, set()).add(linked)
    for record in records:
        links = snapshot[record.history_id]
        record.krem_links = {f.name: frozenset(links.get(f.name, ())) for f in link_fields(history_model)}


def raw_changes(new, old, excluded=()):
    """(model field, old value, new value) for every field that differs between two historical records.

    With no `old` (the row was created), every field that has a value. Links are compared where both records
    have them loaded (attach_links)."""
    model = new.instance_type
    excluded = NEVER_SHOWN | set(excluded)
    linked = {f.name for f in link_fields(type(new))}
    if old is None:
        changes = [
            (f, None, getattr(new, f.attname))
            for f in new.tracked_fields
            if f.editable and f.name not in excluded and getattr(new, f.attname) not in (None, "")
        ]
        new_links = getattr(new, "krem_links", {})
        changes += [
            (model._meta.get_field(name), None, ids) for name, ids in new_links.items() if ids and name not in excluded
        ]
    else:
        delta = new.diff_against(old, excluded_fields=excluded | linked)
        changes = [(model._meta.get_field(change.field), change.old, change.new) for change in delta.changes]
        new_links, old_links = getattr(new, "krem_links", None), getattr(old, "krem_links", None)
        if new_links is not None and old_links is not None:
            changes += [
                (model._meta.get_field(name), old_links[name], new_links[name])
                for name in new_links
                if name not in excluded and new_links[name] != old_links[name]
            ]
    return sorted(changes, key=lambda change: change[0].creation_counter)  # in the order the model declares them


def field_changes(raw, values):
    return [
        FieldChange(f.name, capfirst(f.verbose_name), values.display(f, old), values.display(f, new))
        for f, old, new in raw
    ]


def record_of(instance):
    """An unsaved historical record holding the row (and its links) as it is now, to diff against a saved one."""
    history_model = type(instance).history.model
    record = history_model(**{f.attname: getattr(instance, f.attname) for f in history_model.tracked_fields})
    record.krem_links = {
        f.name: frozenset(getattr(instance, f.name).values_list("pk", flat=True)) for f in link_fields(history_model)
    }
    return record


@dataclass
class Conflict:
    """What the form found when it was sent: the version now saved, who saved it, and what changed."""

    opened_version: int
    current_version: int
    raw_changes: list = field(default_factory=list)  # (model field, old, new), as stored
    changes: list = field(default_factory=list)  # FieldChange, as the reader may see them
    changed_by: list = field(default_factory=list)  # accounts, as stored
    changed_by_shown: list = field(default_factory=list)  # who, as the reader may see them
    changed_at: object = None
    details_known: bool = True  # False when history has no record of the version the form was opened on
    project_id: int | None = None  # the project the object belongs to, for the naming policy


def conflict_between(current, opened_version):
    """What changed in `current` (the locked row) since `opened_version`, and who changed it."""
    history = current.history.select_related("history_user").order_by("-history_date", "-history_id")
    opened = history.filter(version=opened_version).first()
    attach_links(type(current).history.model, [opened])
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
        project_id=getattr(current, "project_id", None),
    )
    if opened is not None:
        conflict.raw_changes = raw_changes(record_of(current), opened)
    return conflict


def conflict_for_reader(conflict, user):
    """The conflict's changes and who made them, as the naming policy lets `user` read them."""
    names = names_for(user)
    values = Values(names, conflict.project_id)
    values.want_all(conflict.raw_changes)
    values.load()
    conflict.changes = field_changes(conflict.raw_changes, values)
    conflict.changed_by_shown = [label for label in (names.user_label(u) for u in conflict.changed_by) if label]
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
        if relation.on_delete is models.CASCADE and is_tracked(child):
            child_pks = child.history.filter(**{f"{relation.field.attname}__in": pks}).values("id")
            delete_history(child, child_pks)
    records = model.history.filter(id__in=pks)
    for model_field in link_fields(model.history.model):  # the links each record kept
        vars(model.history.model)[model_field.name].model.objects.filter(history__in=records).delete()
    records.delete()


def is_tracked(model):
    """The model keeps a change history (django-simple-history's `history`, not a field that happens to be
    called so, like the link from a history record's links to the record)."""
    return isinstance(vars(model).get("history"), HistoryDescriptor)


# History pages


@dataclass(frozen=True)
class Source:
    """One kind of row on a history page: the object itself, or rows that belong to it (a project's results)."""

    model: type  # the tracked model, e.g. Project
    filter: dict  # which of its historical records, e.g. {"id": project.pk} or {"project_id": project.pk}
    label: str = ""  # what kind of row, shown for rows other than the object itself
    title_field: str = ""  # the field that names a row, e.g. "text"
    exclude: tuple = ()  # fields never shown, e.g. the project a result belongs to
    quote_of: str = ""  # rows are quotes of the person whose id is in this field, e.g. "participant_id"
    quote_fields: tuple = ()  # the fields that hold the quote, e.g. ("text",)


@dataclass
class Entry:
    record: object
    source: Source
    action: str  # created, changed, deleted, trashed, untrashed, restored
    changes: list = field(default_factory=list)
    title: str = ""
    restored_version: int | None = None
    restore_url: str = ""
    who: str = ""

    @property
    def is_main(self):
        return not self.source.label


def _previous(history_model):
    """The historical record just before OuterRef's, of the same row."""
    earlier = Q(history_date__lt=OuterRef("history_date")) | Q(
        history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")
    )
    return Subquery(
        history_model.objects.filter(earlier, id=OuterRef("id"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
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


def history_page(sources, number, per_page=HISTORY_PAGE_SIZE, *, names=None, project_id=None):
    """A page of the history of `sources`, newest first, each entry with its field-by-field changes and who made
    them, as the naming policy `names` lets the reader see them (project_id: the project the rows belong to)."""
    names = names or PlainNames()
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
        found = names.prefetch_accounts(
            history_model.objects.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(previous_id=_previous(history_model)),
            "history_user",
        )
        found = list(found)
        records.update({(index, r.history_id): r for r in found})
        before = history_model.objects.in_bulk([r.previous_id for r in found if r.previous_id])
        previous.update({(index, r.history_id): before.get(r.previous_id) for r in found})
        if link_fields(history_model):
            attach_links(history_model, [*found, *before.values()])

    quoted = [
        getattr(record, sources[index].quote_of)
        for (index, _id), record in [*records.items(), *((k, v) for k, v in previous.items() if v is not None)]
        if sources[index].quote_of
    ]
    hidden_quotes = names.hidden_quote_authors(quoted)

    values = Values(names, project_id)
    pending = []
    for index, history_id, _date in page.object_list:
        source, record = sources[index], records[(index, history_id)]
        before = previous[(index, history_id)]
        action = _action(record, before)
        raw = [] if action == "deleted" else raw_changes(record, before, source.exclude)
        values.want_all(raw)
        title_field = record.instance_type._meta.get_field(source.title_field) if source.title_field else None
        if title_field is not None:
            values.want(title_field, getattr(record, title_field.attname))
        authors = {getattr(r, source.quote_of) for r in (record, before) if r is not None and source.quote_of}
        withdrawn = bool(authors & hidden_quotes)
        pending.append((source, record, action, raw, title_field, withdrawn))
    values.load()

    entries = []
    for source, record, action, raw, title_field, withdrawn in pending:
        changes = field_changes(raw, values)
        entry = Entry(
            record=record, source=source, action=action, changes=changes, who=names.user_label(record.history_user)
        )
        if title_field is not None:
            entry.title = values.display(title_field, getattr(record, title_field.attname))
        if withdrawn:  # the author took back their consent to quoting: no wording of theirs, old or new
            entry.title = names.withdrawn_quote if source.title_field in source.quote_fields else entry.title
            for change in changes:
                if change.name in source.quote_fields:
                    change.old = change.old and names.withdrawn_quote
                    change.new = change.new and names.withdrawn_quote
        if action == "restored":
            entry.restored_version = record.history_change_reason[len(RESTORE_REASON) :]
        entries.append(entry)
    page.object_list = entries
    return page
