"""A series of gatherings (such as the "Tenk Om" conferences): its page lists the gatherings the user may see."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from kremlib.http import paginate

from ..models import Dialogue, Series


@require_safe
def series_detail(request, slug):
    """Any signed-in user may open a series (its name and description are KREM's own). Its gatherings are those
    Dialogue.objects.visible_to() lets the user see; the others are only counted, never named."""
    series = get_object_or_404(Series, slug=slug)
    visible = Dialogue.objects.visible_to(request.user).filter(series=series)
    page = paginate(request, visible.for_list().soonest_first())
    hidden = Dialogue.objects.alive().filter(series=series).count() - page.paginator.count
    return render(request, "dialogues/series_detail.html", {"series": series, "page": page, "hidden": hidden})
