from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects.forms import organisation_select
from projects.models import Municipality, Organisation

FIRST_YEAR, LAST_YEAR = 1990, 2100


class PortfolioForm(forms.Form):
    """The portfolio report's choices, read from the address (GET): a period in years, a municipality, a partner."""

    from_year = forms.IntegerField(
        label=_("From year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR, widget=forms.NumberInput
    )
    to_year = forms.IntegerField(
        label=_("To year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR, widget=forms.NumberInput
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), required=False, queryset=Municipality.objects.order_by("name")
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        required=False,
        queryset=Organisation.objects.order_by("name", "pk"),
        widget=organisation_select(),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from_year"), cleaned.get("to_year")
        if start and end and end < start:
            raise ValidationError(_("The period ends before it starts: the last year must not be before the first."))
        return cleaned
