"""Error reporting with the Sentry SDK, only when SENTRY_DSN is set, and without personal data: no request bodies,
no cookies, no headers that carry a session, no user names or emails (the participants of a dialogue seminar are
vulnerable people; an error report must not carry them to a third party)."""

import re

KEEP_USER_FIELDS = {"id"}
DROP_HEADERS = {"cookie", "authorization", "x-csrftoken", "x-forwarded-for", "x-real-ip", "referer"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
FILTERED = "[filtered]"


def _scrub_text(value):
    return EMAIL.sub(FILTERED, value) if isinstance(value, str) else value


def _scrub_frames(event):
    """Local variables of stack frames may hold a participant's name or the form a user typed: drop them."""
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
        if "value" in exception:
            exception["value"] = _scrub_text(exception["value"])


def before_send(event, hint=None):
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
        request.pop("query_string", None)  # search words, tokens in invitation links
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() not in DROP_HEADERS}
        if "env" in request:
            request["env"] = {k: v for k, v in request["env"].items() if k in {"SERVER_NAME", "SERVER_PORT"}}
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {k: v for k, v in user.items() if k in KEEP_USER_FIELDS}
    _scrub_frames(event)
    if "message" in event:
        event["message"] = _scrub_text(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry.pop("params", None)
        if "message" in logentry:
            logentry["message"] = _scrub_text(logentry["message"])
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        crumb.pop("data", None)
        if "message" in crumb:
            crumb["message"] = _scrub_text(crumb["message"])
    return event


def init(dsn, *, environment, release=None, traces_sample_rate=0.0):
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,
    )
