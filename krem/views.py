from django.shortcuts import render

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
