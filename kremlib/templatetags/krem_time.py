from django import template

register = template.Library()


@register.filter
def minutes(value):
    """A timedelta as whole minutes, rounded up: "wait 15 minutes" reads better than "0:15:00"."""
    seconds = value.total_seconds()
    return int(-(-seconds // 60))
