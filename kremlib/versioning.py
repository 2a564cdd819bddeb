"""No lost updates, and deleted rows that can come back (issue "Trust").

Versioned models count their saved edits in `version`. Every edit form carries, in a hidden field, the
version it was opened on. Saving locks the row, and when someone else saved in between the save is refused:
nothing of this user's is written, the form says field by field what the other person changed, keeps what
this user typed, and now carries the new version, so that sending it again (after merging by hand) saves.

Using it in a form and a view (Project, Organisation, Dialogue and Outcome do exactly this)::

    from kremlib.versioning import VersionedFormMixin, save_or_conflict

    class ParticipantForm(VersionedFormMixin, forms.ModelForm):   # the model inherits Versioned
        class Meta:
            model = Participant
            fields = [...]

    def participant_edit(request, pk):
        participant = ...  # fetch and authorise
        form = ParticipantForm(request.POST or None, instance=participant)
        if request.method == "POST" and form.is_valid():
            # form.save, or a function that saves the form and its formsets and returns the object
            if saved := save_or_conflict(form.save):
                return redirect(saved)
            # None: the form now holds the conflict; render it again
        return render(request, "...", {"form": form})

and in the template, above the fields: ``{% include "versioning/conflict.html" %}`` (it reads `form.conflict`).

`form.save()` (also with commit=False) must run inside a transaction: it locks the row with
SELECT ... FOR UPDATE, compares versions, and claims the next version with UPDATE ... WHERE version = opened,
so two saves of the same version can never both win, on PostgreSQL under real concurrency as on SQLite
(where FOR UPDATE is a no-op and the conditional UPDATE alone decides). save_or_conflict() catches
VersionConflict *outside* the atomic block, so that whatever else the edit wrote (formsets) is rolled back with it.
Fields that the form does not edit are read from the locked row before saving, so an edit never writes back stale values of
fields that others change through other paths (a dialogue's status, an outcome's publication).
New objects (instance not yet saved) are saved as usual, at version 1.
"""

from django import forms
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .history import conflict_between

VERSION_FIELD = "version"
MAX_VERSION = 2**31 - 1  # PositiveIntegerField's range on every database we run on


