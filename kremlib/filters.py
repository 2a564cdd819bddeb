"""Filters that every app's filter sets share (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's sort choice, with its "(descending)" label in our catalogue.

    django-filter ships no Norwegian translation, so its own "%s (descending)" stayed English ("Tittel
    (descending)") in the Norwegian UI.
    """

    descending_fmt = _("%s (descending)")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("Default order"))
        super().__init__(*args, **kwargs)
