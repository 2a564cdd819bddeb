import hmac
import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dialogues import services as dialogue_services
from dialogues.models import Dialogue, FollowUpAction
from kremlib.cache import cached
from kremlib.http import client_ip, paginate
from kremlib.permissions import can
from kremlib.search import Terms
from kremlib.softdelete import RESTORE_DAYS
from projects import services as project_services
from projects.models import Project
from projects.rules import is_coordinator

from .dashboard import Period, figures
from .forms import PeriodForm, SearchForm
from .search import GROUP_SIZE, search_everything

logger = logging.getLogger(__name__)


def dashboard_for(user, period):
    """The dashboard is costly to count (at national scale about a second for a member of a big partner): kept
    in the shared cache (kremlib/cache.py) until what it counts changes (krem/apps.py), so every app server shows
    the same figures. A coordinator's is the same for every coordinator; a member's or a participant's is their
    own, under their own key."""
    whose = ["coordinator"] if is_coordinator(user) else ["user", user.pk]
    key = ["dashboard", *whose, period.first, period.last, get_language()]
    return cached(key, lambda: figures(user, period))


@require_safe
def home(request):
    """The dashboard of the chosen period (krem/dashboard.py), the user's next gatherings and open actions."""
    this_year = Period.this_year()
    form = PeriodForm(request.GET or None, initial={"year_from": this_year.first, "year_to": this_year.last})
    period = form.period(default=this_year)
    # What the user will want this week: their next gatherings and what they answer for.
    upcoming = (
        Dialogue.objects.visible_to(request.user).upcoming().for_list().with_attended(request.user).soonest_first()[:5]
    )
    # The same actions as "mine" on the follow-up page.
    my_actions = FollowUpAction.objects.responsible(request.user).open().filter(dialogue__in=Dialogue.objects.alive())
    context = {
        "form": form,
        "dashboard": dashboard_for(request.user, period),
        "upcoming": upcoming,
        "my_open_actions": my_actions.count(),
    }
    return render(request, "home.html", context)


@require_safe
def search(request):
    """The header's search box: everything the user may see that matches, grouped by kind, best first, at most
    GROUP_SIZE per kind with a link to the list page that shows them all."""
    form = SearchForm(request.GET)
    terms = Terms(form.cleaned_data["q"] if form.is_valid() else "")
    context = {"form": form, "terms": terms, "groups": search_everything(request.user, terms), "group_size": GROUP_SIZE}
    return render(request, "search.html", context)


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


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache():
    key = f"krem:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def broker_url():
    """The job queue's broker (the Celery settings, when the app has them), else the shared Redis, else none."""
    return getattr(settings, "CELERY_BROKER_URL", "") or getattr(settings, "REDIS_URL", "")


def check_broker():
    url = broker_url()
    if not url:
        return  # one machine without a job queue: nothing to reach
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise RuntimeError("only a Redis broker can be checked")
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


READINESS_CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


@login_not_required
@transaction.non_atomic_requests
@require_safe
def readyz(request):
    """For load balancers: 200 when this server can serve (database, cache and broker answer), else 503 naming
    what failed. /healthz only says that the process runs and reaches its database."""
    failed = []
    for name, check in READINESS_CHECKS.items():
        try:
            check()
        except Exception:
            logger.warning("readiness: %s unavailable", name, exc_info=True)
            failed.append(name)
    if failed:
        return HttpResponse("".join(f"{name}: unavailable\n" for name in failed), status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def metrics_allowed(request):
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[len("Bearer ") :].encode(), token.encode()):
        return True
    return bool(settings.METRICS_ALLOWED_IPS) and client_ip(request) in settings.METRICS_ALLOWED_IPS


@login_not_required
@transaction.non_atomic_requests
@require_safe
def metrics(request):
    """Prometheus metrics (requests by view and status, latency, database queries): for the configured
    addresses or the bearer token only. Everyone else is told there is nothing here (404)."""
    if not metrics_allowed(request):
        raise Http404
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

    registry = REGISTRY
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


# Deleted items: what was deleted in the last RESTORE_DAYS days, for coordinators to bring back.


def require_deleted_items_access(user):
    """Deleted projects and dialogues exist for coordinators only: everyone else gets 404."""
    if not can(user, "projects.view_deleted_items"):
        raise Http404


def deleted_items(request):
    require_deleted_items_access(request.user)
    context = {
        "projects": Project.objects.deleted().restorable().order_by("-deleted_at", "pk"),
        # Gatherings are deleted one by one and may pile up within the restore period: a list in pages.
        "page": paginate(
            request, Dialogue.objects.deleted().restorable().select_related("project").order_by("-deleted_at", "pk")
        ),
        "days": RESTORE_DAYS,
    }
    return render(request, "deleted_items.html", context)


@require_POST
def restore_deleted_project(request, pk):
    require_deleted_items_access(request.user)
    project = get_object_or_404(Project.objects.deleted().restorable(), pk=pk)
    project = project_services.restore_project(project=project)
    messages.success(request, _("The project “%(title)s” was restored.") % {"title": project.title})
    return redirect("deleted_items")


@require_POST
def restore_deleted_dialogue(request, pk):
    require_deleted_items_access(request.user)
    dialogue = get_object_or_404(Dialogue.objects.deleted().restorable().select_related("project"), pk=pk)
    dialogue = dialogue_services.restore_dialogue(dialogue=dialogue)
    if dialogue.project.deleted_at is not None:
        messages.warning(
            request,
            _("The dialogue “%(title)s” was restored, but its project is deleted: restore the project to see it.")
            % {"title": dialogue.title},
        )
    else:
        messages.success(request, _("The dialogue “%(title)s” was restored.") % {"title": dialogue.title})
    return redirect("deleted_items")
