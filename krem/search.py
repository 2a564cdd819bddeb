"""The search page's groups: what each app finds (its own `search_*` function, limited to what the user may see),
how a hit is shown, and which list page shows them all."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dialogues import search as dialogue_search
from kremlib.search import Searchable, Terms
from projects import search as project_search

GROUP_SIZE = 10


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    find: Callable  # (user, terms) -> ranked queryset
    searchable: Searchable
    title: Callable  # hit -> the heading of the hit (never a person)
    url: Callable  # hit -> its page
    meta: Callable  # hit -> a line under it, or ""
    list_url: str  # the url name of the list page whose search box finds them all


KINDS = [
    Kind(
        "projects",
        _("Projects"),
        project_search.search_projects,
        project_search.PROJECT,
        title=lambda p: p.title,
        url=lambda p: p.get_absolute_url(),
        meta=lambda p: p.get_status_display(),
        list_url="projects:project_list",
    ),
    Kind(
        "learning",
        _("Learning log"),
        project_search.search_learning_entries,
        project_search.LEARNING_ENTRY,
        title=lambda e: e.project.title,
        url=lambda e: e.project.get_absolute_url() + "#learning",
        meta=lambda e: e.get_kind_display(),
        list_url="projects:project_list",
    ),
    Kind(
        "dialogues",
        _("Dialogues"),
        dialogue_search.search_dialogues,
        dialogue_search.DIALOGUE,
        title=lambda d: d.title,
        url=lambda d: d.get_absolute_url(),
        meta=lambda d: f"{d.get_kind_display()} · {d.project.title}",
        list_url="dialogues:dialogue_list",
    ),
    Kind(
        "insights",
        _("Insights"),
        dialogue_search.search_insights,
        dialogue_search.INSIGHT,
        title=lambda i: i.dialogue.title,
        url=lambda i: i.dialogue.get_absolute_url() + "#outcome",
        meta=lambda i: _("Raised by: %(perspective)s") % {"perspective": str(i.get_perspective_display()).lower()},
        list_url="dialogues:dialogue_list",
    ),
    Kind(
        "proposals",
        _("Proposals"),
        dialogue_search.search_proposals,
        dialogue_search.PROPOSAL,
        title=lambda p: p.dialogue.title,
        url=lambda p: p.dialogue.get_absolute_url() + "#outcome",
        meta=lambda p: p.get_level_display(),
        list_url="dialogues:dialogue_list",
    ),
    Kind(
        "agenda",
        _("Agenda items"),
        dialogue_search.search_agenda_items,
        dialogue_search.AGENDA_ITEM,
        title=lambda a: a.dialogue.title,
        url=lambda a: a.dialogue.get_absolute_url(),
        meta=lambda a: "",
        list_url="dialogues:dialogue_list",
    ),
    Kind(
        "organisations",
        _("Partners"),
        project_search.search_organisations,
        project_search.ORGANISATION,
        title=lambda o: o.name,
        url=lambda o: o.get_absolute_url(),
        meta=lambda o: o.municipality.name if o.municipality_id else o.get_sector_display(),
        list_url="projects:organisation_list",
    ),
]


@dataclass
class Hit:
    title: str
    url: str
    meta: str
    snippet: str  # safe HTML: escaped, matches in <mark>


@dataclass
class Group:
    kind: Kind
    hits: list
    more: bool  # there are more than GROUP_SIZE: the list page shows them all
    list_url: str


def search_everything(user, terms: Terms):
    """The groups with hits, in KINDS' order: one query per kind, each bounded to GROUP_SIZE (+1 to know there
    are more)."""
    if not terms:
        return []
    groups = []
    for kind in KINDS:
        rows = list(kind.find(user, terms)[: GROUP_SIZE + 1])
        if not rows:
            continue
        hits = [
            Hit(str(kind.title(row)), kind.url(row), str(kind.meta(row)), terms.snippet(row, kind.searchable))
            for row in rows[:GROUP_SIZE]
        ]
        list_url = f"{reverse(kind.list_url)}?{urlencode({'q': terms.text})}"
        groups.append(Group(kind, hits, len(rows) > GROUP_SIZE, list_url))
    return groups
