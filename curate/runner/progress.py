"""Progress lines for long work: shards done / total, documents, docs/s, elapsed time."""

from __future__ import annotations

import sys
import time


class Progress:
    """Prints one line per update: in place on a terminal, every ``every_s`` seconds in a log."""

    def __init__(self, phase: str, total: int, skipped: int = 0, every_s: float = 10.0, stream=None) -> None:
        self.phase, self.total, self.skipped = phase, total, skipped
        self.done = self.failed = self.docs = 0
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every_s = 0.5 if self.tty else every_s
        self.t0 = time.time()
        self._last = 0.0
        self._shown: tuple[int, int, int] | None = None

    def update(self, docs: int = 0, failed: bool = False, force: bool = False) -> None:
        if failed:
            self.failed += 1
        else:
            self.done += 1
            self.docs += docs
        self.show(force)

    def show(self, force: bool = False) -> None:
        now = time.time()
        if not force and now - self._last < self.every_s:
            return
        self._last = now
        self._shown = (self.done, self.failed, self.docs)
        elapsed = max(now - self.t0, 1e-9)
        line = (f"[{self.phase}] {self.done + self.skipped}/{self.total} shards"
                f" ({self.skipped} already done, {self.failed} failed) | {self.docs:,} docs"
                f" | {self.docs / elapsed:,.1f} docs/s | {_clock(elapsed)}")
        if self.tty:
            self.stream.write("\r" + line.ljust(100))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty or self._shown != (self.done, self.failed, self.docs):  # a log gets no repeated line
            self.show(force=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _clock(s: float) -> str:
    s = int(s)
    return f"{s // 3600:d}:{s // 60 % 60:02d}:{s % 60:02d}"
