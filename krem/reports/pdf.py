"""HTML to PDF with WeasyPrint, reading stylesheets, fonts and images from our own static files, never the network.

WeasyPrint renders with the print media type, so the PDF is the page as the browser prints it (static/css/print.css).
"""

import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string


def static_path(url):
    """The file on disk of one of our static files at `url` (an address under STATIC_URL), else None.

    The storage first (after collectstatic it holds the hashed names that {% static %} writes in production), then
    the finders (development and tests, where nothing is collected)."""
    path = urlsplit(url).path
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if not path.startswith(prefix):
        return None
    name = unquote(path[len(prefix) :])
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
        found = finders.find(name)
    except (SuspiciousFileOperation, NotImplementedError, ValueError):
        return None
    return found if isinstance(found, str) else None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Our static files from disk; data: URLs as WeasyPrint reads them; every other address is refused (a
        warning in WeasyPrint's log, and the resource left out), so a report never makes a request."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_path(url)
            if path is None:
                raise ValueError(f"Not one of our static files, not fetched: {url}")
            mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as file:
                body = file.read()
            return URLFetcherResponse(url, body, headers={"Content-Type": mime_type})

    return StaticFilesFetcher


def render_pdf(request, template, context) -> bytes:
    """The page `template` would render for `request`, as a PDF."""
    from weasyprint import HTML  # imported here: it loads pango, which the pages themselves do not need

    html = render_to_string(template, {**context, "pdf": True}, request=request)
    fetcher = _fetcher_class()(allowed_protocols=("http", "https", "data"), allow_redirects=False)
    return HTML(string=html, base_url=request.build_absolute_uri("/"), url_fetcher=fetcher).write_pdf()


def pdf_response(request, template, context, filename) -> HttpResponse:
    response = HttpResponse(render_pdf(request, template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
