"""Full-text search, the one mechanism behind every app's `search(user, terms)` and the list pages' search box.

On PostgreSQL each searchable table has a `search_vector` column that PostgreSQL generates from the row's own
text with the `norwegian` configuration (so "seminarer" finds "seminar", "ansatte" finds "ansatt"), weighted
(a title counts more than a summary) and GIN-indexed. The apps' migrations add it with `add_search_vector()`.
The models do not declare the column: Django never writes it (PostgreSQL computes it on every INSERT and
UPDATE, COPY included) and never loads it with the rows; only `StoredVector()` here reads it. Searches are
ranked (ts_rank) and their snippets cut and marked by ts_headline.

On SQLite (`make run`, the fast test run) there is no such column: every word of the search must appear, in
any letter case, in one of the same fields (icontains), unranked, and the snippet is cut and marked in Python.

Snippets are always escaped here and only our own <mark> tags are added: the text is the users' own.
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Expression, F, Func, Q, TextField, Value
from django.db.models.functions import NullIf
from django.utils.html import escape
from django.utils.safestring import mark_safe

CONFIG = "norwegian"
COLUMN = "search_vector"
MAX_QUERY_LENGTH = 200
MAX_WORDS = 10
SNIPPET_WORDS = 30
# ranked() ranks the newest this many matches: a common word matches hundreds of thousands of rows at national
# scale ("arbeid": 212,000 insights), and ranking them all took 300 ms a kind, with the sort on disk.
RANKED_CANDIDATES = 1000
# ts_headline (and mark() on SQLite) put these around the matches; the text is escaped and then they become
# <mark> tags. Control characters nobody types: a text that held one would only add a <mark>, never other HTML.
START, STOP = "\x02", "\x03"


def is_postgresql():
    return connection.vendor == "postgresql"


# Migrations


def vector_sql(weighted_columns):
    """The SQL that computes a row's search vector from [(column, weight "A"-"D"), ...]."""
    return " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, coalesce({column}, '')), '{weight}')"
        for column, weight in weighted_columns
    )


def add_search_vector(table, weighted_columns, index_name):
    """A migration operation: on PostgreSQL, the generated `search_vector` column of `table` and its GIN index;
    elsewhere nothing. PostgreSQL refuses to change the type of a column a generated column reads: a later
    migration that alters one of these columns drops the search vector first and adds it again."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({vector_sql(weighted_columns)}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {index_name} ON {table} USING gin ({COLUMN})")

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP INDEX IF EXISTS {index_name}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {COLUMN}")

    return migrations.RunPython(forwards, backwards)


# Queries


class StoredVector(Expression):
    """The generated `search_vector` column of the queryset's own table (PostgreSQL only)."""

    output_field = SearchVectorField()

    def __init__(self, alias=None):
        super().__init__()
        self.alias = alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(self.alias)}.{connection.ops.quote_name(COLUMN)}", []

    def get_group_by_cols(self):
        return [self]


@dataclass(frozen=True)
class Searchable:
    """What of a model is searched: the fields its search vector is made of (the same on SQLite), and those the
    snippet is cut from."""

    fields: tuple
    snippet: tuple


