from django import template

from kremlib.permissions import can as can_check

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, perm, obj=None):
    """{% can "projects.add_project" as may_add %}: the app's rule for the logged-in user (kremlib.permissions)."""
    return can_check(context["user"], perm, obj)
