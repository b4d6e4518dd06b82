from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse

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
