from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kremlib.versioning import VersionedFormMixin
from kremlib.widgets import DateTimeInput
from participants.models import ConsentPurpose, Participant
from participants.personal_data import PersonalData, PersonMultipleChoiceField, offer_people
from participants.queries import with_active_consent
from projects.models import Organisation

from .models import AgendaItem, Dialogue, DialogueStatus


class DialogueForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Dialogue
        fields = [
            "kind",
            "title",
            "purpose",
            "starts_at",
            "ends_at",
            "time_precision",
            "series",
            "venue",
            "municipality",
            "facilitators",
            "facilitating_participants",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "facilitators": forms.CheckboxSelectMultiple(),
            "facilitating_participants": forms.CheckboxSelectMultiple(),
        }
        field_classes = {"facilitating_participants": PersonMultipleChoiceField}
        help_texts = {
            "starts_at": _(
                "Date and time, Norwegian time (Europe/Oslo). Leave start and end empty when the date is not known."
            ),
            "time_precision": _(
                "For a gathering known only to the day, month, season or year, give any day in it as the start and "
                "choose how well it is known; the end may stay empty. It is never shown more precisely."
            ),
        }

    # Shown (as a checkbox) only when the project is over: planning on it is allowed, but the user confirms it.
    confirm_closed_project = forms.BooleanField(
        label=_("Yes, plan it anyway"),
        required=False,
        widget=forms.HiddenInput(),
    )

    def __init__(self, *args, project, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out of a form posted without it (an older page, a script): the time stays as well known as it was.
        self.fields["time_precision"].required = False
        self.project = project
        # Facilitators come from the project's partners; people from those organisations who consented to
        # being registered by name, and whoever is already named here (so that saving keeps them), each labelled
        # as the naming policy lets the user see them: a withdrawn consent leaves a neutral label.
        self.fields["facilitators"].queryset = Organisation.objects.filter(partnerships__project=project).distinct()
        consenting = with_active_consent(ConsentPurpose.ATTENDANCE).filter(organisation__partnerships__project=project)
        already = self.instance.facilitating_participants.all() if self.instance.pk else Participant.objects.none()
        offer_people(
            self.fields["facilitating_participants"],
            Participant.objects.filter(Q(pk__in=consenting.values("pk")) | Q(pk__in=already.values("pk"))),
            people=PersonalData(user),
            project_id=project.pk,
        )

    def clean_time_precision(self):
        return self.cleaned_data["time_precision"] or self.instance.time_precision

    def clean(self):
        cleaned = super().clean()
        starts_at = cleaned.get("starts_at")
        moved = self.instance.pk is None or "starts_at" in self.changed_data
        if starts_at and moved and not cleaned.get("confirm_closed_project") and self.after_project_closed(starts_at):
            self.fields["confirm_closed_project"].widget = forms.CheckboxInput()
            self.add_error(
                "starts_at",
                _(
                    "The project “%(project)s” is %(status)s. Check that this gathering belongs to it, and tick "
                    "the box below to plan it anyway."
                )
                % {"project": self.project.title, "status": self.project.get_status_display().lower()},
            )
        return cleaned

    def after_project_closed(self, starts_at):
        """A completed or continued project, and a gathering after its end (or any, when no end is known)."""
        if not self.project.is_closed:
            return False
        end = self.project.end_date
        return end is None or timezone.localdate(starts_at) > end


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "duration_minutes"]


AgendaFormSet = forms.inlineformset_factory(
    Dialogue, AgendaItem, form=AgendaItemForm, extra=1, can_delete=True, can_order=True, max_num=50, validate_max=True
)


class CancelForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Dialogue
        fields = ["cancel_reason"]
        widgets = {"cancel_reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cancel_reason"].required = True

    def clean(self):
        if self.instance.status == DialogueStatus.HELD:
            raise forms.ValidationError(_("A dialogue that has been held cannot be cancelled."))
        return super().clean()


class DuplicateForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New start"), widget=DateTimeInput())

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        if value.year < 2000 or value.year > 2100:
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))
        return value


def initial_duplicate_start(dialogue):
    """A week after the original, or a week from now if that has passed."""
    start = (dialogue.starts_at or timezone.now()) + timezone.timedelta(days=7)
    while start < timezone.now():
        start += timezone.timedelta(days=7)
    return timezone.localtime(start)
