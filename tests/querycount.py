from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url, **params):
    """Number of database queries one GET makes; the page must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return len(captured)
