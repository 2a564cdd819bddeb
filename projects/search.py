"""What the projects app finds for a search (kremlib/search.py), each limited to what the user may see.

The search page (krem/views.py) asks these; so do the project and partner lists' search boxes."""

from django.db.models import Q

from kremlib.search import Searchable, Terms

from .models import LearningEntry, Organisation, Partnership, Project

# The fields each search vector is made of (projects/migrations/0011_full_text_search.py): keep them the same.
PROJECT = Searchable(fields=("title", "summary", "goals", "target_groups"), snippet=("summary", "goals"))
LEARNING_ENTRY = Searchable(fields=("text",), snippet=("text",))
ORGANISATION = Searchable(fields=("name", "notes"), snippet=("notes",))
# The registers' search boxes (projects/migrations/0012_register_search.py).
RESULT = Searchable(fields=("description", "unit", "source"), snippet=("description",))
SYSTEM_CHANGE = Searchable(fields=("description", "krem_contribution", "source"), snippet=("description",))


def search_projects(user, terms: Terms):
    """The projects the user may see that match, best first."""
    return terms.ranked(Project.objects.visible_to(user), PROJECT)


def search_learning_entries(user, terms: Terms):
    """The learning log entries of the projects the user may see that match, best first (never their authors)."""
    visible = LearningEntry.objects.filter(project__in=Project.objects.visible_to(user)).select_related("project")
    return terms.ranked(visible, LEARNING_ENTRY)


def search_organisations(user, terms: Terms):
    """The organisations that match, best first: every logged-in user sees the partner list."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return terms.ranked(Organisation.objects.select_related("municipality"), ORGANISATION)


def projects_matching(queryset, terms: Terms):
    """The project list's search box: projects whose own text, a partner or a learning log entry matches.
    Subqueries, not joins: no row is repeated, and each side uses its own index."""
    return queryset.filter(
        Q(pk__in=terms.filter(Project.objects.all(), PROJECT).values("pk"))
        | Q(
            pk__in=Partnership.objects.filter(
                organisation__in=terms.filter(Organisation.objects.all(), ORGANISATION).values("pk")
            ).values("project")
        )
        | Q(pk__in=terms.filter(LearningEntry.objects.all(), LEARNING_ENTRY).values("project"))
    )


def organisations_matching(queryset, terms: Terms):
    """The partner list's search box."""
    return terms.filter(queryset, ORGANISATION)
