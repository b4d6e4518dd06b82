"""What a server process keeps in memory for one data version, read again for another."""

import threading


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
