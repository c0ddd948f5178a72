"""PDF rendering with WeasyPrint: tagged (PDF/UA-1), titled, in British English, and unable to fetch anything but
our own static files.

WeasyPrint is imported only when a PDF is made: it takes about half a second to import, which web processes that
never render a PDF should not pay at start-up.

Documents are rendered from a string with a sentinel base URL (`STATIC_HOST`, a reserved `.invalid` name that never
resolves), so `{% static %}` paths in a template become URLs on that host. The fetcher answers those from the static
files finders or the collected static root and refuses everything else: other hosts, `file:`, `data:`, `ftp:`, paths
that climb out of the static root. Refusing raises an ordinary exception, which WeasyPrint logs and skips (the image
or stylesheet is left out); nothing is ever opened on the network or the disk outside the static files.
"""

import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

STATIC_HOST = "static.invalid"
BASE_URL = f"https://{STATIC_HOST}/"
PDF_VARIANT = "pdf/ua-1"


class FetchRefused(ValueError):
    """A document asked for something other than one of our static files."""


def static_file_bytes(url: str) -> tuple[bytes, str]:
    """The content and MIME type of the static file `url` names, or FetchRefused."""
    parts = urlsplit(url)
    static_prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    if parts.scheme != "https" or parts.netloc != STATIC_HOST or not parts.path.startswith(static_prefix):
        raise FetchRefused(f"Only static files may be fetched, not {url!r}")
    relative = unquote(parts.path[len(static_prefix) :])
    normalised = posixpath.normpath(relative)
    if not relative or normalised.startswith(("..", "/")) or normalised != relative or "\\" in relative:
        raise FetchRefused(f"Not a static file path: {url!r}")
    try:
        path = finders.find(normalised)
        if path is None and settings.STATIC_ROOT and staticfiles_storage.exists(normalised):
            path = staticfiles_storage.path(normalised)
    except (SuspiciousFileOperation, NotImplementedError) as error:
        raise FetchRefused(f"Not a static file path: {url!r}") from error
    if path is None:
        raise FetchRefused(f"No such static file: {url!r}")
    with open(path, "rb") as handle:
        content = handle.read()
    return content, mimetypes.guess_type(normalised)[0] or "application/octet-stream"


def url_fetcher():
    """A WeasyPrint URL fetcher that serves our static files and nothing else (every fetch, redirects included,
    goes through `fetch` in WeasyPrint ≥ 68)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            content, mime_type = static_file_bytes(url)
            return URLFetcherResponse(url, body=content, headers={"Content-Type": mime_type})

    return StaticFilesOnlyFetcher(allow_redirects=False)


def html_to_pdf(html: str) -> bytes:
    """Renders a complete HTML document to a tagged PDF. The document's `<title>` becomes the PDF title and its
    `lang` the PDF language, so templates must set both."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
