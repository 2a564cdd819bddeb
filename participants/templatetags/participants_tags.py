from django import template
from django.utils.translation import gettext as _

from ..personal_data import PersonalData
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


@register.simple_tag(takes_context=True)
def person(context, account, nobody="–"):
    """An account as the naming policy lets the logged-in user see it: a name for coordinators, "you" for
    oneself, else the role (participants.personal_data.PersonalData.user_label); `nobody` when there is none."""
    if account is None:
        return nobody
    return PersonalData(context["user"]).user_label(account) or _("another user")


@register.simple_tag(takes_context=True)
def actor(context, account):
    """Who did something in the access log. No account: the app itself, e.g. the retention command."""
    return person(context, account, _("the system"))
