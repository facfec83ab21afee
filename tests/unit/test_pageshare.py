"""Drawn pages shared by worker processes (app.pageshare): drawn once by whoever misses first
while the others wait, whole or not at all, named by digests only, older snapshots pruned."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

from app import pageshare

SNAPSHOT = ("postgresql://db/oko", "100:105:")
KEY = ("100:105:", "7", "ru", "/cases/1")


def _draw_slowly(root: str, drawn: str, results: str, start: float) -> None:
    """One worker: waits for the common start, then asks for the page; each draw leaves a line."""
    time.sleep(max(0.0, start - time.time()))

    def draw() -> tuple[str, str]:
        with open(drawn, "a") as log:
            log.write(f"{os.getpid()}\n")
        time.sleep(0.4)  # a long page: the others ask meanwhile
        return "answer", f"<p>drawn by {os.getpid()}</p>"

    _answer, text = pageshare.kept_or_drawn(Path(root), SNAPSHOT, KEY, draw)
    with open(results, "a") as out:
        out.write(f"{text}\n")


def test_five_workers_asking_at_once_draw_the_page_once_and_all_get_it(tmp_path: Path) -> None:
    drawn, results = tmp_path / "drawn.log", tmp_path / "results.log"
    start = time.time() + 0.5
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(
            target=_draw_slowly, args=(str(tmp_path / "pages"), str(drawn), str(results), start)
        )
        for _ in range(5)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert len(drawn.read_text().split()) == 1  # one draw for five requests
    texts = results.read_text().splitlines()
    assert len(texts) == 5 and len(set(texts)) == 1 and texts[0].startswith("<p>drawn by ")


def test_a_kept_page_is_read_not_drawn_and_an_unkept_one_is_drawn_again(tmp_path: Path) -> None:
    calls: list[str] = []

    def draw(keep: bool) -> tuple[str, str | None]:
        calls.append("drawn")
        return "the answer", ("<p>page</p>" if keep else None)

    root = tmp_path / "pages"
    assert pageshare.kept_or_drawn(root, SNAPSHOT, KEY, lambda: draw(True)) == (
        "the answer",
        "<p>page</p>",
    )
    assert pageshare.kept_or_drawn(root, SNAPSHOT, KEY, lambda: draw(True)) == (None, "<p>page</p>")
    assert len(calls) == 1
    other = (*KEY[:-1], "/cases/2")
    for _ in range(2):  # a redirect, a page that wrote or flashed: never kept
        assert pageshare.kept_or_drawn(root, SNAPSHOT, other, lambda: draw(False))[1] is None
    assert len(calls) == 3
    newer = (SNAPSHOT[0], "100:106:")  # a write committed: nothing of the older snapshot serves
    assert pageshare.kept_or_drawn(root, newer, KEY, lambda: draw(True))[0] == "the answer"
    assert len(calls) == 4


def test_files_are_named_by_digests_whatever_the_path_asked(tmp_path: Path) -> None:
    root = tmp_path / "pages"
    hostile = (*KEY[:-1], "/../../etc/passwd?x=\x00<script>")
    pageshare.kept_or_drawn(root, SNAPSHOT, hostile, lambda: ("a", "<p>x</p>"))
    names = [p.relative_to(root) for p in root.rglob("*")]
    assert names and all(
        len(part.split(".")[0]) in (32, 64) and set(part.split(".")[0]) <= set("0123456789abcdef")
        for name in names
        for part in name.parts
    ), names
    folder = next(p for p in root.iterdir())
    assert folder.stat().st_mode & 0o077 == 0  # the server's own


def test_an_older_snapshot_s_pages_go_once_idle_and_a_recent_one_s_stay(tmp_path: Path) -> None:
    root = tmp_path / "pages"
    pageshare.kept_or_drawn(root, ("db", "1:2:"), KEY, lambda: ("a", "<p>old</p>"))
    pageshare.kept_or_drawn(root, ("db", "2:3:"), KEY, lambda: ("a", "<p>recent</p>"))
    old, recent = sorted(root.iterdir(), key=lambda p: p.stat().st_mtime)
    idle = time.time() - pageshare.KEEP_SECONDS - 5
    os.utime(old, (idle, idle))
    pageshare.kept_or_drawn(root, ("db", "3:4:"), KEY, lambda: ("a", "<p>newest</p>"))
    assert not old.exists() and recent.exists() and len(list(root.iterdir())) == 2


def test_a_directory_it_cannot_write_to_leaves_the_page_drawn_unshared(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    answer = pageshare.kept_or_drawn(blocked / "pages", SNAPSHOT, KEY, lambda: ("a", "<p>x</p>"))
    assert answer == ("a", "<p>x</p>")
