"""The import pages: who may use them, the size guard, the outcome and its downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import Job
from kaskad.registry.imports.jobs import run_import_job
from kaskad.registry.models import Person
from kaskad.registry.tests.factories import area_of, branch, make_organisation
from kaskad.registry.tests.test_import_support import PEOPLE_HEADER, csv_bytes, person_row

pytestmark = pytest.mark.django_db
UPLOAD = "registry_imports:upload"


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator():
    return make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))], language="en")


def stored_uploads(media: Path) -> list[Path]:
    folder = media / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def people_upload(rows: list[dict[str, str]], name: str = "teachers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, csv_bytes(PEOPLE_HEADER, rows).encode("utf-8"), content_type="text/csv"
    )


def test_teacher_gets_404_everywhere(client) -> None:
    client.force_login(make_user(roles=[(Role.TEACHER, None)]))
    assert client.get(reverse(UPLOAD)).status_code == 404
    assert client.post(reverse(UPLOAD), {"kind": "people"}).status_code == 404
    template = reverse("registry_imports:template", args=["people", "csv"])
    assert client.get(template).status_code == 404


def test_anonymous_is_sent_to_sign_in(client) -> None:
    response = client.get(reverse(UPLOAD))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_coordinator_sees_the_form_and_the_templates(client, coordinator) -> None:
    client.force_login(coordinator)
    response = client.get(reverse(UPLOAD))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="file"' in page and 'name="kind"' in page
    assert reverse("registry_imports:template", args=["people", "xlsx"]) in page


def test_templates_download(client, coordinator) -> None:
    client.force_login(coordinator)
    response = client.get(reverse("registry_imports:template", args=["people", "csv"]))
    assert response.status_code == 200
    assert 'filename="kaskad-people-template.csv"' in response["Content-Disposition"]
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == PEOPLE_HEADER
    xlsx = client.get(reverse("registry_imports:template", args=["organisations", "xlsx"]))
    assert xlsx.content.startswith(b"PK")


def test_coordinator_upload_runs_as_a_job_within_scope(
    client, coordinator, media: Path, django_capture_on_commit_callbacks
) -> None:
    almaty = make_organisation(area=area_of("ALA"), code="ALA-1")
    astana = make_organisation(area=area_of("AST"), code="AST-1")
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse(UPLOAD),
            {
                "kind": "people",
                "file": people_upload([person_row(almaty), person_row(astana)]),
            },
        )

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry_imports:result", args=[job.pk])
    assert len(callbacks) == 1 and DBTaskResult.objects.count() == 1  # queued on commit
    assert (job.kind, job.created_by, job.language) == ("import_people", coordinator, "en")
    [stored] = stored_uploads(media)
    assert "teachers" not in stored.name and stored.suffix == ".csv"  # a random name

    pending = client.get(reverse("registry_imports:result", args=[job.pk]))
    assert "Waiting for the background worker" in pending.content.decode()

    run_import_job(job.pk)  # what the worker runs (the worker itself: test_import_jobs)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.result["error_count"] == 1
    assert not Person.objects.exists()
    page = client.get(reverse("registry_imports:result", args=[job.pk])).content.decode()
    assert "Out of your scope" in page
    report = client.get(reverse("registry_imports:report", args=[job.pk, "csv"]))
    assert report.status_code == 200
    assert 'filename="teachers.errors.csv"' in report["Content-Disposition"]
    rows = list(
        csv.reader(
            io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[1][1:4] == ["3", "organisation_code", "AST-1"]


def test_successful_upload_shows_the_counts(client, coordinator) -> None:
    almaty = make_organisation(area=area_of("ALA"), code="ALA-1")
    client.force_login(coordinator)
    client.post(
        reverse(UPLOAD), {"kind": "people", "file": people_upload([person_row(almaty)] * 1)}
    )
    job = Job.objects.get()
    run_import_job(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.result["created"], job.result["total"], job.done) == (1, 1, 1)
    page = client.get(reverse("registry_imports:result", args=[job.pk])).content.decode()
    assert "1 row imported. 1 created" in page
    # The shared job page links to this result.
    assert job.result["url"] == reverse("registry_imports:result", args=[job.pk])


def test_upload_over_the_limit_is_refused_and_not_saved(
    client, coordinator, media: Path, settings
) -> None:
    settings.IMPORT_MAX_BYTES = 1000
    client.force_login(coordinator)
    big = SimpleUploadedFile("big.csv", b"iin,surname\n" + b"1,x\n" * 2000)

    response = client.post(reverse(UPLOAD), {"kind": "people", "file": big})

    assert response.status_code == 413
    assert "the limit is 1000" in response.content.decode().replace("\xa0", " ")
    assert stored_uploads(media) == [] and not Job.objects.exists()


def test_upload_far_over_the_limit_is_refused_from_its_length(
    client, coordinator, media: Path, settings
) -> None:
    settings.IMPORT_MAX_BYTES = 1000
    client.force_login(coordinator)
    huge = SimpleUploadedFile("huge.csv", b"x" * 200_000)

    response = client.post(reverse(UPLOAD), {"kind": "people", "file": huge})

    assert response.status_code == 413
    assert "the limit is 1000" in response.content.decode().replace("\xa0", " ")
    assert stored_uploads(media) == [] and not Job.objects.exists()


def test_wrong_file_type_is_refused(client, coordinator, media: Path) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse(UPLOAD), {"kind": "people", "file": SimpleUploadedFile("photo.png", b"\x89PNG...")}
    )
    assert response.status_code == 400
    assert "Upload a .csv or .xlsx file" in response.content.decode()
    assert stored_uploads(media) == []


def test_other_users_cannot_see_a_job_or_its_report(client, coordinator) -> None:
    almaty = make_organisation(area=area_of("ALA"), code="ALA-1")
    client.force_login(coordinator)
    client.post(
        reverse(UPLOAD), {"kind": "people", "file": people_upload([person_row(almaty, iin="1")])}
    )
    job = Job.objects.get()
    run_import_job(job.pk)

    client.force_login(make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))]))
    assert client.get(reverse("registry_imports:result", args=[job.pk])).status_code == 404
    assert client.get(reverse("registry_imports:report", args=[job.pk, "csv"])).status_code == 404
    client.force_login(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    assert client.get(reverse("registry_imports:report", args=[job.pk, "xlsx"])).status_code == 200


def test_outcome_labels_agree_with_their_numbers_in_russian(client, media: Path) -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))], language="ru")
    almaty = make_organisation(area=area_of("ALA"), code="ALA-1")
    client.force_login(coordinator)
    rows = [person_row(almaty, iin="123")] + [person_row(almaty) for _ in range(4)]
    client.post(reverse(UPLOAD), {"kind": "people", "file": people_upload(rows)})
    job = Job.objects.get()
    run_import_job(job.pk)

    page = client.get(reverse("registry_imports:result", args=[job.pk])).content.decode()

    labels = [label.strip() for label in page.split('class="stat__label">')[1:]]
    assert [label.split("<")[0] for label in labels] == ["строк", "ошибка", "предупреждений"]
    assert "Файл прочитан как текст в кодировке UTF-8." in page
