from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from kremlib.versioning import VersionedFormMixin
from kremlib.widgets import BoundedSelect, DateInput, RadioSelect, https_urls

from .models import (
    Document,
    Grant,
    Indicator,
    LearningEntry,
    Measurement,
    Organisation,
    Partnership,
    Project,
    ProjectStatus,
    Result,
    SystemChange,
    SystemChangeAdoption,
    SystemChangeStep,
)

NORWEGIAN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def norwegian_slug(text):
    """slugify() drops æ, ø and å; write them the way Norwegian addresses do."""
    return slugify(text.translate(NORWEGIAN_LETTERS))


def project_select():
    """A bounded select of projects (kremlib/widgets.py): there may be 20,000; the search asks project_lookup."""
    return BoundedSelect(lookup="projects:project_lookup", search_label=_("Search for project"))


def organisation_select(*, active_only=False):
    """A bounded select of organisations; the search asks organisation_lookup (active ones only, if so)."""
    return BoundedSelect(
        lookup="projects:organisation_lookup",
        lookup_query={"active": 1} if active_only else None,
        search_label=_("Search for organisation"),
    )


DATE_HELP = _("For a date known only to the month, season or year, pick any day in it and choose the precision.")


class ProjectForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "slug",
            "summary",
            "goals",
            "target_groups",
            "status",
            "continued_by",
            "start_date",
            "start_precision",
            "end_date",
            "end_precision",
            "municipalities",
            "districts",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "goals": forms.Textarea(attrs={"rows": 3}),
            "target_groups": forms.Textarea(attrs={"rows": 2}),
            "start_date": DateInput(),
            "end_date": DateInput(),
            "continued_by": organisation_select(active_only=True),
            "municipalities": forms.CheckboxSelectMultiple(),
            # Checkboxes, not a multi-select: a <select multiple> looked like a dropdown with its first district chosen.
            "districts": forms.CheckboxSelectMultiple(),
        }
        help_texts = {"start_date": DATE_HELP}

    # Shown (as a checkbox) only when the title is taken: a second project of the same name is allowed, but
    # the user says so, instead of silently getting the address "…-2/".
    confirm_same_title = forms.BooleanField(
        label=_("Yes, save it: this is another project with the same title"),
        required=False,
        widget=forms.HiddenInput(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Leave empty to make one from the title.")
        self.fields["continued_by"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["districts"].queryset = self.fields["districts"].queryset.select_related("municipality")

    def clean(self):
        cleaned = super().clean()
        title = (cleaned.get("title") or "").strip()
        if title and not cleaned.get("confirm_same_title"):
            same = Project.objects.alive().filter(title__iexact=title).exclude(pk=self.instance.pk).first()
            if same is not None:
                self.fields["confirm_same_title"].widget = forms.CheckboxInput()
                self.add_error(
                    "title",
                    _(
                        "A project called “%(title)s” already exists (%(url)s). Tick the box below to save another "
                        "project with the same title, or change the title."
                    )
                    % {"title": same.title, "url": same.get_absolute_url()},
                )
        return cleaned

    def clean_slug(self):
        # A title of only emoji or symbols has no letters to make an address from: fall back to "prosjekt".
        slug = self.cleaned_data.get("slug") or norwegian_slug(self.cleaned_data.get("title", ""))[:90] or "prosjekt"
        base, n = slug, 2
        while Project.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = ["organisation", "role"]
        widgets = {"organisation": organisation_select(active_only=True)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True)


class BasePartnershipFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """A new row may not repeat a partner and role the project already has in a row this form leaves alone.

        The formset checks its own rows against each other; this checks them against the database, so that
        tampered management data (INITIAL_FORMS=0 turns the shown rows into new ones) is an error, not a 500."""
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        shown = {form.instance.pk for form in self.initial_forms if form.instance.pk}
        taken = set(
            Partnership.objects.filter(project=self.instance).exclude(pk__in=shown).values_list("organisation", "role")
        )
        for form in self.extra_forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            organisation, role = form.cleaned_data.get("organisation"), form.cleaned_data.get("role")
            if organisation is not None and (organisation.pk, role) in taken:
                raise forms.ValidationError(
                    _("%(organisation)s is already a partner of the project in that role.")
                    % {"organisation": organisation}
                )


PartnershipFormSet = forms.inlineformset_factory(
    Project,
    Partnership,
    form=PartnershipForm,
    formset=BasePartnershipFormSet,
    extra=1,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


class CloseProjectForm(VersionedFormMixin, forms.ModelForm):
    """Close a project: it is completed, or a partner carries it on."""

    class Meta:
        model = Project
        fields = ["status", "continued_by", "end_date", "end_precision"]
        widgets = {"end_date": DateInput(), "continued_by": organisation_select()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (ProjectStatus.COMPLETED, ProjectStatus.COMPLETED.label),
            (ProjectStatus.CONTINUED, ProjectStatus.CONTINUED.label),
        ]
        self.fields["end_date"].required = True


class LearningEntryForm(forms.ModelForm):
    class Meta:
        model = LearningEntry
        # "public" is for coordinators only: the view removes it for everyone else (entry_form).
        fields = ["kind", "date", "date_precision", "text", "public"]
        widgets = {"date": DateInput(), "text": forms.Textarea(attrs={"rows": 4}), "kind": RadioSelect()}


class PublishForm(forms.Form):
    """Publishing a project's results page asks the coordinator to confirm what goes public, in one POST."""

    confirm = forms.BooleanField(
        label=_("I have read what the public page shows, and it names no one and holds nothing that is not ready."),
        required=True,
        error_messages={"required": _("Confirm that you have read what the public page shows.")},
    )


class ResultForm(forms.ModelForm):
    class Meta:
        model = Result
        fields = ["description", "value", "unit", "date", "date_precision", "source"]
        widgets = {"date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}


class SystemChangeForm(forms.ModelForm):
    class Meta:
        formfield_callback = https_urls
        model = SystemChange
        fields = [
            "level",
            "description",
            "krem_contribution",
            "date",
            "date_precision",
            "evidence_url",
            "evidence_documents",
            "indicators",
            "source",
            "recheck_date",
        ]
        widgets = {
            "date": DateInput(),
            "recheck_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "krem_contribution": forms.Textarea(attrs={"rows": 2}),
            "level": RadioSelect(),
            "evidence_documents": forms.CheckboxSelectMultiple(),
            "indicators": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the project's own documents and indicators can be evidence, or be moved by the change.
        project_id = self.instance.project_id
        self.fields["evidence_documents"].queryset = Document.objects.filter(project_id=project_id)
        self.fields["indicators"].queryset = Indicator.objects.filter(project_id=project_id)


class AdoptionForm(forms.ModelForm):
    class Meta:
        model = SystemChangeAdoption
        fields = ["organisation", "role", "date", "date_precision", "note"]
        widgets = {"date": DateInput(), "role": RadioSelect(), "organisation": organisation_select(active_only=True)}
        help_texts = {"date": DATE_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True).order_by("name")

    def clean(self):
        cleaned = super().clean()
        organisation, role = cleaned.get("organisation"), cleaned.get("role")
        change = self.instance.change
        if organisation and role and change.adoptions.filter(organisation=organisation, role=role).exists():
            raise forms.ValidationError(_("This organisation is already recorded in that role for the change."))
        return cleaned


class GrantForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Grant
        fields = [
            "funder",
            "title",
            "amount",
            "status",
            "start_date",
            "start_precision",
            "end_date",
            "end_precision",
            "reporting_deadline",
            "documents",
            "note",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "reporting_deadline": DateInput(),
            "documents": forms.CheckboxSelectMultiple(),
            "note": forms.Textarea(attrs={"rows": 2}),
            "funder": organisation_select(),
        }
        help_texts = {"start_date": DATE_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = Organisation.objects.order_by("name")
        self.fields["documents"].queryset = Document.objects.filter(project_id=self.instance.project_id)


class DocumentForm(forms.ModelForm):
    class Meta:
        formfield_callback = https_urls
        model = Document
        fields = ["title", "kind", "url"]


class OrganisationForm(VersionedFormMixin, forms.ModelForm):
    """What coordinators edit in the browser. Organisation number and deactivation stay in the admin."""

    class Meta:
        formfield_callback = https_urls
        model = Organisation
        fields = ["name", "sector", "municipality", "district", "website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = self.fields["district"].queryset.select_related("municipality")

    def clean(self):
        cleaned = super().clean()
        district, municipality = cleaned.get("district"), cleaned.get("municipality")
        if district and municipality and district.municipality_id != municipality.pk:
            self.add_error("district", _("The city district is not in the chosen municipality."))
        return cleaned


class IndicatorForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "catalogue",
            "name",
            "unit",
            "direction",
            "group",
            "baseline_value",
            "baseline_date",
            "baseline_precision",
            "target_value",
            "target_date",
            "target_precision",
        ]
        widgets = {"baseline_date": DateInput(), "target_date": DateInput(), "direction": RadioSelect()}
        help_texts = {"baseline_date": DATE_HELP, "name": _("Leave empty to use the catalogue's name.")}


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["value", "denominator", "date", "date_precision", "source"]
        widgets = {"date": DateInput()}
        help_texts = {"date": DATE_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].required = True
        self.fields["date"].label = _("period")


class SystemChangeStepForm(forms.ModelForm):
    class Meta:
        model = SystemChangeStep
        fields = ["status", "date", "date_precision", "note"]
        widgets = {"date": DateInput(), "note": forms.Textarea(attrs={"rows": 3}), "status": RadioSelect()}
        help_texts = {"date": DATE_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].required = True


class MeasurementImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or Excel)"),
        help_text=_(
            "One row per measurement, with the columns of the export: indicator, group, period, date known to the,"
            " value, out of, source. Nothing is saved until every row is valid."
        ),
    )
