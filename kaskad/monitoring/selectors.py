"""Reads of monitoring studies, always starting from what the user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from kaskad.core.errors import NotFoundError
from kaskad.monitoring.models import PaperEntry, Pupil, Response, Study, StudyTest, TestForm
from kaskad.monitoring.permissions import (
    led_school_ids,
    may_read_aggregates,
    may_run,
    may_see_pupils,
    may_see_school,
)

if TYPE_CHECKING:
    from kaskad.accounts.models import User
    from kaskad.registry.models import Organisation


def _not_found() -> NotFoundError:
    return NotFoundError("not_found", _("Not found."))


def studies_visible_to(user: User | None) -> QuerySet[Study]:
    if may_read_aggregates(user):
        return Study.objects.all()
    schools = led_school_ids(user)
    if schools:
        return Study.objects.filter(schools__in=schools).distinct()
    return Study.objects.none()


def study_list(*, user: User | None) -> QuerySet[Study]:
    return studies_visible_to(user).annotate(
        n_schools=Count("schools", distinct=True), n_pupils=Count("pupils", distinct=True)
    )


def study_get(*, user: User | None, pk: int) -> Study:
    study = studies_visible_to(user).filter(pk=pk).first()
    if study is None:
        raise _not_found()
    return study


def forms_visible_to(user: User | None) -> QuerySet[TestForm]:
    """Test forms (with their keys) are for the test authors: runners and analysts."""
    if may_read_aggregates(user):
        return TestForm.objects.all()
    return TestForm.objects.none()


def form_get(*, user: User | None, pk: int) -> TestForm:
    form = forms_visible_to(user).filter(pk=pk).first()
    if form is None:
        raise _not_found()
    return form


def study_test_get(*, user: User | None, pk: int) -> StudyTest:
    test = (
        StudyTest.objects.select_related("study", "form")
        .filter(study__in=studies_visible_to(user), pk=pk)
        .first()
    )
    if test is None:
        raise _not_found()
    return test


def study_schools(*, user: User | None, study: Study) -> QuerySet[Organisation]:
    schools = study.schools.all().order_by("name")
    if may_read_aggregates(user):
        return schools
    return schools.filter(pk__in=led_school_ids(user))


def school_get(*, user: User | None, study: Study, pk: int) -> Organisation:
    school = study.schools.filter(pk=pk).first()
    if school is None or not may_see_school(user, school.pk):
        raise _not_found()
    return school


def pupil_get(*, user: User | None, study: Study, pk: int) -> Pupil:
    pupil = Pupil.objects.select_related("school").filter(study=study, pk=pk).first()
    if pupil is None or not may_see_pupils(user, pupil.school_id):
        raise _not_found()
    return pupil


def class_labels(*, study_test: StudyTest, school_id: int) -> list[str]:
    labels = (
        Pupil.objects.filter(
            study_id=study_test.study_id, school_id=school_id, grade=study_test.form.grade
        )
        .values_list("class_label", flat=True)
        .distinct()
    )
    return sorted(set(labels))


def responses_of(study_test: StudyTest) -> QuerySet[Response]:
    return Response.objects.filter(study_test=study_test).select_related("pupil")


def runner_test_get(*, user: User | None, pk: int) -> StudyTest:
    """A study test for the work only runners do (imports, entry, bulk reports)."""
    test = study_test_get(user=user, pk=pk)
    if not may_run(user):
        raise _not_found()
    return test


def paper_mismatches(*, study_test: StudyTest) -> list[dict[str, object]]:
    """Pupils whose two entries differ and who have no resolved response yet."""
    entries = PaperEntry.objects.filter(study_test=study_test).select_related("pupil")
    by_pupil: dict[int, dict[int, PaperEntry]] = {}
    for entry in entries:
        by_pupil.setdefault(entry.pupil_id, {})[entry.entry_pass] = entry
    resolved = set(
        Response.objects.filter(study_test=study_test, pupil_id__in=list(by_pupil)).values_list(
            "pupil_id", flat=True
        )
    )
    out: list[dict[str, object]] = []
    for pupil_id, passes in by_pupil.items():
        if pupil_id in resolved or 1 not in passes or 2 not in passes:
            continue
        first, second = passes[1].answers, passes[2].answers
        differing = [i + 1 for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b]
        if differing:
            out.append(
                {
                    "pupil": passes[1].pupil,
                    "first": first,
                    "second": second,
                    "items": differing,
                }
            )
    out.sort(key=lambda row: str(getattr(row["pupil"], "code", "")))
    return out
