"""Forms for attendance, outcomes and follow-up actions of a dialogue."""

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kremlib.formsets import empty_row
from kremlib.versioning import VersionedFormMixin
from kremlib.widgets import BoundedSelect, DateInput, DateTimeInput, HttpsURLField
from participants.models import ConsentMethod, ConsentPurpose, Participant, Perspective
from participants.personal_data import (
    WITHDRAWN_QUOTE,
    PersonalData,
    PersonChoiceField,
    offer_people,
    with_name_consents,
    with_quoting_consents,
)
from participants.queries import with_active_consent
from projects.models import Organisation, Project
from projects.rules import is_coordinator

from .models import (
    MAX_HEADCOUNT,
    Attendance,
    Dialogue,
    DocumentationLink,
    Feedback,
    FollowUpAction,
    Insight,
    Outcome,
    Proposal,
)

MAX_ROWS = 200


# Attendance


def selectable_participants(*, dialogue, user):
    """Who can be added as a named attendee of the dialogue.

    Coordinators choose among all participants. Project members choose among the people of the project's
    partner organisations and everyone who already attended a gathering of the project, so that a
    member never browses the names of people outside their own projects; and among those, only people who
    consented to registration of attendance by name (and themselves). Anyone else is added with "Add
    someone new" or by a coordinator (participants.services.PersonalData)."""
    participants = Participant.objects.select_related("organisation")
    if is_coordinator(user):
        return participants
    project = dialogue.project_id
    in_project = participants.filter(
        Q(organisation__partnerships__project=project) | Q(attendances__dialogue__project=project)
    )
    consenting = with_active_consent(ConsentPurpose.ATTENDANCE, in_project).values("pk")
    return participants.filter(Q(pk__in=consenting) | Q(pk__in=in_project.filter(user=user).values("pk")))


# Purposes in the short words of the attendance page; the person's own page explains each in full.
CONSENT_HERE_LABELS = {
    ConsentPurpose.ATTENDANCE: _("to be registered by name as attending"),
    ConsentPurpose.QUOTING: _("to be quoted"),
    ConsentPurpose.PHOTO_FILM: _("to be in photos and film"),
    ConsentPurpose.CONTACT: _("to be contacted by email or phone"),
}


