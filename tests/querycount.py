"""Counting the database queries of one page, and pinning that number.

A budget is an exact number: the queries of a GET at 1 row and at 30 rows must both be it. A page that makes
one query per row fails the equality; a page that makes 60 queries whatever the rows fails the number. The
count includes everything the request sends to the database, the SAVEPOINT and RELEASE SAVEPOINT of
ATOMIC_REQUESTS among them (inside the test's transaction, on SQLite as on PostgreSQL).
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def get_counted(client, url, **params):
    """One GET: the response (it must be 200) and the SQL of the queries it made."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response, [query["sql"] for query in captured.captured_queries]


def count_queries(client, url, **params):
    """Number of database queries one GET makes; the page must answer 200. To pin a page's budget: assert_budget."""
    return len(get_counted(client, url, **params)[1])


def numbered(queries):
    return "\n".join(f"{number:3}. {sql}" for number, sql in enumerate(queries, start=1))


def assert_num_queries(client, url, expected, **params):
    """One GET of `url` makes exactly `expected` queries; on failure the message lists them."""
    response, queries = get_counted(client, url, **params)
    assert len(queries) == expected, f"{url}: {len(queries)} queries, budget {expected}:\n{numbered(queries)}"
    return response


def assert_budget(client, url, build, expected, *, user=None, **params):
    """GET `url` after build(1) and again after build(29): both make exactly `expected` queries.

    `url` may be a callable (the address is known only once the rows exist). With `user`, the client logs in
    afresh just before each GET, so that the session's idle clock (krem.middleware.session_timeouts) is never
    due to be written however long building the rows took. Returns the two responses."""
    responses, counted = [], []
    for rows in (1, 29):
        build(rows)
        if user is not None:
            client.force_login(user)
        response, queries = get_counted(client, url() if callable(url) else url, **params)
        responses.append(response)
        counted.append(queries)
    one, thirty = counted
    if len(one) == len(thirty) == expected:
        return responses
    address = url() if callable(url) else url
    message = f"{address}: budget {expected}, {len(one)} queries at 1 row, {len(thirty)} at 30 rows"
    if len(one) != expected:
        message += f"\n--- at 1 row:\n{numbered(one)}"
    if len(thirty) != len(one):
        message += f"\n--- at 30 rows:\n{numbered(thirty)}"
    raise AssertionError(message)
