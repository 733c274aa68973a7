"""Bulk re-check of a session: as a background job with progress (page and API of the Job), and
as the management command with a progress bar."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import PlagiarismStatus, Portfolio
from kaskad.core.errors import NotFoundError
from kaskad.core.models import Job
from kaskad.plagiarism.models import PlagiarismCheck
from kaskad.plagiarism.services import RecheckFilters, recheck_bulk, recheck_job_start
from kaskad.plagiarism.store import index_size
from kaskad.plagiarism.tests.factories import immediate_tasks, open_cohort, participant, submit
from kaskad.plagiarism.tests.texts import OWN, PASSAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]
__all__ = ["immediate_tasks"]


def officer() -> Any:
    return make_user(roles=[(Role.PLAGIARISM_OFFICER, None)], language="en")


def session(capture: Any) -> tuple[Any, Portfolio, Portfolio, Portfolio]:
    """Three portfolios of one cohort; the second copies the first's passage. When the first
    was checked, the second was not there yet: only a re-check can see that it was copied."""
    cohort = open_cohort()
    first, first_user = participant(cohort, OWN[0] + "\n\n" + PASSAGE)
    second, second_user = participant(cohort, OWN[1] + "\n\n" + PASSAGE)
    third, third_user = participant(cohort, OWN[2])
    for portfolio, user in ((first, first_user), (second, second_user), (third, third_user)):
        submit(portfolio, user, capture)
    first.refresh_from_db()
    assert first.plagiarism_status == PlagiarismStatus.CLEAR
    return cohort, first, second, third


def test_a_bulk_recheck_finds_the_earlier_portfolio_too_and_reports_progress(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort, first, second, _third = session(django_capture_on_commit_callbacks)
    reports: list[tuple[str, int, int]] = []

    result = recheck_bulk(
        filters=RecheckFilters(programme_id=cohort.version.programme_id),
        by=officer(),
        progress=lambda stage, done, total: reports.append((stage, done, total)),
        batch_size=2,
    )

    assert (result.total, result.suspected, result.clear, result.failed) == (3, 2, 1, 0)
    first.refresh_from_db()
    assert first.plagiarism_status == PlagiarismStatus.SUSPECTED
    check = PlagiarismCheck.objects.get(portfolio=first)
    assert [s["doc_id"] for s in check.sources] == [f"portfolio:{second.pk}:1"]
    assert reports[0] == ("indexing", 0, 3) and ("indexing", 3, 3) in reports
    assert ("checking", 2, 3) in reports and reports[-1] == ("checking", 3, 3)
    assert PlagiarismCheck.objects.count() == 3  # replaced, not added
    assert index_size() == 3


def test_a_recheck_job_runs_in_the_background_and_its_page_shows_the_result(
    django_capture_on_commit_callbacks: Any, client: Client
) -> None:
    cohort, first, _second, _third = session(django_capture_on_commit_callbacks)
    the_officer = officer()
    client.force_login(the_officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plagiarism:recheck"), {"cohort": cohort.code.lower()})

    job = Job.objects.get(kind="plagiarism_recheck")
    assert response.status_code == 302 and response["Location"] == reverse(
        "core:job_detail", args=[job.pk]
    )
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert (job.done, job.total) == (3, 3) and job.created_by == the_officer
    assert job.params["cohort_id"] == cohort.pk
    assert job.result["message"] == "3 portfolios re-checked: 1 clear, 2 to review, 0 failed."
    page = client.get(response["Location"]).content.decode()
    assert "3 portfolios re-checked" in page and reverse("plagiarism:queue") in page
    first.refresh_from_db()
    assert first.plagiarism_status == PlagiarismStatus.SUSPECTED
    # Checks run by the job point at it.
    assert set(PlagiarismCheck.objects.values_list("job_id", flat=True)) == {job.pk}


def test_the_recheck_form_refuses_bad_input_and_writes_nothing(client: Client) -> None:
    client.force_login(officer())
    response = client.post(reverse("plagiarism:recheck"), {})
    assert response.status_code == 400
    assert "Choose a programme, a cohort or a submission period" in response.content.decode()
    response = client.post(reverse("plagiarism:recheck"), {"cohort": "NO-SUCH-COHORT"})
    assert response.status_code == 400 and "No cohort has this code." in response.content.decode()
    response = client.post(
        reverse("plagiarism:recheck"),
        {"submitted_from": "2026-05-01", "submitted_until": "2026-04-01"},
    )
    assert "The end of the period is before its start." in response.content.decode()
    assert not Job.objects.exists()


def test_only_officers_and_national_admins_may_recheck(client: Client) -> None:
    cohort = open_cohort()
    for role in (Role.ASSESSOR, Role.TEACHER, Role.ANALYST):
        roles: list[tuple[str, Any]] = [(role, None)]
        client.force_login(make_user(roles=roles))
        assert client.get(reverse("plagiarism:recheck")).status_code == 404
        assert (
            client.post(reverse("plagiarism:recheck"), {"cohort": cohort.code}).status_code == 404
        )
        with pytest.raises(NotFoundError):
            recheck_job_start(
                filters=RecheckFilters(cohort_id=cohort.pk), by=make_user(roles=roles)
            )
    assert not Job.objects.exists()
    client.force_login(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    assert client.get(reverse("plagiarism:recheck")).status_code == 200


def test_the_command_rechecks_with_a_progress_bar(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort, first, _second, _third = session(django_capture_on_commit_callbacks)
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "plagiarism_recheck", "--programme", cohort.version.programme.code, stdout=out, stderr=err
    )

    assert "3 portfolios re-checked: 1 clear, 2 to review, 0 failed." in out.getvalue()
    assert "checking" in err.getvalue() and "3/3" in err.getvalue()
    first.refresh_from_db()
    assert first.plagiarism_status == PlagiarismStatus.SUSPECTED


def test_the_command_refuses_unclear_requests() -> None:
    with pytest.raises(CommandError, match="Choose a programme"):
        call_command("plagiarism_recheck")
    with pytest.raises(CommandError, match="No programme"):
        call_command("plagiarism_recheck", "--programme", "NOPE")
    with pytest.raises(CommandError, match="Not a date"):
        call_command("plagiarism_recheck", "--from", "yesterday")
    teacher = make_user(roles=[(Role.TEACHER, None)])
    with pytest.raises(CommandError, match="not a plagiarism officer"):
        call_command("plagiarism_recheck", "--all", "--user", teacher.username)
    assert not Job.objects.exists()
