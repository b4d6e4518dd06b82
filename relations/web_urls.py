"""Which addresses from the data may become links: http(s) only, whatever is stored.

URLField validation already refuses `javascript:` in the admin, but a record
saved through loaddata, a script or an older version is shown as it is; every
template that turns stored text into a link goes through these two functions.
"""

from urllib.parse import urlsplit

from django.utils.html import Urlizer

WEB_SCHEMES = {"http", "https"}


def web_url(value):
    """`value` if it is an absolute http(s) address, else ""."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() in WEB_SCHEMES and parts.netloc:
        return value
    return ""


class WebUrlizer(Urlizer):
    """Django's urlize, linking web addresses only: no mailto: and no other scheme."""

    @staticmethod
    def is_email_simple(value):
        return False


web_urlizer = WebUrlizer()
