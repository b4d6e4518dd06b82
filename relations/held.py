"""What a server process keeps in memory for one data version, read again for another."""

import threading
import time
import weakref

from django.core.cache import cache

# Every PerVersion of this process, for forget_all().
_instances = weakref.WeakSet()


class PerVersion:
    """`build(version)`, kept in this process until the data version moves on.

    Callers pass the version they read first (TimelineVersion.current()), so
    what is built is at least as new as the number it is filed under: a newer
    version always builds again. One build at a time; readers of the current
    one never wait.
    """

    def __init__(self, build):
        self._build = build
        self._lock = threading.Lock()
        self._held = None
        _instances.add(self)

    def __call__(self, version):
        held = self._held
        if held is not None and held.version == version:
            return held
        with self._lock:
            if self._held is None or self._held.version != version:
                self._held = self._build(version)
            return self._held

    def forget(self):
        """Drop what this process holds (tests, where data version numbers repeat)."""
        self._held = None


def forget_all():
    """Drop what this process holds for any data version."""
    for instance in list(_instances):
        instance.forget()
    _kept.clear()


_kept_lock = threading.Lock()
_kept = {}  # {key: (data version, monotonic time it expires, value)}


def kept(key, version, seconds, compute):
    """`compute()` for data version `version`, kept for `seconds` in the cache (shared with
    other processes when CACHE_URL is set) and in this process's memory.

    The memory spares each request the cache's copy (unpickling the actor and
    source options alone cost about half a millisecond a full page). It holds
    one value per key, the latest version's; callers must not change it.
    """
    held = _kept.get(key)
    now = time.monotonic()
    if held is not None and held[0] == version and held[1] > now:
        return held[2]
    cache_key = f"{key}:{version}"
    found = cache.get(cache_key)
    if found is None:
        found = compute()
        cache.set(cache_key, found, seconds)
    with _kept_lock:
        _kept[key] = (version, now + seconds, found)
    return found
