"""The HTTP layer of the public site, in one place.

- `revalidated`: ETag and Last-Modified from the timeline's data version (and the
  code that renders it), a 304 for a matching If-None-Match / If-Modified-Since
  before the view runs, and `Cache-Control: public, no-cache`: any cache may keep
  a page, but asks each time whether it is still current, so an edit shows at once.
- `shared_with_any_origin`: `Access-Control-Allow-Origin: *` for the exports and
  the feed, which pages on other sites (TimelineJS's hosted embed) fetch, and the
  answer to their preflight requests.
- `ResponseMiddleware`: gzip for text, except responses that carry a CSRF token
  (BREACH); HEAD answered without producing a streamed body; 304s without a
  Content-Security-Policy, which would replace the cached page's and its nonce.

Views answer HEAD wherever they answer GET: they use `require_safe`, and the
servers (gunicorn, runserver) leave the body out.
"""

import datetime as dt
import functools
import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from relations.models import TimelineVersion

# Everything besides the data that shapes a response: a deployment of new code,
# templates or static files must not be answered "not modified".
RENDERING_FILES = [
    ("relations", "**/*.py"),
    ("relations", "**/*.json"),
    ("templates", "**/*"),
    ("static", "**/*"),
]
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/schema+json",
    "application/ld+json",
    "application/atom+xml",
    "application/xml",
    "image/svg+xml",
)
# The request headers a page varies on besides the URL (see `Vary`).
VARIANT_HEADERS = ("HX-Request", "HX-History-Restore-Request")


@functools.cache
def rendering_state():
    """(digest, modification time) of the files that render responses."""
    digest = hashlib.sha256()
    newest = 0.0
    for folder, pattern in RENDERING_FILES:
        for path in sorted((settings.BASE_DIR / folder).glob(pattern)):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
            newest = max(newest, path.stat().st_mtime)
    digest.update(repr((settings.TIMELINE_TITLE, settings.EXPORT_FILENAME)).encode())
    return digest.hexdigest()[:16], dt.datetime.fromtimestamp(int(newest), dt.UTC)


UNREAD = object()


def last_modified(changed_at=UNREAD):
    """When the data (changed at `changed_at`, None if never) or the code that renders it
    last changed, to the second."""
    if changed_at is UNREAD:
        changed_at = TimelineVersion.state()[1]
    code_time = rendering_state()[1]
    return max(changed_at or code_time, code_time).replace(microsecond=0)


def validators(request):
    """(ETag, Last-Modified as a timestamp) of the response this request would get.

    The ETag is weak, because the same content is served gzipped or not; its
    variant part tells a page from its htmx fragment.
    """
    version, changed_at = TimelineVersion.state()
    request.timeline_version = version  # for the view: one query for both
    variant = "|".join(request.headers.get(name, "") for name in VARIANT_HEADERS)
    variant_hash = hashlib.sha256(variant.encode()).hexdigest()[:8]
    etag = f'W/"{version}-{rendering_state()[0]}-{variant_hash}"'
    return etag, int(last_modified(changed_at).timestamp())


def revalidated(view):
    """Conditional GET for a public view whose output depends only on the request and
    the timeline data: 304 without running the view when the client's copy is current."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            # An editor's session: the page may show drafts, and views.preview_response
            # keeps it out of shared caches. Readers have no session on the public site.
            return view(request, *args, **kwargs)
        etag, last_modified = validators(request)
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = view(request, *args, **kwargs)
        if 200 <= response.status_code < 300 or response.status_code == 304:
            # Over the view's own (the feed sets its newest entry's time), so that
            # the validators a client holds are the ones compared next time.
            response.headers["ETag"] = etag
            response.headers["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapped


def shared_with_any_origin(view):
    """Let scripts on any site read the response (CORS): it is public data, sent
    without cookies' help, so no origin gains anything it could not fetch itself."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            # A script that sends If-None-Match (to revalidate) asks first: say yes.
            response = HttpResponse(status=204)
            response["Allow"] = response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        # Scripts may read these too; the rest of the safelist is open already.
        response["Access-Control-Expose-Headers"] = "Content-Disposition, ETag, Last-Modified"
        return response

    return wrapped


def carries_csrf_token(request):
    """Whether the response holds a CSRF token (or sets a new one).

    Django's CSRF middleware marks the request this way whenever get_token() or
    rotate_token() ran, i.e. a form rendered `{% csrf_token %}`; the mark stays
    (set to False) after the middleware has sent the cookie.
    """
    return "CSRF_COOKIE_NEEDS_UPDATE" in request.META or request.path.startswith(
        reverse("admin:index")
    )


class ResponseMiddleware(GZipMiddleware):
    """Compression, HEAD and 304 clean-up for every response not served by whitenoise.

    Sits above the CSP, CSRF and session middleware (MIDDLEWARE lists it just after
    WhiteNoise), so it sees the headers they add.
    """

    def process_response(self, request, response):
        if response.status_code == 304:
            # A 304's headers update the cached response's; a new policy would carry a
            # nonce that the cached page's scripts do not have.
            for header in ("Content-Security-Policy", "Content-Security-Policy-Report-Only"):
                if header in response:
                    del response[header]
            return response
        if self.compressible(request, response):
            response = super().process_response(request, response)
        if request.method == "HEAD" and response.streaming:
            # The server would drop the body anyway; this keeps it from being produced.
            response.streaming_content = []
        return response

    def compressible(self, request, response):
        content_type = response.get("Content-Type", "")
        return content_type.startswith(COMPRESSIBLE_TYPES) and not carries_csrf_token(request)