class ConsentGivenHereMixin(forms.Form):
    """A consent the person gave in the room: for which purposes, and how (orally, on paper, digitally).
    Recorded on the participant's consents as given now, by the user who registers it."""

    consents = forms.MultipleChoiceField(
        label=_("Consent given here"),
        required=False,
        choices=[(value, CONSENT_HERE_LABELS[value]) for value in ConsentPurpose.values],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick only what the person said yes to here. They can withdraw it at any time."),
    )
    consent_method = forms.ChoiceField(
        label=_("How was it given?"), required=False, choices=ConsentMethod.choices, widget=forms.RadioSelect
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consents") and not cleaned.get("consent_method"):
            self.add_error("consent_method", _("Say how the consent was given: orally, on paper or digitally."))
        if cleaned.get("consent_method") and not cleaned.get("consents"):
            self.add_error("consents", _("Tick what the person consented to, or leave both empty."))
        return cleaned


class AttendeeForm(ConsentGivenHereMixin, forms.ModelForm):
    """Add an existing participant as attending, with the perspective they bring this time."""

    class Meta:
        model = Attendance
        fields = ["participant", "perspective"]
        field_classes = {"participant": PersonChoiceField}
        widgets = {
            "participant": BoundedSelect(lookup="dialogues:attendee_lookup", search_label=_("Search for person"))
        }

    def __init__(self, *args, dialogue, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A coordinator chooses among every participant: a bounded select, whose search asks attendee_lookup,
        # which offers the same people with the same labels.
        offer_people(
            self.fields["participant"],
            selectable_participants(dialogue=dialogue, user=user).order_by("display_name", "pk"),
            people=PersonalData(user),
            project_id=dialogue.project_id,
        )
        self.fields["participant"].widget.lookup_args = (dialogue.pk,)
        self.fields["participant"].label = _("Person")
        perspective = self.fields["perspective"]
        perspective.required = False
        perspective.choices = [("", _("Their usual perspective"))] + list(Perspective.choices)
        perspective.help_text = _("The same person can bring a different perspective to different gatherings.")
        self.dialogue = dialogue
        self.fields["participant"].help_text = Dialogue.RECORD_RULE

    def clean(self):
        cleaned = super().clean()
        if (error := self.dialogue.record_error()) is not None:
            raise error
        return cleaned


class BegunOnlyMixin:
    """A form that records what happened at a gathering: refused before it has begun (Dialogue.record_error)."""

    def __init__(self, *args, dialogue=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dialogue = dialogue

    def clean(self):
        cleaned = super().clean()
        if self.dialogue is not None and (error := self.dialogue.record_error()) is not None:
            raise error
        return cleaned


class NewParticipantForm(BegunOnlyMixin, ConsentGivenHereMixin, forms.ModelForm):
    """Quick-add: a person not yet registered, attended at once."""

    class Meta:
        model = Participant
        fields = ["display_name", "perspective"]
        labels = {"perspective": _("Perspective brought")}


class AttendanceCorrectionForm(ConsentGivenHereMixin):
    """Correct a row one registered: the perspective brought, and a consent given here since."""

    perspective = forms.ChoiceField(label=_("Perspective brought"), choices=Perspective.choices)
    field_order = ["perspective", "consents", "consent_method"]

    def __init__(self, *args, attendance, **kwargs):
        # One form per row on the page: the names are the same in each, the ids are the row's own.
        kwargs.setdefault("initial", {"perspective": attendance.perspective})
        kwargs.setdefault("prefix", "correct")
        kwargs.setdefault("auto_id", f"id_row{attendance.pk}_%s")
        super().__init__(*args, **kwargs)
        self.attendance = attendance


class HeadcountForm(BegunOnlyMixin, forms.Form):
    """People who took part without being named: one number per perspective."""

    def __init__(self, *args, counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        counts = counts or {}
        message = _("Enter a whole number from 0 to %(max)s.") % {
            "max": formats.number_format(MAX_HEADCOUNT, force_grouping=True)
        }
        for perspective in Perspective:
            self.fields[perspective.value] = forms.IntegerField(
                label=perspective.label,
                required=False,
                min_value=0,
                max_value=MAX_HEADCOUNT,
                initial=counts.get(perspective.value, 0),
                error_messages={"min_value": message, "max_value": message, "invalid": message},
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def counts(self):
        return {perspective.value: self.cleaned_data.get(perspective.value) or 0 for perspective in Perspective}


# Outcome


class OutcomeForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["actual_start", "actual_end", "summary", "framework_answer"]
        widgets = {
            "actual_start": DateTimeInput(),
            "actual_end": DateTimeInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "framework_answer": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "actual_start": _("Started"),
            "actual_end": _("Ended"),
            "framework_answer": _("What does this mean for the frameworks, the guidelines and the practice?"),
        }
        help_texts = {
            "actual_start": _(
                "When the gathering began; not later than now. Attendance and the outcome are registered once "
                "the gathering has begun. Filled in with the planned time once that has passed."
            ),
        }


class RowForm(forms.ModelForm):
    """A row of one of the outcome's lists. A row with something in it but not its main text is an error."""

    main_field = ""
    main_missing = ""

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = people  # the naming policy for the user who edits (participants.personal_data)
        self.fields[self.main_field].error_messages["required"] = self.main_missing


class WithdrawnQuote(forms.Widget):
    """Stands where an insight's wording would be when its author withdrew their consent to quoting: it says so,
    and never renders the wording (the field is disabled, so the saved wording is kept as it is)."""

    def render(self, name, value, attrs=None, renderer=None):
        return format_html(
            '<p class="ds-paragraph withdrawn-quote" id="{}">{}</p>', (attrs or {}).get("id", ""), WITHDRAWN_QUOTE
        )


class InsightForm(RowForm):
    main_field = "text"
    main_missing = _("Write the insight or remove the row.")

    class Meta:
        model = Insight
        fields = ["text", "perspective"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.people is not None and not self.people.shows_quote(self.instance.participant):
            self.fields["text"].disabled = True
            self.fields["text"].widget = WithdrawnQuote()


class ProposalForm(RowForm):
    main_field = "text"
    main_missing = _("Write the proposal or remove the row.")

    class Meta:
        model = Proposal
        fields = ["text", "level"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class ActionForm(RowForm):
    main_field = "what"
    main_missing = _("Describe the action or remove the row.")

    class Meta:
        model = FollowUpAction
        fields = ["what", "responsible_organisation", "responsible_participant", "due_date", "status"]
        field_classes = {"responsible_participant": PersonChoiceField}
        widgets = {"what": forms.Textarea(attrs={"rows": 2}), "due_date": DateInput()}

    def __init__(self, *args, responsible=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices are read once per formset, not once per row (see ActionFormSet.responsible).
        for name, (queryset, choices) in (responsible or {}).items():
            self.fields[name].queryset = queryset
            self.fields[name].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("what") and not (
            cleaned.get("responsible_organisation") or cleaned.get("responsible_participant")
        ):
            self.add_error(
                "responsible_organisation", _("Name the organisation or the person who answers for the action.")
            )
        return cleaned


class LinkForm(RowForm):
    main_field = "url"
    main_missing = _("Give the address or remove the row.")

    class Meta:
        model = DocumentationLink
        fields = ["title", "url"]
        field_classes = {"url": HttpsURLField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = _("Give the link a title or remove the row.")


class FeedbackForm(RowForm):
    main_field = "perspective"
    main_missing = _("Choose the perspective of whoever gave the feedback, or remove the row.")

    class Meta:
        model = Feedback
        fields = ["perspective", "note", "rating"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "rating": forms.NumberInput(attrs={"min": 1, "max": 5, "inputmode": "numeric"}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("perspective") and not cleaned.get("note") and cleaned.get("rating") is None:
            self.add_error("note", _("Write the feedback, give a rating, or remove the row."))
        return cleaned


def _key_value(value):
    return value.pk if isinstance(value, Model) else value


class OutcomeRowFormSet(BaseInlineFormSet):
    """One list of the outcome form (insights, proposals, ...), as rows on the dialogue.

    Sending the same form twice (a double click, or Back and send again) must not add the new rows twice.
    A new row that is identical to a row this form did not know about (one saved after the form was
    loaded, so not among its ids) is taken to be that row, saved by the first send, and is not added again.
    Rows the form did show are never matched: two equal pieces of feedback typed on purpose both count."""

    title = ""
    add_label = ""
    row_label = ""

    def __init__(self, *args, people=None, **kwargs):
        self.people = people  # the naming policy for the user who edits (participants.personal_data)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "people": self.people}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.instance.dialogue = self.instance  # the models' clean() read the dialogue: no query per row
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")

    def row_key(self, values):
        return tuple(_key_value(values.get(name)) for name in self.form._meta.fields)

    def save_new_objects(self, commit=True):
        known = {form.instance.pk for form in self.initial_forms if form.instance.pk}
        unseen = [
            self.row_key({name: getattr(obj, obj._meta.get_field(name).attname) for name in self.form._meta.fields})
            for obj in self.get_queryset()
            if obj.pk not in known
        ]
        self.new_objects = []
        for form in self.extra_forms:
            if not form.has_changed() or (self.can_delete and self._should_delete_form(form)):
                continue
            key = self.row_key(form.cleaned_data)
            if key in unseen:
                unseen.remove(key)
                continue
            self.new_objects.append(self.save_new(form, commit=commit))
            if not commit:
                self.saved_forms.append(form)
        return self.new_objects


class BaseInsightFormSet(OutcomeRowFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # InsightForm asks whether each row's author may be quoted: no query per row.
        self.queryset = self.queryset.select_related("participant").prefetch_related(
            with_quoting_consents("participant")
        )


class BaseActionFormSet(OutcomeRowFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "responsible": self.responsible}

    @cached_property
    def responsible(self):
        """Who can answer for an action: the project's partner organisations and their people, the dialogue's
        attendees, and whoever already answers for one of its actions. Two queries for all rows."""
        dialogue = self.instance
        organisations = Organisation.objects.filter(
            Q(partnerships__project=dialogue.project_id) | Q(follow_up_actions__dialogue=dialogue)
        ).distinct()
        # Offered: the user themself, and the people of the project's organisations and the dialogue's attendees
        # whom the user may name (a coordinator every one of them; others those with consent to being registered
        # by name). Whoever already answers for an action here stays offered, so that the row keeps working, but
        # is named only as the naming policy allows the user: a withdrawn consent turns the name into a neutral
        # label.
        names = self.people or PersonalData(AnonymousUser())
        around = Participant.objects.filter(
            Q(organisation__partnerships__project=dialogue.project_id) | Q(attendances__dialogue=dialogue),
            anonymised_at__isnull=True,
        )
        nameable = around if names.coordinator else with_active_consent(ConsentPurpose.ATTENDANCE, around)
        offered = Q(pk__in=nameable.values("pk")) | Q(follow_up_actions__dialogue=dialogue)
        if names.user.is_authenticated:
            offered |= Q(user=names.user)
        people = (
            Participant.objects.filter(offered)
            .select_related("organisation")
            .prefetch_related(with_name_consents(""))
            .distinct()
        )
        blank = [("", "---------")]
        return {
            "responsible_organisation": (organisations, blank + [(o.pk, o.name) for o in organisations]),
            "responsible_participant": (
                people,
                blank + [(p.pk, names.option_label(p, dialogue.project_id)) for p in people],
            ),
        }


def _formset(model, form, base=OutcomeRowFormSet, **labels):
    formset = inlineformset_factory(
        Dialogue, model, form=form, formset=base, extra=1, can_delete=True, max_num=MAX_ROWS, validate_max=True
    )
    for name, value in labels.items():
        setattr(formset, name, value)
    return formset


InsightFormSet = _formset(
    Insight,
    InsightForm,
    base=BaseInsightFormSet,
    title=_("Insights"),
    add_label=_("Add insight"),
    row_label=_("Insight"),
)
ProposalFormSet = _formset(
    Proposal, ProposalForm, title=_("Proposals"), add_label=_("Add proposal"), row_label=_("Proposal")
)
ActionFormSet = _formset(
    FollowUpAction,
    ActionForm,
    base=BaseActionFormSet,
    title=_("Follow-up actions"),
    add_label=_("Add action"),
    row_label=_("Action"),
)
LinkFormSet = _formset(
    DocumentationLink, LinkForm, title=_("Documentation"), add_label=_("Add link"), row_label=_("Link")
)
FeedbackFormSet = _formset(
    Feedback, FeedbackForm, title=_("Feedback"), add_label=_("Add feedback"), row_label=_("Feedback")
)

# The outcome page's lists, by the prefix their fields are named with.
OUTCOME_FORMSETS = {
    "insights": InsightFormSet,
    "proposals": ProposalFormSet,
    "actions": ActionFormSet,
    "links": LinkFormSet,
    "feedback": FeedbackFormSet,
}


def outcome_formsets(dialogue, data=None, *, user):
    people = PersonalData(user)
    return {
        prefix: formset(data, instance=dialogue, prefix=prefix, people=people)
        for prefix, formset in OUTCOME_FORMSETS.items()
    }


def empty_outcome_row(dialogue, prefix, index, *, user):
    """One empty row of the named list, numbered `index`, for the htmx "add row" buttons."""
    formset_class = OUTCOME_FORMSETS[prefix]
    formset = formset_class(
        instance=dialogue, prefix=prefix, queryset=formset_class.model.objects.none(), people=PersonalData(user)
    )
    return formset, empty_row(formset, index)


class NextForm(forms.Form):
    """Where to go after a one-click action. The view accepts only a local address."""

    next = forms.CharField(required=False)


class ActionListForm(forms.Form):
    """The follow-up page's choices, all from links: ?overdue=1 (the home page's figure), ?mine=1 (all of my own
    actions, in pages) and ?project= (one project's, from its page; among those the user sees)."""

    overdue = forms.BooleanField(required=False)
    mine = forms.BooleanField(required=False)
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.visible_to(user)

    def choices(self):
        """The cleaned choices; a bad value is taken as not given (a link, not a form anyone fills in)."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}


class ActionDoneForm(NextForm):
    show_dialogue = forms.BooleanField(required=False)
