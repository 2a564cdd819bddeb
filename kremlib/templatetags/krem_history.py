from django import template

from kremlib.history import conflict_for_reader

register = template.Library()


@register.simple_tag(takes_context=True)
def conflict_as_read(context, conflict):
    """{% conflict_as_read form.conflict as conflict %}: the conflict as the naming policy lets this reader see it."""
    return conflict_for_reader(conflict, context["user"]) if conflict else None
