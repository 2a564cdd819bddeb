"""HTTP helpers for views: who is asking (the client's address, also behind our own reverse proxies), htmx, pages."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
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


# Lists that only grow (the access log gains a row for every person shown) go page by page from a cursor, ?etter=
# ("after"): the ordering keys of the last row shown, signed. A page number over millions of rows is no use to
# anyone, and OFFSET and COUNT(*) would read every row before the page; the cursor starts the index scan where the
# last page ended.
CURSOR_PARAM = "etter"
_CURSOR_SALT = "kremlib.http.keyset_page"


@dataclass
class KeysetPage:
    """One page of a list in keyset order: its rows, and the cursor of the next page ("" on the last)."""

    object_list: list
    next_cursor: str
    is_first: bool

    @property
    def has_next(self):
        return bool(self.next_cursor)

    def __len__(self):
        return len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)


def keyset_page(request, queryset, ordering=("-at", "-pk"), per_page=PAGE_SIZE):
    """The page of `queryset` after the ?etter= cursor, in `ordering` (fields of the model, none of them null, the
    last one unique: the pk), with no COUNT. A missing, forged or unreadable cursor gives the first page."""
    model = queryset.model
    fields = [_ordering_field(model, name) for name in ordering]
    after = _read_cursor(request.GET.get(CURSOR_PARAM), fields)
    rows = queryset.order_by(*ordering)
    if after is not None:
        rows = rows.filter(_after(ordering, fields, after))
    rows = list(rows[: per_page + 1])
    shown = rows[:per_page]
    next_cursor = ""
    if len(rows) > per_page:
        last = shown[-1]
        keys = [field.value_to_string(last) for field in fields]
        next_cursor = signing.dumps(keys, salt=_CURSOR_SALT, compress=True)
    return KeysetPage(object_list=shown, next_cursor=next_cursor, is_first=after is None)


def _ordering_field(model, name):
    name = name.removeprefix("-")
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _read_cursor(cursor, fields):
    if not cursor:
        return None
    try:
        keys = signing.loads(cursor, salt=_CURSOR_SALT)
        if not isinstance(keys, list) or len(keys) != len(fields):
            return None
        values = [field.to_python(key) for field, key in zip(fields, keys, strict=True)]
    except (signing.BadSignature, ValidationError, FieldDoesNotExist, TypeError, ValueError):
        return None
    return None if None in values else values


def _after(ordering, fields, values):
    """The rows after `values` in `ordering`: (a, b) after (x, y) descending is a < x, or a = x and b < y. The first
    key's bound (a <= x) comes first, so that the database starts its index scan there instead of filtering from
    the top."""
    strictly = Q()
    for position, (name, value) in enumerate(zip(ordering, values, strict=True)):
        key = name.removeprefix("-")
        beyond = Q(**{f"{key}__{'lt' if name.startswith('-') else 'gt'}": value})
        equal_before = Q(**{key_name.removeprefix("-"): v for key_name, v in zip(ordering[:position], values)})
        strictly |= equal_before & beyond
    first = ordering[0]
    bound = Q(**{f"{first.removeprefix('-')}__{'lte' if first.startswith('-') else 'gte'}": values[0]})
    return bound & strictly


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
