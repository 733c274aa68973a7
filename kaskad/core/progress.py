"""Progress of long work, for the two audiences that watch it: a terminal and a Job page.

Long operations call a plain callback ``progress(stage, done, total)`` as often as they like;
the reporters here decide how often that is worth showing:

    with JobProgress(job.pk) as job_progress:
        bar = TerminalProgress(sys.stderr, labels={"validating": _("validating")})
        run(progress=fan_out(job_progress, bar))
        bar.close()

`JobProgress` writes the Job row at most every ``min_interval`` seconds (0.5 s by default).
Inside a transaction an ordinary UPDATE would stay invisible to the page until the commit, so
on PostgreSQL it writes through a second, autocommit connection (skipping the row if someone
holds its lock, so it can never wait on its own transaction); SQLite allows a single writer,
so there the job row is left alone until the transaction ends.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TextIO

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kaskad.core.models import Job

ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)

logger = logging.getLogger(__name__)


def fan_out(*callbacks: ProgressCallback | None) -> ProgressCallback:
    """One callback that reports to several (None entries are skipped)."""
    targets = [cb for cb in callbacks if cb is not None]

    def report(stage: str, done: int, total: int) -> None:
        for target in targets:
            target(stage, done, total)

    return report


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TerminalProgress:
    """A one-line progress bar with rate and ETA, redrawn in place on a terminal.

    On a stream that is not a terminal (a log file, a pipe) it prints a plain line at most
    every ``log_interval`` seconds and once at the end of each stage.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        labels: Mapping[str, str | Promise] | None = None,
        unit: str | Promise | None = None,
        width: int = 30,
        min_interval: float = 0.1,
        log_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.labels = dict(labels or {})
        self.unit = unit
        self.width = width
        self.clock = clock
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self.min_interval = min_interval if self.interactive else log_interval
        self._stage = ""
        self._stage_started = 0.0
        self._last_draw = float("-inf")
        self._last: tuple[int, int] = (0, 0)
        self._line_open = False
        self._final_drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if stage != self._stage:
            if self._stage and not self._final_drawn:
                self._draw(now, final=True)
            self._stage = stage
            self._stage_started = now
            self._last_draw = float("-inf")
            self._final_drawn = False
        elif self._final_drawn:
            return
        self._last = (done, total)
        finished = total > 0 and done >= total
        if not self.interactive and done == 0 and not finished:
            return  # a log needs no "0%" line for every stage
        if finished or now - self._last_draw >= self.min_interval:
            self._draw(now, final=finished)

    def line(self, now: float | None = None) -> str:
        """The text of the bar for the latest report (also used by tests)."""
        now = self.clock() if now is None else now
        done, total = self._last
        elapsed = max(now - self._stage_started, 1e-9)
        rate = done / elapsed
        unit = str(self.unit) if self.unit is not None else _("rows")
        label = str(self.labels.get(self._stage, self._stage))
        parts = [label]
        if total > 0:
            fraction = min(1.0, done / total)
            filled = round(fraction * self.width)
            parts.append("[" + "#" * filled + "-" * (self.width - filled) + "]")
            parts.append(f"{int(fraction * 100):3d}%")
            parts.append(
                f"{number_format(done, force_grouping=True)}/"
                f"{number_format(total, force_grouping=True)}"
            )
        else:
            parts.append(number_format(done, force_grouping=True))
        parts.append(
            _("%(rate)s %(unit)s/s")
            % {"rate": number_format(int(rate), force_grouping=True), "unit": unit}
        )
        if total > 0 and done < total and rate > 0:
            parts.append(_("ETA %(time)s") % {"time": _duration((total - done) / rate)})
        else:
            parts.append(_duration(elapsed))
        return " ".join(parts)

    def _draw(self, now: float, *, final: bool) -> None:
        self._last_draw = now
        self._final_drawn = final
        text = self.line(now)
        if self.interactive:
            # \x1b[K clears what a longer previous line left behind.
            self.stream.write("\r" + text + "\x1b[K" + ("\n" if final else ""))
            self._line_open = not final
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Draw the last state of the current stage and end the line."""
        if self._stage and not self._final_drawn:
            self._draw(self.clock(), final=True)
        if self._line_open:
            self.stream.write("\n")
            self.stream.flush()
            self._line_open = False


class JobProgress:
    """Keeps a Job row's stage/done/total current while work runs (at most every ~0.5 s)."""

    def __init__(
        self,
        job_id: int,
        *,
        min_interval: float = 0.5,
        using: str = DEFAULT_DB_ALIAS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id = job_id
        self.min_interval = min_interval
        self.using = using
        self.clock = clock
        self._last_write = float("-inf")
        self._stage = ""
        self._pending: tuple[str, int, int] | None = None
        self._side: Any = None  # the extra PostgreSQL connection, opened on first need
        self._side_failed = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        self._pending = (stage, done, total)
        changed_stage = stage != self._stage
        finished = total > 0 and done >= total
        if changed_stage or finished or now - self._last_write >= self.min_interval:
            self._stage = stage
            self._last_write = now
            if self._write(stage, done, total):
                self._pending = None

    def flush(self) -> None:
        """Write the latest report if it has not been written yet (when possible)."""
        if self._pending is not None and self._write(*self._pending):
            self._pending = None

    def close(self) -> None:
        self.flush()
        if self._side is not None:
            try:
                self._side.close()
            finally:
                self._side = None

    def __enter__(self) -> JobProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _write(self, stage: str, done: int, total: int) -> bool:
        """Record the state; False if it could not be recorded now (kept for flush())."""
        connection = connections[self.using]
        values = {"stage": stage[:40], "done": max(0, done), "total": max(0, total)}
        if not connection.in_atomic_block:
            Job.objects.using(self.using).filter(pk=self.job_id).update(
                updated_at=timezone.now(), **values
            )
            return True
        if connection.vendor == "postgresql":
            return self._write_aside(values)
        # SQLite inside a transaction: the only writer is us; flush() writes it afterwards.
        return False

    def _write_aside(self, values: dict[str, Any]) -> bool:
        if self._side_failed:
            return False
        try:
            if self._side is None:
                self._side = connections.create_connection(self.using)
            table = self._side.ops.quote_name(Job._meta.db_table)
            with self._side.cursor() as cursor:
                # SKIP LOCKED: if our own open transaction has touched the row, waiting for
                # it would wait forever; progress is worth less than that.
                cursor.execute(
                    f"UPDATE {table} SET stage = %s, done = %s, total = %s, updated_at = %s "  # noqa: S608
                    f"WHERE id IN (SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED)",
                    [values["stage"], values["done"], values["total"], timezone.now(), self.job_id],
                )
                return bool(cursor.rowcount)
        except DatabaseError:
            logger.warning("job %s: progress could not be recorded", self.job_id, exc_info=True)
            self._side_failed = True
            return False
