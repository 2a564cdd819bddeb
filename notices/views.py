from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .forms import NoticeSettingsForm
from .models import Notice, NoticeKind, NoticeLanguage, OptOut
from .recipients import for_user, key_for, language_of
from .tokens import read_token


def settings_page(request):
    """Min side → notices: which kinds come by email, and the language. Everyone with an account has one."""
    key = key_for(user=request.user)
    recipient = for_user(request.user)
    opted = set(OptOut.objects.filter(recipient_key=key).values_list("kind", flat=True))
    initial = {"kinds": [kind for kind in NoticeKind.values if kind not in opted], "language": language_of(key)}
    form = NoticeSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["kinds"])
        OptOut.objects.filter(recipient_key=key, kind__in=wanted).delete()
        for kind in set(NoticeKind.values) - wanted - opted:
            OptOut.objects.get_or_create(recipient_key=key, kind=kind)
        NoticeLanguage.objects.update_or_create(recipient_key=key, defaults={"language": form.cleaned_data["language"]})
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notices:settings")
    context = {"form": form, "emailed": recipient is not None and bool(recipient.address)}
    return render(request, "notices/settings.html", context)


# Mail clients send the one-click unsubscribe as a POST without any cookie or CSRF token (RFC 8058).
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a page that asks; POST: no more email of this one kind to this one person. No login needed."""
    found = read_token(token)
    if found is None or found[1] not in NoticeKind.values:
        raise Http404
    key, kind = found
    label = NoticeKind(kind).label
    if request.method == "POST":
        with transaction.atomic():
            OptOut.objects.get_or_create(recipient_key=key, kind=kind)
        return render(request, "notices/unsubscribed.html", {"kind": label})
    return render(request, "notices/unsubscribe.html", {"kind": label})


@require_POST
def mark_read(request):
    Notice.objects.for_user(request.user).unread().update(read_at=timezone.now())
    return redirect("home")
