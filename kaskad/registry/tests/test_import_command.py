"""`manage.py import_people / import_organisations / import_districts` in a terminal."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from kaskad.core.models import Job
from kaskad.registry.management.commands.import_people import Command as ImportPeople
from kaskad.registry.models import Organisation, Person
from kaskad.registry.tests.factories import make_organisation
from kaskad.registry.tests.test_import_support import (
    PEOPLE_HEADER,
    counts,
    organisation_row,
    person_row,
    write_csv,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, "--language", "en", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_a_summary_and_the_rate(tmp_path: Path) -> None:
    school = make_organisation(code="S-1")
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [person_row(school)] * 1)

    out, err = run("import_people", str(path))

    assert "people.csv: 1 row imported. 1 created, 0 updated, 0 unchanged; 0 warnings." in out
    assert "rows/s" in out
    assert "Checking" in err and "Writing" in err and "rows/s" in err  # the progress bar
    assert Person.objects.count() == 1


def test_errors_fail_with_a_report_next_to_the_file(tmp_path: Path) -> None:
    school = make_organisation(code="S-1")
    path = write_csv(
        tmp_path / "people.csv",
        PEOPLE_HEADER,
        [person_row(school), person_row(school, started_on="2023-02-30")],
    )
    before = counts()

    with pytest.raises(CommandError) as raised:
        run("import_people", str(path), "--no-progress", "--format", "csv")

    report = tmp_path / "people.errors.csv"
    assert "1 error in 2 rows; nothing was written" in str(raised.value)
    assert str(report) in str(raised.value)
    text = report.read_text(encoding="utf-8-sig")
    assert "3;started_on;2023-02-30;error" in text
    assert counts() == before


def test_exit_status_is_1_without_a_traceback(tmp_path: Path, capsys) -> None:
    path = tmp_path / "people.csv"
    path.write_text(",".join(PEOPLE_HEADER) + "\n", encoding="utf-8")

    with pytest.raises(SystemExit) as exited:
        ImportPeople().run_from_argv(
            ["manage.py", "import_people", str(path), "--language", "en", "--no-progress"]
        )

    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "CommandError: people.csv: 1 error in 0 rows" in err
    assert "Traceback" not in err


def test_report_path_and_xlsx_format(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "o.csv", [*organisation_row()], [organisation_row(kind="castle")])
    report = tmp_path / "out" / "problems.xlsx"
    report.parent.mkdir()

    with pytest.raises(CommandError):
        run("import_organisations", str(path), "--report", str(report), "--format", "xlsx")

    sheet = openpyxl.load_workbook(report).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1:4] == (2, "kind", "castle")
    assert not Organisation.objects.exists()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "o.csv", [*organisation_row()], [organisation_row()])
    out, _err = run("import_organisations", str(path), "--dry-run")
    assert "a trial run: nothing was written" in out and "Would create 1" in out
    assert not Organisation.objects.exists()


def test_oversized_file_is_refused_before_reading(tmp_path: Path, settings) -> None:
    settings.IMPORT_MAX_BYTES = 50 * 1024 * 1024
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    with pytest.raises(CommandError) as raised:
        run("import_people", str(path))
    assert "50.0\xa0MB" in str(raised.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="File not found"):
        run("import_districts", str(tmp_path / "nothing.csv"))


def test_background_queues_a_job_and_prints_its_page(
    tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    school = make_organisation(code="S-1")
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [person_row(school)])

    with django_capture_on_commit_callbacks(execute=True):
        out, _err = run("import_people", str(path), "--background")

    job = Job.objects.get()
    assert f"Queued as job {job.pk}: /jobs/{job.pk}/" in out
    assert DBTaskResult.objects.count() == 1
    assert job.params["original_name"] == "people.csv" and not Person.objects.exists()
    assert (Path(job.input_file).parent.name, Path(job.input_file).suffix) == ("imports", ".csv")
