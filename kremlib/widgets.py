"""Form widgets and fields that every app's forms share."""

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
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


# Choices over big tables. A national roll-out has 20,000 projects, 200,000 dialogues and 100,000 participants: a
# <select> with every row as an <option> made the registry's filters 14.8 MB (PERF-FINDINGS.md). A bounded select
# renders the rows that matter (the blank choice, what is chosen, the first LOOKUP_LIMIT rows) and, with htmx, a
# search beside it that asks a lookup view for the rows that match. Validation is still the field's: a
# ModelChoiceField accepts any id of its whole queryset, so a row not rendered is still a valid choice.

LOOKUP_LIMIT = 50
SEARCH_SUFFIX = "__search"


def _chosen_keys(queryset, key, values):
    """The chosen values that can be ids of `queryset`: "abc" in an address is none, and no error; nor is a number
    beyond the column's range (the field's validators know it), which the database refuses in an IN (...)."""
    field = queryset.model._meta.get_field(key) if key != "pk" else queryset.model._meta.pk
    keys = []
    for value in values:
        if value in ("", None):
            continue
        try:
            typed = field.to_python(value)
            field.run_validators(typed)
        except (ValidationError, ValueError, TypeError):
            continue
        keys.append(typed)
    return keys


def bounded_rows(queryset, chosen=(), *, matching=None, key="pk", limit=LOOKUP_LIMIT):
    """The chosen rows of `queryset` (only those in it: an id the user may not see names nothing), then the first
    `limit` other rows of `matching` (a search in it; default all of it), and whether there are more. One query,
    two when something is chosen."""
    keys = _chosen_keys(queryset, key, chosen)
    selected = list(queryset.filter(**{f"{key}__in": keys})) if keys else []
    first = list((queryset if matching is None else matching).exclude(**{f"{key}__in": keys})[: limit + 1])
    return selected, first[:limit], len(first) > limit


def bounded_label(shown, more, query=""):
    """What the group of options says: all there are, the first of many, or the matches for a search."""
    if query and not shown:
        return _("No matches for “%(query)s”") % {"query": query}
    if query:
        if more:
            return _("The first %(limit)s matches for “%(query)s”") % {"limit": LOOKUP_LIMIT, "query": query}
        return _("Matches for “%(query)s”") % {"query": query}
    if more:
        return _("The first %(limit)s: search to find others") % {"limit": LOOKUP_LIMIT}
    return _("Choices")


class BoundedSelect(forms.Select):
    """A <select> for a model choice field over a big table, bounded whatever the table's size.

    Renders the blank choice, the chosen row(s) and the field's first LOOKUP_LIMIT rows (in the queryset's order)
    in an <optgroup>. When the table holds more, a labelled search box follows (shown by krem.js, so it is not an
    inert box without JavaScript); htmx sends what is typed and what is chosen to the lookup view `lookup` (a URL
    name, with `lookup_args` and `lookup_query`) and swaps the matching options into the group; the chosen one stays.

    The search box is named "<name>__search": filter sets ignore parameters they do not declare, and forms ignore
    posted keys that are not fields; krem.js keeps its typing from setting off a filter form's own htmx.
    """

    template_name = "kremlib/widgets/bounded_select.html"
    option_inherits_attrs = False

    def __init__(self, *, lookup, search_label, lookup_args=(), lookup_query=None, attrs=None):
        super().__init__(attrs)
        self.lookup, self.lookup_args, self.search_label = lookup, tuple(lookup_args), search_label
        self.lookup_query = dict(lookup_query or {})  # what the lookup needs beyond the search (e.g. active=1)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["search_name"] = name + SEARCH_SUFFIX
        widget["search_label"] = self.search_label
        group = f"{widget['attrs'].get('id', name)}-choices"
        widget["group"] = group
        query = urlencode({**self.lookup_query, "keep": name, "group": group})
        widget["lookup_url"] = f"{reverse(self.lookup, args=self.lookup_args)}?{query}"
        widget["more"] = self._more
        return context

    def optgroups(self, name, value, attrs=None):
        leading, rows, self._more = self.bounded_choices(value)
        chosen = {str(v) for v in value}
        groups = []
        for index, (option_value, label) in enumerate(leading):
            selected = str(option_value) in chosen
            groups.append((None, [self.create_option(name, option_value, label, selected, index)], index))
        index = len(leading)
        options = [
            self.create_option(name, option_value, label, str(option_value) in chosen, index + offset)
            for offset, (option_value, label) in enumerate(rows)
        ]
        groups.append((bounded_label(rows, self._more), options, index))
        return groups

    def bounded_choices(self, value):
        """(choices before the rows, such as the blank one; the rows' choices; whether the table has more)."""
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            raise TypeError("BoundedSelect bounds a model choice field's queryset; these choices are a list")
        field = choices.field
        leading = []
        if field.empty_label is not None:
            leading.append(("", field.empty_label))
        if getattr(field, "null_label", None) is not None:  # django-filter's "none" choice
            leading.append((field.null_value, field.null_label))
        selected, first, more = bounded_rows(choices.queryset, value, key=field.to_field_name or "pk")
        return leading, [choices.choice(obj) for obj in selected + first], more


class BoundedSelectMultiple(BoundedSelect):
    """BoundedSelect for a ModelMultipleChoiceField: every chosen row, then the first others."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False  # an unselected <select multiple> sends nothing, as forms.SelectMultiple knows
