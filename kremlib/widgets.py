"""Form widgets and fields that every app's forms share."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """The browser's date picker; the value in the ISO form it expects."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker (local time, Europe/Oslo)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class HttpsURLField(forms.URLField):
    """An address typed without a scheme gets https:// (Django 6's default, chosen now)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


def https_urls(db_field, **kwargs):
    """A ModelForm's `formfield_callback`: its URL fields become HttpsURLField."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("form_class", HttpsURLField)
    return db_field.formfield(**kwargs)


class RadioSelect(forms.RadioSelect):
    """Radio buttons without the "---------" choice that Django adds for a model field without a default.

    A required group starts with nothing chosen, so the blank choice only invited a meaningless answer; it is
    left out. An optional group keeps it, with a label a reader understands.
    """

    def optgroups(self, name, value, attrs=None):
        groups = []
        for group_name, options, index in super().optgroups(name, value, attrs):
            kept = []
            for option in options:
                if option["value"] in ("", None):
                    if self.is_required:
                        continue
                    option["label"] = _("Not given")
                kept.append(option)
            if kept:
                groups.append((group_name, kept, index))
        return groups
