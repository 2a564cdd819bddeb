"""Full-text search (kremlib/search.py): a generated, GIN-indexed search vector on PostgreSQL; nothing on SQLite."""

from django.db import migrations

from kremlib.search import add_search_vector


class Migration(migrations.Migration):
    dependencies = [("projects", "0010_coordinator_role")]

    operations = [
        # The search page's projects and the project list's search box (projects.search.search_projects).
        add_search_vector(
            "projects_project",
            [("title", "A"), ("summary", "B"), ("goals", "C"), ("target_groups", "C")],
            "project_search_vector_idx",
        ),
        # The search page's learning log entries, and the project list's search box (a project whose log matches).
        add_search_vector("projects_learningentry", [("text", "B")], "learningentry_search_vector_idx"),
        # The search page's organisations, the partner list's search box and the project list's (by partner).
        add_search_vector("projects_organisation", [("name", "A"), ("notes", "C")], "organisation_search_vector_idx"),
    ]
