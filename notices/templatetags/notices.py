from django import template

from notices.models import Notice

register = template.Library()

HOME_BLOCK_SIZE = 5


@register.simple_tag(takes_context=True)
def home_notices(context):
    """The user's newest notices and how many are unread, for the home page's block. Two queries."""
    user = context["request"].user
    mine = Notice.objects.for_user(user)
    return {
        "latest": list(mine.only("subject", "link", "created_at", "read_at")[:HOME_BLOCK_SIZE]),
        "unread": mine.unread().count(),
    }
