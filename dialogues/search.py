"""What the dialogues app finds for a search (kremlib/search.py), each limited to what the user may see.

Insights, proposals and agenda items are found only in the dialogues the user may open (Dialogue.visible_to:
drafts only for those who may read them), and an insight whose author withdrew their consent to quoting is not
found at all by those who may not read it (participants.personal_data.PersonalData.quotable)."""

from django.db.models import Q

from kremlib.search import Searchable, Terms
from participants.personal_data import PersonalData

from .models import AgendaItem, Dialogue, Insight, Proposal

# The fields each search vector is made of (dialogues/migrations/0006_full_text_search.py): keep them the same.
DIALOGUE = Searchable(fields=("title", "purpose", "venue"), snippet=("purpose",))
INSIGHT = Searchable(fields=("text",), snippet=("text",))
PROPOSAL = Searchable(fields=("text",), snippet=("text",))
AGENDA_ITEM = Searchable(fields=("title",), snippet=("title",))


def visible_dialogues(user):
    return Dialogue.objects.visible_to(user)


def quotable_insights(user):
    return Insight.objects.filter(PersonalData(user).quotable("participant"))


def search_dialogues(user, terms: Terms):
    return terms.ranked(visible_dialogues(user).select_related("project"), DIALOGUE)


def search_insights(user, terms: Terms):
    insights = quotable_insights(user).filter(dialogue__in=visible_dialogues(user)).select_related("dialogue")
    return terms.ranked(insights, INSIGHT)


def search_proposals(user, terms: Terms):
    proposals = Proposal.objects.filter(dialogue__in=visible_dialogues(user)).select_related("dialogue")
    return terms.ranked(proposals, PROPOSAL)


def search_agenda_items(user, terms: Terms):
    items = AgendaItem.objects.filter(dialogue__in=visible_dialogues(user)).select_related("dialogue")
    return terms.ranked(items, AGENDA_ITEM)


def dialogues_matching(queryset, terms: Terms, *, user):
    """The dialogue list's search box: dialogues whose title, purpose or venue, or one of whose insights (that
    the user may read), proposals or agenda items matches. Subqueries, each on its own index."""
    return queryset.filter(
        Q(pk__in=terms.filter(Dialogue.objects.all(), DIALOGUE).values("pk"))
        | Q(pk__in=terms.filter(quotable_insights(user), INSIGHT).values("dialogue"))
        | Q(pk__in=terms.filter(Proposal.objects.all(), PROPOSAL).values("dialogue"))
        | Q(pk__in=terms.filter(AgendaItem.objects.all(), AGENDA_ITEM).values("dialogue"))
    )
