import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.translation import ngettext


def norwegian_first(get_response):
    """Speak Norwegian Bokmål until the user picks another language with the header's switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, so an English browser got an English UI
    although KREM's users work in Norwegian. Here only the choice the user made counts: the language cookie that
    set_language writes (it outlives the session, so the choice is remembered after logging out).
    """
    languages = {code for code, _name in settings.LANGUAGES}

    def middleware(request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware


def no_store_personal_pages(get_response):
    """Tell browsers and proxies not to keep pages with personal data: `Cache-Control: no-store`.

    Every response to a logged-in user is personal. Other responses get it unless their view chose
    its own caching. Static files never reach this middleware: whitenoise answers them first.
    """

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response

    return middleware


# Session keys for the two clocks, in seconds since the epoch (JSON-serialisable).
SESSION_LOGIN_AT = "krem_login_at"
SESSION_SEEN_AT = "krem_seen_at"
# The idle clock is kept to the minute: it is written only when it moved this much, so that a burst of requests
# (a page and its htmx fragments) does not write the session (a database row) on every one of them.
SEEN_AT_STEP = 60


def session_timeouts(get_response):
    """End a session after KREM_SESSION_IDLE_MINUTES without a request, or KREM_SESSION_MAX_HOURS after login.

    A computer left logged in at a NAV office or a library must not stay open to the next person. The user is
    logged out and sent to the login page with a message saying why; after logging in they come back here.
    The session is written only when a clock moved (by SEEN_AT_STEP or more), so the idle time is counted to
    the minute: a session may end up to a minute early, never late.
    """

    def middleware(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            login_at = request.session.get(SESSION_LOGIN_AT)
            seen_at = request.session.get(SESSION_SEEN_AT)
            if seen_at is not None and now - seen_at > settings.KREM_SESSION_IDLE_MINUTES * 60:
                return _log_out(
                    request,
                    ngettext(
                        "You were logged out after %(minutes)s minute without activity. Please log in again.",
                        "You were logged out after %(minutes)s minutes without activity. Please log in again.",
                        settings.KREM_SESSION_IDLE_MINUTES,
                    )
                    % {"minutes": settings.KREM_SESSION_IDLE_MINUTES},
                )
            if login_at is not None and now - login_at > settings.KREM_SESSION_MAX_HOURS * 3600:
                return _log_out(
                    request,
                    ngettext(
                        "You were logged out because you logged in more than %(hours)s hour ago. Please log in again.",
                        "You were logged out because you logged in more than %(hours)s hours ago. Please log in again.",
                        settings.KREM_SESSION_MAX_HOURS,
                    )
                    % {"hours": settings.KREM_SESSION_MAX_HOURS},
                )
            if login_at is None:
                request.session[SESSION_LOGIN_AT] = now
            if seen_at is None or now - seen_at >= SEEN_AT_STEP:
                request.session[SESSION_SEEN_AT] = now
        return get_response(request)

    return middleware


def start_session_clocks(sender, request, user, **kwargs):
    """A login (the login form, an accepted invitation) starts both clocks. Connected to user_logged_in."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LOGIN_AT] = request.session[SESSION_SEEN_AT] = time.time()


def _log_out(request, message):
    logout(request)
    messages.info(request, message)
    login_url = redirect_to_login(request.get_full_path())["Location"]
    if request.headers.get("HX-Request") == "true":
        # htmx would swap the login page into a fragment of the page; ask it to load the whole page instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login_url
        return response
    return HttpResponseRedirect(login_url)