class Versioned(models.Model):
    """A row counter that goes up by one on every saved edit; an edit opened on an older version is refused."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


# Conflicts


class VersionConflict(Exception):
    """Someone else saved the object after the form was opened. Nothing was saved."""

    def __init__(self, conflict):
        super().__init__(f"opened at version {conflict.opened_version}, now {conflict.current_version}")
        self.conflict = conflict


def save_or_conflict(save):
    """Run `save()` (which returns what it saved) in one transaction, and return what it saved. When someone else
    saved in between, VersionConflict rolls all of it back (formsets too) and None is returned: the form now holds
    the conflict, and the view renders it again."""
    try:
        with transaction.atomic():
            return save()
    except VersionConflict:
        return None


CONFLICT_MESSAGE = _(
    "Someone else saved this after you opened the form, so nothing of yours was saved. What they changed is "
    "listed above; what you typed is still in the form. Merge the two by hand and save again."
)


class VersionedFormMixin:
    """A ModelForm for a Versioned model that refuses to overwrite an edit it has not seen. See the module docstring."""

    conflict = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editing = not self.instance._state.adding
        self.fields[VERSION_FIELD] = forms.IntegerField(
            widget=forms.HiddenInput,
            min_value=1,
            max_value=MAX_VERSION,
            required=editing,
            initial=self.instance.version,
        )
        self._version_claimed = False

    def save(self, commit=True):
        if not self.instance._state.adding and not self._version_claimed:
            self.claim_version()
        instance = super().save(commit=False)
        self.save_m2m = self.save_links
        if commit:
            instance.save()
            self.save_links()
        return instance

    def save_links(self):
        """Save the form's many-to-many fields as part of the same version: the links get no history records
        of their own; the record that saving the object wrote is given them (see snapshot_links)."""
        instance = self.instance
        instance.skip_history_when_saving = True  # django-simple-history's switch for the m2m_changed records
        try:
            for model_field in instance._meta.many_to_many:
                if model_field.name in self.fields and model_field.name in self.cleaned_data:
                    model_field.save_form_data(instance, self.cleaned_data[model_field.name])
        finally:
            del instance.skip_history_when_saving
        snapshot_links(instance)

    def claim_version(self):
        """Lock the row and move it from the opened version to the next; raise VersionConflict if it moved already."""
        instance = self.instance
        model = type(instance)
        opened = self.cleaned_data[VERSION_FIELD]
        rows = model._base_manager.filter(pk=instance.pk)
        current = rows.select_for_update().get()
        # The conditional UPDATE is what makes this safe where FOR UPDATE is a no-op (SQLite): of two saves of
        # the same version, only the first matches `version = opened`.
        if current.version != opened or not rows.filter(version=opened).update(version=opened + 1):
            if current.version == opened:
                current = rows.get()
            self.refuse(opened, current)
        edited = set(self.fields)
        for model_field in model._meta.concrete_fields:
            if model_field.name not in edited and not model_field.primary_key:
                setattr(instance, model_field.attname, getattr(current, model_field.attname))
        instance.version = opened + 1
        self._version_claimed = True

    def refuse(self, opened, current):
        self.note_conflict(opened, current)
        raise VersionConflict(self.conflict)

    def note_conflict(self, opened, current):
        """Say on the form what changed since `opened`, and let a second send save over `current`."""
        self.conflict = conflict_between(current, opened)
        self.add_error(None, CONFLICT_MESSAGE)
        # Keep everything typed, but carry the version now saved: sending the form again saves over it.
        data = self.data.copy()
        data[self.add_prefix(VERSION_FIELD)] = str(current.version)
        self.data = data


def snapshot_links(instance):
    """Make the latest history record of `instance` hold its links (many-to-many fields kept in history) as
    they are now. No-op for a model without links in its history."""
    history_model = type(instance).history.model
    fields = list(getattr(history_model, "_history_m2m_fields", ()))
    record = instance.history.order_by("-history_date", "-history_id").first() if fields else None
    if record is None:
        return
    for model_field in fields:
        links_model = vars(history_model)[model_field.name].model
        links_model.objects.filter(history=record).delete()
        through = model_field.remote_field.through
        owner = model_field.m2m_field_name()
        rows = through.objects.filter(**{owner: instance})
        links_model.objects.bulk_create(
            links_model(history=record, **{f.attname: getattr(row, f.attname) for f in through._meta.fields})
            for row in rows
        )


def restore_form_class(model):
    """A form with no fields but the version: the confirmation of "restore this version"."""
    return forms.modelform_factory(model, form=VersionedRestoreForm, fields=[])


class VersionedRestoreForm(VersionedFormMixin, forms.ModelForm):
    pass


def restore_record(*, form, record, keep=()):
    """Set the object of `form` back to the historical `record`, as a new version (so it is in history too).

    Goes through the version check: raises VersionConflict when the object changed after the confirmation
    page was opened, and django's ValidationError when the old values no longer fit (a slug taken since).
    Fields named in `keep` are left as they are now. Call inside transaction.atomic()."""
    instance = form.save(commit=False)
    for model_field in type(instance)._meta.concrete_fields:
        if model_field.editable and not model_field.primary_key and model_field.name not in keep:
            setattr(instance, model_field.attname, getattr(record, model_field.attname))
    instance.full_clean()
    instance._change_reason = f"restore:{record.version}"
    instance.save()
    links = getattr(record, "krem_links", {})  # kremlib.history.attach_links() loaded them
    instance.skip_history_when_saving = True
    try:
        for name, ids in links.items():
            if name not in keep:
                model_field = type(instance)._meta.get_field(name)
                # Links to rows removed since cannot come back; the others do.
                getattr(instance, name).set(model_field.related_model._base_manager.filter(pk__in=ids))
    finally:
        del instance.skip_history_when_saving
    snapshot_links(instance)
    return instance
