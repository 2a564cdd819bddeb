"""Small forms for a participant's own contributions to a dialogue they attended."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import InsightPerspective


class OwnInsightForm(forms.Form):
    text = forms.CharField(label=_("Your insight"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    perspective = forms.ChoiceField(
        label=_("Raised from the perspective of"),
        required=False,
        help_text=_("Leave it as it is to use the perspective you brought to the gathering."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perspective"].choices = [("", _("The perspective I brought"))] + list(InsightPerspective.choices)


class OwnFeedbackForm(forms.Form):
    note = forms.CharField(
        label=_("Your feedback"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    rating = forms.IntegerField(
        label=_("Rating (1–5)"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        widget=forms.NumberInput(attrs={"min": 1, "max": 5, "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("note") and cleaned.get("rating") is None and not self.errors:
            raise forms.ValidationError(_("Write your feedback, give a rating, or both."))
        return cleaned


class OutcomeCommentForm(forms.Form):
    confirmed = forms.BooleanField(label=_("I confirm the summary"), required=False)
    text = forms.CharField(
        label=_("Comment on the summary"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("confirmed") and not cleaned.get("text") and not self.errors:
            raise forms.ValidationError(_("Confirm the summary, write a comment, or both."))
        return cleaned