class Terms:
    """What the user typed in a search box, ready to match querysets on this database.

    Every word must match (in any field of the row). PostgreSQL's Norwegian stemmer gives a word and its
    inflections different stems at times ("seminar" is 'semin', "seminarer" 'seminar'; "bruker" 'bruk',
    "brukere" 'bruker'), so a word with an inflection ending (-ene, -ne, -er, -et, -en, -e) also stands for itself
    without it, and a word of five letters or more matches as a prefix of the stems: "seminar" and "seminarer"
    find each other. On SQLite a word matches without its inflection ending, as a part of a word."""

    def __init__(self, text):
        self.text = " ".join((text or "").split())[:MAX_QUERY_LENGTH]
        # Letters and digits only: nothing the user types reaches to_tsquery's syntax.
        self.words = re.findall(r"[^\W_]+", self.text.lower())[:MAX_WORDS]

    def __bool__(self):
        return bool(self.words)

    def query(self):
        alternatives = []
        for word in self.words:
            forms = dict.fromkeys([word, uninflected(word)])
            alternatives.append("(" + " | ".join(f"{form}:*" if len(form) >= 5 else form for form in forms) + ")")
        return SearchQuery(" & ".join(alternatives), config=CONFIG, search_type="raw")

    @property
    def stems(self):
        """The words as SQLite's icontains and the Python snippet match them."""
        return [uninflected(word) for word in self.words]

    def filter(self, queryset, searchable):
        """The rows of `queryset` that match, unordered. On PostgreSQL through the GIN index."""
        if not self:
            return queryset.none()
        if is_postgresql():
            return queryset.alias(_search_vector=StoredVector()).filter(_search_vector=self.query())
        return queryset.filter(
            reduce(
                and_,
                (
                    reduce(or_, (Q(**{f"{field}__icontains": stem}) for field in searchable.fields))
                    for stem in self.stems
                ),
            )
        )

    def ranked(self, queryset, searchable):
        """The matching rows, best first, on PostgreSQL each with `search_rank` and `search_headline` (see
        snippet()). Only the newest RANKED_CANDIDATES matches are ranked and returned: the list pages' search
        boxes (filter()) find them all."""
        matches = self.filter(queryset, searchable)
        if is_postgresql():
            # "pk + 0", not "pk": ordered by the key itself, PostgreSQL would walk the primary key backwards and
            # test each row, which it expects to be quick for a prefix search ("xylofon:*" is estimated at 2 % of
            # the rows) and takes 190 ms when nothing matches. So the GIN index finds the matches, always.
            newest = matches.alias(recency=F("pk") + 0).order_by("-recency").values("pk")[:RANKED_CANDIDATES]
            return (
                matches.filter(pk__in=newest)
                .annotate(
                    search_rank=SearchRank(StoredVector(), self.query()),
                    search_headline=SearchHeadline(
                        snippet_text(searchable),
                        self.query(),
                        config=CONFIG,
                        start_sel=START,
                        stop_sel=STOP,
                        max_words=SNIPPET_WORDS,
                        min_words=SNIPPET_WORDS // 2,
                    ),
                )
                .order_by("-search_rank", "pk")
            )
        return matches.order_by("pk")

    def snippet(self, obj, searchable):
        """The snippet of a row from ranked(): ts_headline's on PostgreSQL, cut around the first match here."""
        headline = getattr(obj, "search_headline", None)
        if headline is None:
            text = " … ".join(str(getattr(obj, field) or "") for field in searchable.snippet if getattr(obj, field))
            headline = self.mark(text)
        return as_html(headline)

    def mark(self, text):
        """`text`, cut to SNIPPET_WORDS words around the first word that matches, every match between START and
        STOP (as ts_headline marks them)."""
        if not self.words:
            return text
        pattern = re.compile("|".join(rf"\w*{re.escape(stem)}\w*" for stem in self.stems), re.IGNORECASE)
        words = text.split()
        first = next((i for i, word in enumerate(words) if pattern.search(word)), 0)
        start = max(0, first - SNIPPET_WORDS // 3)
        cut = " ".join(words[start : start + SNIPPET_WORDS])
        cut = ("… " if start else "") + cut + (" …" if start + SNIPPET_WORDS < len(words) else "")
        return pattern.sub(lambda match: f"{START}{match.group(0)}{STOP}", cut)


ENDINGS = ("ene", "ne", "er", "et", "en", "e")


def uninflected(word):
    """The word without its inflection ending, where at least four letters remain."""
    ending = next((ending for ending in ENDINGS if word.endswith(ending) and len(word) - len(ending) >= 4), "")
    return word[: len(word) - len(ending)]


def snippet_text(searchable):
    """The text ts_headline cuts the snippet from: the snippet fields that are not empty, with " … " between."""
    if len(searchable.snippet) == 1:
        return F(searchable.snippet[0])
    fields = [NullIf(F(field), Value("")) for field in searchable.snippet]
    return Func(Value(" … "), *fields, function="CONCAT_WS", output_field=TextField())


def as_html(marked):
    """Escape the text, then turn the START/STOP marks into <mark> tags: no HTML of the user's gets through."""
    return mark_safe(escape(marked).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308
