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
