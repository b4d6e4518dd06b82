import logging
import time

import redis
from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)

# A client told to come back later waits this long; the full traceback of an outage is
# logged at most this often per process.
RETRY_AFTER_SECONDS = 30
TRACEBACK_EVERY = 60
# PostgreSQL's "deadlock detected" and "could not serialize access": the transaction
# was ended so that others could go on, and may simply be run again.
RETRIED_SQLSTATES = {"40P01", "40001"}
WRITE_ATTEMPTS = 3

ADMIN_POLICY = {
    # Django 5.2's admin templates put no nonce on their scripts, and some admin
    # pages (simple-history's history view) set inline styles. Scripts still
    # come only from this origin.
    "script-src": [SELF],
    "style-src": [SELF, UNSAFE_INLINE],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with the admin's own script and style rules."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(reverse("admin:index")):
            parts.replace = {**(parts.replace or {}), **ADMIN_POLICY}
        return parts


class QueryStringLimitMiddleware:
    """Refuse a query string longer than settings.MAX_QUERY_STRING_LENGTH with a 414."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = len(request.META.get("QUERY_STRING", ""))
        limit = settings.MAX_QUERY_STRING_LENGTH
        if length > limit:
            return HttpResponse(
                f"This address's query string is {length} characters long; this site accepts "
                f"at most {limit}. Remove the parameters the page does not use.\n",
                status=414,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def unavailable_service(error):
    """ "database" or "cache" when `error` says that service does not answer, else None."""
    if isinstance(error, OperationalError) and "database is locked" in str(error):
        return None  # SQLite busy with a long write: the maintenance page says so
    if isinstance(error, (OperationalError, InterfaceError)):
        return "database"
    if isinstance(error, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
        return "cache"
    return None


class ServiceUnavailableMiddleware:
    """A database or cache that does not answer gets a 503 page with Retry-After, not a 500.

    One log line per request, with the traceback at most once a minute per process:
    an outage otherwise logged a full traceback for every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return unavailable_response(request, exception)


traceback_logged_at = None


def unavailable_response(request, error):
    """The 503 response for `error`, logged, or None if `error` is not an outage."""
    global traceback_logged_at
    service = unavailable_service(error)
    if service is None:
        return None
    now = time.monotonic()
    with_traceback = traceback_logged_at is None or now - traceback_logged_at >= TRACEBACK_EVERY
    if with_traceback:
        traceback_logged_at = now
    logger.error(
        "503 for %s %s: the %s does not answer (%s: %s)",
        request.method,
        request.path,
        service,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
        exc_info=error if with_traceback else None,
    )
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Logged above, with the cause: Django's own line would say only "Service Unavailable".
    response._has_been_logged = True
    return response


class OneTransactionPerWriteMiddleware:
    """On PostgreSQL, each write request (POST and the like) runs in one transaction,
    tried again when PostgreSQL ends it to break a deadlock or a serialization failure.

    Writers take their locks in one order (relations.models.lock_writers), so this
    is the second line of defence. SQLite's write transactions cannot deadlock,
    and there a transaction per request would hold the one write lock throughout.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if (
            request.method in ("GET", "HEAD", "OPTIONS")
            or connection.vendor != "postgresql"
            or connection.in_atomic_block
        ):
            return None
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return view(request, *args, **kwargs)
            except DatabaseError as error:
                sqlstate = getattr(error.__cause__, "sqlstate", None)
                if sqlstate not in RETRIED_SQLSTATES or attempt == WRITE_ATTEMPTS:
                    # Raised from here, an error would skip process_exception.
                    response = unavailable_response(request, error)
                    if response is None:
                        raise
                    return response
                logger.warning(
                    "%s %s: tried again after PostgreSQL ended its transaction (%s)",
                    request.method,
                    request.path,
                    sqlstate,
                )
                for upload in request.FILES.values():
                    upload.seek(0)
