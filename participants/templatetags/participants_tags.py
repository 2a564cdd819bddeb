from django import template
from django.utils.translation import gettext as _

from ..services import AccessAction, AccessReason

register = template.Library()


@register.filter
def access_action(value):
    """The access log's "what" in words; an action this version does not know is shown as stored."""
    try:
        return AccessAction(value).label
    except ValueError:
        return value


@register.filter
def access_reason(value):
    """A reason the app gave, in words; a reason a coordinator typed is shown as typed."""
    try:
        return AccessReason(value).label
    except ValueError:
        return value


@register.filter
def person(user, nobody="–"):
    """A user as people know them: full name, else username; `nobody` when there is no user."""
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()


@register.filter
def actor(user):
    """Who did something in the access log. No user: the app itself, e.g. the retention command."""
    return person(user, _("the system"))
