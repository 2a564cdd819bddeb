import datetime
import secrets

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kremlib.versioning import VersionedFormMixin
from kremlib.widgets import BoundedSelect, DateInput
from projects.forms import organisation_select
from projects.models import Organisation

from .models import ConsentMethod, ConsentPurpose, Participant
from .validators import validate_no_national_id

# Pseudonyms a coordinator can accept as they are: neutral Norwegian words of nature, plus a number.
PSEUDONYM_WORDS = [
    "Ask",
    "Bjørk",
    "Eik",
    "Furu",
    "Gran",
    "Hassel",
    "Lind",
    "Osp",
    "Rogn",
    "Selje",
    "Lerke",
    "Måke",
    "Spurv",
    "Svale",
    "Trost",
    "Ugle",
    "Fjell",
    "Fjord",
    "Bekk",
    "Skog",
]


def suggest_pseudonym():
    return f"{secrets.choice(PSEUDONYM_WORDS)} {secrets.randbelow(90) + 10}"


class ParticipantForm(VersionedFormMixin, forms.ModelForm):
    """What coordinators record about a person: as little as the purpose needs. No identity number, ever."""

    class Meta:
        model = Participant
        fields = ["display_name", "perspective", "organisation", "email", "phone"]
        widgets = {"organisation": organisation_select(active_only=True)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name = self.fields["display_name"]
        name.validators.append(validate_no_national_id)
        if not self.instance.pk and not self.is_bound:
            suggestion = suggest_pseudonym()
            self.initial["display_name"] = suggestion
            name.widget.attrs["placeholder"] = suggestion
            name.help_text = _(
                "We suggest a pseudonym. Use the person's real name only if they want to be named. "
                "Never a national identity number."
            )
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True).order_by("name")
        self.fields["email"].help_text = _("Optional. Used only with the person's consent to contact.")
        self.fields["phone"].help_text = _("Optional. Used only with the person's consent to contact.")


class MyProfileForm(VersionedFormMixin, forms.ModelForm):
    """What a person may change about themself."""

    class Meta:
        model = Participant
        fields = ["display_name", "email", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].validators.append(validate_no_national_id)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    given_on = forms.DateField(label=_("Consent given on"), widget=DateInput(), initial=timezone.localdate)
    method = forms.ChoiceField(
        label=_("How it was given"), required=False, choices=[("", _("Not known"))] + ConsentMethod.choices
    )

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        active = set(participant.consents.active().values_list("purpose", flat=True))
        self.fields["purpose"].choices = [
            (value, label) for value, label in ConsentPurpose.choices if value not in active
        ]

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError(_("A consent cannot be given in the future."), code="future")
        return given_on

    def given_at(self):
        """Today means now; an earlier day means the start of that day."""
        given_on = self.cleaned_data["given_on"]
        if given_on == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.datetime.combine(given_on, datetime.time.min))


# What each consent means, in plain words, for the person who gives it.
PURPOSE_EXPLANATIONS = {
    ConsentPurpose.ATTENDANCE: _(
        "Staff of the partner organisations may see your name in the lists of who attended a gathering."
    ),
    ConsentPurpose.QUOTING: _(
        "What you write as an insight may be quoted in summaries and reports, without your name."
    ),
    ConsentPurpose.PHOTO_FILM: _("You may be photographed or filmed at gatherings, and the pictures used."),
    ConsentPurpose.CONTACT: _("Staff may use your email address or phone number to contact you."),
}


class GiveConsentForm(forms.Form):
    """A consent the person gives themself on "Min side": one of the purposes without an active consent."""

    purpose = forms.ChoiceField(label=_("What do you agree to?"), widget=forms.RadioSelect)

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        active = set(participant.consents.active().values_list("purpose", flat=True))
        self.fields["purpose"].choices = [
            (value, f"{label}: {PURPOSE_EXPLANATIONS[value]}")
            for value, label in ConsentPurpose.choices
            if value not in active
        ]


class WithdrawConsentForm(forms.Form):
    """Withdraw in one step. Without a date, as of now; a coordinator may give the day the person said so."""

    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput(), required=False)

    def __init__(self, *args, consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent

    def clean_withdrawn_on(self):
        withdrawn_on = self.cleaned_data["withdrawn_on"]
        if withdrawn_on is None:
            return None
        if withdrawn_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")
        if withdrawn_on < timezone.localdate(self.consent.given_at):
            raise forms.ValidationError(_("The date cannot be before the consent was given."), code="before_given")
        return withdrawn_on

    def withdrawn_at(self):
        withdrawn_on = self.cleaned_data["withdrawn_on"]
        if withdrawn_on is None or withdrawn_on == timezone.localdate():
            return timezone.now()
        # The end of that day, so it is never before the moment the consent was given.
        return max(
            timezone.make_aware(datetime.datetime.combine(withdrawn_on, datetime.time.max)),
            self.consent.given_at,
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), help_text=_("The link is sent here. It becomes the username."))


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_terms = forms.BooleanField(label=_("I have read the terms and the privacy notice, and I accept them"))

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error(
                "password2", forms.ValidationError(_("The two passwords are not the same."), code="mismatch")
            )
        elif password1:
            email = self.invitation.email.lower()
            candidate = get_user_model()(username=email, email=email)
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class MergeForm(forms.Form):
    duplicate = forms.ModelChoiceField(
        label=_("The duplicate record"),
        queryset=Participant.objects.none(),
        help_text=_("Everything of the duplicate moves to this record; then the duplicate is deleted."),
        widget=BoundedSelect(lookup="participants:participant_lookup", search_label=_("Search for participant")),
    )

    def __init__(self, *args, keep, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = (
            Participant.objects.filter(anonymised_at__isnull=True)
            .exclude(pk=keep.pk)
            .select_related("organisation")
            .order_by("display_name", "pk")
        )
        self.fields["duplicate"].label_from_instance = registry_label


def registry_label(participant) -> str:
    """A person as the registry (coordinators) tells records apart: name, number, perspective and organisation."""
    organisation = f", {participant.organisation.name}" if participant.organisation else ""
    return f"{participant.display_name} (#{participant.pk}, {participant.get_perspective_display()}{organisation})"


class ExportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you exporting?"),
        max_length=200,
        required=False,
        help_text=_("Written in the access log, which the person can read. Empty: an access request (GDPR Art. 15)."),
    )
