"""The lookup views' shared answer: the options of a BoundedSelect (kremlib/widgets.py) that match a search.

Each app owns its lookup views and decides what the user may see in them; this only reads the request, bounds
the answer and renders it."""

from django.shortcuts import render

from .widgets import SEARCH_SUFFIX, bounded_label, bounded_rows

MAX_QUERY = 100  # characters of a search: a name or a title, not an essay


def lookup_query(request) -> str:
    """What was typed: `q`, or the search box of the select that `keep` names. Trimmed and bounded; without NUL,
    which PostgreSQL refuses in a query."""
    keep = request.GET.get("keep", "")
    query = request.GET.get("q") or (request.GET.get(keep + SEARCH_SUFFIX, "") if keep else "")
    return query.replace("\x00", "").strip()[:MAX_QUERY]


def lookup_chosen(request) -> list:
    """The values chosen in the select that `keep` names (htmx includes it), so that a search keeps them."""
    keep = request.GET.get("keep", "")
    if not keep or keep in ("q", "keep", "group") or keep.endswith(SEARCH_SUFFIX):
        return []
    return request.GET.getlist(keep)


def lookup_options(request, queryset, *, search, label=str):
    """The <optgroup> of options for a lookup: the chosen rows of `queryset`, then the first rows of
    search(queryset, query). `queryset` is already limited to what the user may see, and ordered."""
    query = lookup_query(request)
    matching = search(queryset, query) if query else queryset
    selected, first, more = bounded_rows(queryset, lookup_chosen(request), matching=matching)
    options = [(row.pk, label(row), True) for row in selected] + [(row.pk, label(row), False) for row in first]
    context = {
        "options": options,
        "label": bounded_label(first, more, query),
        "group": request.GET.get("group", "")[:MAX_QUERY],
    }
    return render(request, "kremlib/widgets/bounded_options.html", context)
