from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import NoticeKind


class NoticeSettingsForm(forms.Form):
    """Which kinds of notice come by email, and in which language. Every kind is listed in the app regardless."""

    kinds = forms.MultipleChoiceField(
        label=_("Send me an email about"),
        choices=NoticeKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Unticked kinds are still shown on the home page, but not emailed."),
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)
