"""The site's paths without a `reverse()` per link.

A page links the site's sections and up to a dozen events, and each `reverse()`
costs more than the rest of a link's rendering (bench/NOTES.md). A path is
reversed once per script prefix and URL name, with a stand-in for its slug,
and a slug put in its place: a SlugField's value needs no quoting, so the path
is the one `reverse()` gives.
"""

import functools
import re

from django.urls import get_script_prefix, reverse

STAND_IN = "slugstandin0"
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@functools.lru_cache(maxsize=64)
def _reversed(prefix, name, with_slug):
    # `prefix` keys the cache: reverse() reads the script prefix of this thread.
    return reverse(name, args=[STAND_IN] if with_slug else None)


def path(name, slug=None):
    """reverse(name) or reverse(name, args=[slug]), for a URL with at most a slug."""
    if slug is None:
        return _reversed(get_script_prefix(), name, False)
    if not SLUG.fullmatch(slug):
        return reverse(name, args=[slug])
    return _reversed(get_script_prefix(), name, True).replace(STAND_IN, slug, 1)


class SitePaths:
    """`{{ paths.timeline }}` in a template: the path of URL name relations:timeline."""

    def __getitem__(self, name):
        return path(f"relations:{name}")


def site_paths(request):
    return {"paths": SitePaths()}
