"""{% load links %}: the only ways stored text becomes a link (see relations/web_urls.py)."""

from django import template
from django.template.defaultfilters import stringfilter
from django.utils.safestring import mark_safe

from relations.web_urls import web_url, web_urlizer

register = template.Library()


@register.filter
def http_url(value):
    """The address if it is http(s), else "": `{% if source.url|http_url %}<a href=…>`."""
    return web_url(value)


@register.filter(is_safe=True, needs_autoescape=True)
@stringfilter
def weblinks(value, autoescape=True):
    """Like urlize, but only http(s) addresses (and bare www. names) become links."""
    return mark_safe(web_urlizer(value, nofollow=True, autoescape=autoescape))
