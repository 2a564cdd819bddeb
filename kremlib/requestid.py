"""A request id for every request: taken from a sane incoming X-Request-ID (the proxy's) or made here, sent back
in the response's X-Request-ID, put on every log record (RequestIdFilter) and kept in a context variable so that
work the request hands on (a task) can carry it: `current()` when queueing, `bound(id)` in the worker."""

import contextlib
import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
# Letters, digits and a few separators, as proxies and load balancers make them; anything else is replaced, so
# a client cannot write into our logs or headers.
SANE = re.compile(r"[A-Za-z0-9._:-]{8,128}")

_request_id = contextvars.ContextVar("krem_request_id", default=None)


def current():
    """The id of the request (or task) being handled here, or None."""
    return _request_id.get()


@contextlib.contextmanager
def bound(request_id):
    """Handle some work under this id (a task passes on the id of the request that queued it)."""
    token = _request_id.set(request_id if request_id and SANE.fullmatch(request_id) else new_id())
    try:
        yield _request_id.get()
    finally:
        _request_id.reset(token)


def new_id():
    return uuid.uuid4().hex


def middleware(get_response):
    def handle(request):
        incoming = request.headers.get(HEADER, "")
        with bound(incoming) as request_id:
            request.request_id = request_id
            response = get_response(request)
            response[HEADER] = request_id
            return response

    return handle


class RequestIdFilter(logging.Filter):
    """Every log record gets `request_id` ("-" outside a request), for the formatters to print."""

    def filter(self, record):
        record.request_id = _request_id.get() or "-"
        return True
