"""Downloads of the whole public timeline, written to a file once per data version.

An unfiltered export is the same bytes for every reader until the data, the
code that renders it or the host it names changes, and at 100,000 events it
takes seconds to produce; so the first download of a data version writes it to
EXPORT_CACHE_DIR and every later one is served from there (sendfile under
gunicorn). Filtered exports are small and many: they stream, as before.

A file's name holds all that its bytes depend on besides the format: the data
version, the rendering code's digest (relations.http.rendering_state, which
also covers the title and file-name settings), the origin the absolute URLs
name (scheme and host, as the request gave them), and the order.

One process builds a file at a time: a request that finds another building it
waits on the file's lock, then reads what the other wrote, rather than
running the same queries again beside it. Writing goes to a temporary file
moved into place with os.replace, so a reader never sees half a file. A file
of an older data version (or other code) is deleted when a newer one is
written; a download still reading it keeps its open copy.

Whatever goes wrong with the directory (missing and not creatable, not
writable, full), the download streams as if there were none.
"""

import contextlib
import fcntl
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from relations.http import rendering_state

logger = logging.getLogger(__name__)

# A temporary file not written to for this long belongs to a writer that was killed.
ABANDONED_SECONDS = 3600

NAME = re.compile(
    r"^full_(?P<version>\d+)_(?P<code>[0-9a-f]+)_(?P<origin>[0-9a-f]+)_(?P<order>[a-z]+)"
    r"_(?P<fmt>[a-z-]+)(?P<lock>\.lock)?$"
)


def directory():
    """Where the files are kept, or None when keeping them is switched off."""
    folder = getattr(settings, "EXPORT_CACHE_DIR", None)
    return Path(folder) if folder else None


@dataclass(frozen=True)
class FullExport:
    """One whole-timeline download: what its bytes depend on."""

    fmt: str
    version: int
    origin: str  # "https://example.org": the start of every absolute URL in it
    order: str  # "oldest" or "newest"

    @property
    def name(self):
        code = rendering_state()[0]
        origin = self.origin.encode().hex()
        return f"full_{self.version}_{code}_{origin}_{self.order}_{self.fmt}"

    @classmethod
    def from_name(cls, name):
        """The export a file in the directory holds, or None for any other file."""
        match = NAME.match(name)
        if match is None or match["lock"]:
            return None
        origin = bytes.fromhex(match["origin"]).decode()
        return cls(match["fmt"], int(match["version"]), origin, match["order"])


def opened(export, write, *, build=True):
    """The file of `export`, open for reading, written first by `write(binary_file)` if
    it is not there yet; None when there is no file to serve (switched off, the
    directory unusable, or absent and `build` false): the caller streams instead."""
    folder = directory()
    if folder is None:
        return None
    path = folder / export.name
    try:
        return path.open("rb")
    except FileNotFoundError:
        if not build:
            return None
    except OSError:
        logger.warning("Cannot read full exports in %s; streaming instead", folder, exc_info=True)
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / f"{export.name}.lock", "ab")  # noqa: SIM115 (closed below)
    except OSError:
        logger.warning("Cannot write full exports to %s; streaming instead", folder, exc_info=True)
        return None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be writing it: wait
        with contextlib.suppress(FileNotFoundError):
            return path.open("rb")  # it was
        if not written(path, write):
            return None
        handle = path.open("rb")
    remove_older(folder, export)
    return handle


def written(path, write):
    """Whether `write` filled a temporary file that is now at `path`."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    except OSError:
        logger.warning("Cannot write %s; streaming instead", path, exc_info=True)
        return False
    try:
        with os.fdopen(descriptor, "wb") as out:
            write(out)
        os.chmod(temporary, 0o644)  # mkstemp makes it readable by its owner only
        os.replace(temporary, path)
    except OSError:
        logger.warning("Cannot write %s; streaming instead", path, exc_info=True)
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return True


def remove_older(folder, export):
    """Delete the files (and their locks) of data versions before `export`'s, and of other
    rendering code: nothing will ask for them again; and what a killed writer left."""
    code = rendering_state()[0]
    abandoned = time.time() - ABANDONED_SECONDS
    for path in folder.iterdir():
        match = NAME.match(path.name)
        with contextlib.suppress(OSError):
            if match:
                stale = int(match["version"]) < export.version or match["code"] != code
            else:
                stale = path.name.endswith(".part") and path.stat().st_mtime < abandoned
            if stale:
                path.unlink()


def known(folder=None):
    """The exports of which the directory holds a file, of any version."""
    folder = folder or directory()
    if folder is None or not folder.is_dir():
        return []
    return [export for path in folder.iterdir() if (export := FullExport.from_name(path.name))]
