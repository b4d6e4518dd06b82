from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
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
