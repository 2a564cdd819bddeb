from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dialogues.models import Dialogue
from projects.models import Municipality, Project, ProjectStatus


def home(request):
    counts = {
        "projects": Project.objects.count(),
        "active_projects": Project.objects.filter(status=ProjectStatus.ACTIVE).count(),
        "dialogues_held": Dialogue.objects.held().count(),
        "municipalities": Municipality.objects.filter(projects__isnull=False).distinct().count(),
    }
    return render(request, "home.html", {"counts": counts})


# Not atomic: ATOMIC_REQUESTS would open the transaction, and fail with a 500, before we could answer 503.
@login_not_required
@transaction.non_atomic_requests
@require_safe
def healthz(request):
    """For load balancers and monitoring: 200 "ok" when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
