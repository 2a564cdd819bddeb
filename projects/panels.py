"""Blocks that the apps above projects add to its pages.

The project, organisation and municipality pages also show gatherings, the voice balance and follow-up actions,
which the dialogues app owns. projects sits below dialogues and imports nothing of it: instead, dialogues
registers from its AppConfig.ready() one function per page, which returns the context its blocks need; the page's
template renders them (`{% if dialogues %}` …). Each function must cost the same number of queries whatever the
number of rows, as the pages' query budgets require.
"""

PAGES = ("project", "organisation", "municipality")

# Each block of these pages (projects, partners, gatherings, actions) shows at most this many rows, with the
# count of all of them and a link to the full list, filtered to the page's project, organisation or municipality:
# an organisation in 1,500 projects or a municipality with 35,000 gatherings still has a page of a few kilobytes.
BLOCK_LIMIT = 15
_panels = {page: [] for page in PAGES}


def register(page: str, panel) -> None:
    """`panel(request, obj, **known)` returns a dict for the template of `page`; `known` holds what the page
    has already fetched (the project page passes the reader's naming policy `people`, the municipality page its
    `projects`)."""
    if panel not in _panels[page]:
        _panels[page].append(panel)


def context_for(page: str, request, obj, **known) -> dict:
    context = {}
    for panel in _panels[page]:
        context.update(panel(request, obj, **known))
    return context
