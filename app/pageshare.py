"""Drawn pages shared by a server's worker processes: after a write, each page is drawn once.

app.readcache keeps drawn pages per process under PostgreSQL's snapshot. A commit gives every
later request a new snapshot, so after a write every worker of the server misses the page at
once and draws it: five workers, five draws of the same page, more than two cores have when
the page is long. Here the pages of a snapshot are files in a directory the workers share
(``OKO_PAGE_DIR``), and a worker that misses takes the page's lock (an exclusive ``flock``)
before drawing: those that ask for the same page meanwhile wait for it and read what it drew
instead of drawing it again. The kernel drops the lock when its holder ends, killed or not;
a worker stuck while drawing is bounded by the server's timeout.

A page's file is named by the SHA-256 of its key (the database, the snapshot, the viewer, the
locale, the path, the day): nothing a request sends reaches a path. The files hold what
app.readcache keeps in memory, the CSRF token already taken out; the directory is the
server's own (0700). A snapshot's directory goes when a newer one has been made and it has not
been written to for ``KEEP_SECONDS``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

KEEP_SECONDS = 60  # an older snapshot's pages stay this long after its last page was written
_roots: set[Path] = set()  # every directory this process has used (for clear())


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def kept_or_drawn(
    root: Path,
    snapshot: tuple[Any, ...],
    key: tuple[Any, ...],
    draw: Callable[[], tuple[Any, str | None]],
) -> tuple[Any, str | None]:
    """The page of ``key`` at ``snapshot`` (the database and its snapshot) as another worker
    kept it, ``(None, text)``; or else what ``draw`` returns, ``(answer, text to keep or None)``,
    drawn while holding the page's lock, its text kept for the others."""
    _roots.add(root)
    try:
        path = _folder(root, snapshot) / _digest(key)
    except OSError:  # no room, no right: the page is drawn unshared
        return draw()
    text = _read(path)
    if text is not None:
        return None, text
    with _locked(path.with_suffix(".lock")):
        text = _read(path)  # drawn by the worker that held the lock before
        if text is not None:
            return None, text
        answer, text = draw()
        if text is not None:
            _write(path, text)
        return answer, text


def _folder(root: Path, snapshot: tuple[Any, ...]) -> Path:
    folder = root / _digest(snapshot)[:32]
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _prune(root, keep=folder)
    return folder


def _prune(root: Path, keep: Path) -> None:
    """Take out the directories of older snapshots nobody has written to for a while."""
    limit = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        with contextlib.suppress(OSError):  # another worker pruning it at the same time
            if folder != keep and folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a reader never sees half a page. Keeping is a saving, not a duty:
    a full disk or a directory pruned meanwhile leaves the page unkept."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".drawing-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # its directory pruned meanwhile: draw without
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # waits while another worker draws the page
        yield
    finally:
        os.close(handle)  # releases the lock


def clear() -> None:
    """Forget every shared page this process has used (tests; a change of schema)."""
    for root in list(_roots):
        for folder in root.glob("*"):
            shutil.rmtree(folder, ignore_errors=True)
