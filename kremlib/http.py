"""Who is asking: the client's address, also behind our own reverse proxies."""

from django.conf import settings
from ipware import get_client_ip


def client_ip(request):
    """The address django-axes locks failed logins by (AXES_CLIENT_IP_CALLABLE).

    Without BEHIND_PROXY, the address of the connection. Behind proxies, each of the KREM_PROXY_COUNT proxies
    appends the address it was reached from to X-Forwarded-For, the last of them reaches the app from
    REMOTE_ADDR: so the client is the entry that the first proxy appended, KREM_PROXY_COUNT - 1 from the right
    end. What stands to the left of it was sent by the client itself and may be forged, so it is never used;
    otherwise anyone could unlock themself, or lock out someone else, with a made-up header."""
    if not settings.BEHIND_PROXY:
        return request.META.get("REMOTE_ADDR")
    ip, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        # django-ipware counts the proxies listed in the header, which leaves out the last one (REMOTE_ADDR).
        proxy_count=settings.KREM_PROXY_COUNT - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,  # a client's own entries, on the left, may be anything
    )
    return ip or request.META.get("REMOTE_ADDR")  # no usable header: a request that did not come through the proxy
