"""The registers' search boxes (kremlib/search.py): search vectors of results and system changes, on PostgreSQL."""

from django.db import migrations

from kremlib.search import add_search_vector


class Migration(migrations.Migration):
    dependencies = [("projects", "0012_public_results_page")]

    operations = [
        # The result register's search box (projects.filters.ResultFilter).
        add_search_vector(
            "projects_result", [("description", "A"), ("unit", "C"), ("source", "D")], "result_search_vector_idx"
        ),
        # The system change register's search box (projects.filters.SystemChangeFilter).
        add_search_vector(
            "projects_systemchange",
            [("description", "A"), ("krem_contribution", "B"), ("source", "D")],
            "systemchange_search_vector_idx",
        ),
    ]
