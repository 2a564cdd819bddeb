"""HTTP helpers for views: who is asking (the client's address, also behind our own reverse proxies), htmx, pages."""

from django.conf import settings
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
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


# Pages of lists. The page number travels as ?side= ("page" in Norwegian), in every list and history page.
PAGE_PARAM = "side"
PAGE_SIZE = 25


def is_htmx(request) -> bool:
    """The request comes from htmx: answer with the partial it swaps in, not the whole page."""
    return request.headers.get("HX-Request") == "true"


def paginate(request, queryset, per_page=PAGE_SIZE):
    """The page of `queryset` that ?side= asks for (the first for a missing or bad number, the last past the end)."""
    return Paginator(queryset, per_page).get_page(request.GET.get(PAGE_PARAM))


def list_url(name, **params):
    """The address of the list page `name` filtered by `params`: where a block's "See all" link goes."""
    return f"{reverse(name)}?{urlencode(params)}"


def safe_next(request, url, fallback):
    """`url` if it is an address on this site, else `fallback`: never send people to another site."""
    # Only a path ("/..."): redirect() would take any other string for the name of a view, and fail.
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    ):
        return url
    return fallback
