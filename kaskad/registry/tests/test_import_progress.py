"""The progress reporters used by imports (kaskad.core.progress)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.utils import translation

from kaskad.core.models import Job
from kaskad.core.progress import JobProgress, TerminalProgress, fan_out


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_bar_shows_percent_rate_and_eta() -> None:
    clock = Clock()
    stream = Terminal()
    bar = TerminalProgress(stream, labels={"validating": "Checking"}, clock=clock, width=10)

    bar("validating", 0, 1000)
    clock.now = 2.0
    bar("validating", 250, 1000)

    line = bar.line()
    assert line.startswith("Checking [##--------]  25% 250/1,000 125 rows/s ETA 0:06")
    assert stream.getvalue().count("\r") == 2  # redrawn in place


def test_terminal_bar_ends_each_stage_on_its_own_line() -> None:
    clock = Clock()
    stream = Terminal()
    bar = TerminalProgress(stream, clock=clock)
    bar("validating", 10, 10)
    bar("validating", 10, 10)  # a finished stage is not redrawn
    bar("writing", 5, 10)
    bar.close()
    text = stream.getvalue()
    assert text.count("\n") == 2 and text.count("validating") == 1


def test_log_output_is_plain_lines_at_most_every_few_seconds() -> None:
    clock = Clock()
    stream = io.StringIO()  # not a terminal
    bar = TerminalProgress(stream, clock=clock, log_interval=5)
    for second in range(12):
        clock.now = float(second)
        bar("validating", second * 100, 2000)
    bar.close()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert len(lines) == 4  # at 0 s, 5 s, 10 s and the closing line


# Progress must be visible to other connections, so these run outside a test transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_job_progress_writes_at_most_every_half_second() -> None:
    job = Job.objects.create(kind="import_people")
    clock = Clock()
    progress = JobProgress(job.pk, clock=clock)

    progress("validating", 0, 100)
    clock.now = 0.2
    progress("validating", 40, 100)
    job.refresh_from_db()
    assert (job.stage, job.done, job.total) == ("validating", 0, 100)  # throttled

    clock.now = 0.6
    progress("validating", 60, 100)
    job.refresh_from_db()
    assert job.done == 60

    clock.now = 0.7
    progress("writing", 0, 60)  # a new stage is shown at once
    job.refresh_from_db()
    assert (job.stage, job.done, job.total) == ("writing", 0, 60)
    progress("writing", 10, 60)
    progress.close()  # flushes the last report
    job.refresh_from_db()
    assert job.done == 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_job_progress_inside_a_transaction() -> None:
    job = Job.objects.create(kind="import_people")
    with JobProgress(job.pk) as progress:
        with transaction.atomic():
            progress("writing", 5, 10)
            # PostgreSQL: written through a second connection, so visible at once.
            # SQLite (one writer at a time): left until the transaction ends.
            seen = Job.objects.get(pk=job.pk).done
        assert seen == (5 if connection.vendor == "postgresql" else 0)

        with transaction.atomic():
            # Our own transaction holds the row: the second connection must skip it rather
            # than wait for us (which would wait forever).
            Job.objects.filter(pk=job.pk).update(title="busy")
            progress("writing", 7, 10)
    job.refresh_from_db()
    assert (job.title, job.done) == ("busy", 7)  # the skipped report was written at the end


def test_fan_out_reports_to_every_callback() -> None:
    seen: list[tuple[str, int, int]] = []
    report = fan_out(lambda *a: seen.append(a), None, lambda *a: seen.append(a))
    report("writing", 1, 2)
    assert seen == [("writing", 1, 2), ("writing", 1, 2)]
