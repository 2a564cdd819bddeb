from django import forms
from django.utils.translation import gettext_lazy as _

from kremlib.search import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Projects, dialogues, insights, proposals, agenda items, learning logs and partners you may see."),
    )


MAX_PERIOD_YEARS = 50  # the charts draw one column per year


class PeriodForm(forms.Form):
    """The dashboard's period: whole years, from one to another; either alone is that one year; none is this
    year. The names are those of the project list's filter, so a period reads the same in both addresses."""

    year_from = forms.IntegerField(
        label=_("From year"),
        required=False,
        min_value=1900,
        max_value=2200,
        widget=forms.NumberInput(attrs={"min": 1900, "max": 2200, "class": "ds-input", "inputmode": "numeric"}),
        error_messages={"invalid": _("Write the year as four digits, e.g. 2011.")},
    )
    year_to = forms.IntegerField(
        label=_("To year"),
        required=False,
        min_value=1900,
        max_value=2200,
        widget=forms.NumberInput(attrs={"min": 1900, "max": 2200, "class": "ds-input", "inputmode": "numeric"}),
        error_messages={"invalid": _("Write the year as four digits, e.g. 2011.")},
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("year_from"), cleaned.get("year_to")
        if first is not None and last is not None:
            if first > last:
                raise forms.ValidationError(_("The first year must not be after the last."), code="reversed")
            if last - first >= MAX_PERIOD_YEARS:
                raise forms.ValidationError(
                    _("Choose at most %(years)s years at a time.") % {"years": MAX_PERIOD_YEARS}, code="too_long"
                )
        return cleaned

    def period(self, default):
        """The chosen period, or `default` when the form is empty or has errors."""
        if not self.is_valid():
            return default
        first, last = self.cleaned_data["year_from"], self.cleaned_data["year_to"]
        if first is None and last is None:
            return default
        return type(default)(first if first is not None else last, last if last is not None else first)
