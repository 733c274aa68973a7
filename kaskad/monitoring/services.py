"""Every write of monitoring studies: studies, test forms and keys, pupils, responses (file
import and double entry on screen), scoring against the key."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.core.jobs import job_claim, job_crashed, job_enqueue
from kaskad.core.models import AuditEntry, Job
from kaskad.core.progress import JobProgress
from kaskad.monitoring.imports import (
    KeyRow,
    Progress,
    PupilRow,
    Rejected,
    issues_as_dicts,
    read_key,
    read_responses,
)
from kaskad.monitoring.models import (
    DEFAULT_BANDS,
    EntrySource,
    Item,
    PaperEntry,
    Pupil,
    Response,
    Study,
    StudyTest,
    TestForm,
)
from kaskad.monitoring.permissions import may_run
from kaskad.monitoring.scoring import AnswerProblem, ItemSpec, score_row, total_of
from kaskad.registry.models import Organisation

if TYPE_CHECKING:
    from kaskad.accounts.models import User

logger = logging.getLogger(__name__)

IMPORT_JOB_KIND = "monitoring_responses"
# The stages of the jobs, named for the job page (which translates them).
STAGES = (gettext_noop("checking"), gettext_noop("writing"), gettext_noop("printing"))


def _require_runner(by: User | None) -> None:
    if not may_run(by):
        raise NotFoundError("not_found", _("Not found."))


def item_specs(form: TestForm) -> list[ItemSpec]:
    return [
        ItemSpec(position=i.position, key=i.key, options=i.options, max_score=i.max_score)
        for i in form.items.order_by("position")
    ]


# --- studies and test forms ------------------------------------------------------------------


@transaction.atomic
def study_create(
    *,
    by: User | None,
    name: str,
    year: int,
    grades: Sequence[int],
    schools: Iterable[Organisation],
    forms: Iterable[TestForm] = (),
    names: dict[str, str] | None = None,
) -> Study:
    _require_runner(by)
    if not name.strip():
        raise DomainError("name_required", _("Give the study a name."), field="name")
    school_list = list(schools)
    if not school_list:
        raise DomainError("schools_required", _("Choose at least one school."), field="schools")
    study = Study(name=name.strip(), year=year, grades=sorted(set(grades)), bands=DEFAULT_BANDS)
    for language, text in (names or {}).items():
        setattr(study, f"name_{language}", text)
    study.created_by = by if getattr(by, "pk", None) else None
    study.save()
    study.schools.set(school_list)
    for form in forms:
        study_test_add(study=study, form=form, by=by)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        obj=study,
        changes={
            "name": [None, study.name],
            "year": [None, year],
            "schools": [None, [s.pk for s in school_list]],
        },
    )
    return study


BANDED = ("basic", "proficient", "advanced")  # "below" always starts at 0


def _threshold(code: str, raw: object) -> float:
    from kaskad.monitoring.models import Band

    text = str(raw if raw is not None else "").strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise DomainError(
            "band_not_a_number",
            _("The threshold of “%(band)s” is not a number: “%(value)s”.")
            % {"band": Band(code).label, "value": text},
            field=code,
        ) from None
    if not 0 <= value <= 100:  # NaN fails too
        raise DomainError(
            "band_out_of_range",
            _("The threshold of “%(band)s” must be between 0 and 100 per cent, not %(value)s.")
            % {"band": Band(code).label, "value": text},
            field=code,
        )
    return value


@transaction.atomic
def study_bands_set(*, study: Study, by: User | None, thresholds: dict[str, object]) -> Study:
    """Set the lowest percent of the maximum score that reaches each band. Reports band
    pupils from the study's thresholds when they are shown, so every report follows."""
    from kaskad.monitoring.models import Band

    _require_runner(by)
    study = Study.objects.select_for_update().get(pk=study.pk)
    bands: list[dict[str, Any]] = [{"code": "below", "from": 0}]
    for code in BANDED:
        value = _threshold(code, thresholds.get(code))
        previous = bands[-1]
        if value <= float(previous["from"]):
            raise DomainError(
                "bands_not_increasing",
                _(
                    "The threshold of “%(band)s” (%(value)s) must be above that of "
                    "“%(previous)s” (%(before)s): the bands must increase."
                )
                % {
                    "band": Band(code).label,
                    "value": f"{value:g}",
                    "previous": Band(previous["code"]).label,
                    "before": f"{float(previous['from']):g}",
                },
                field=code,
            )
        bands.append({"code": code, "from": int(value) if value.is_integer() else value})
    old = study.bands or DEFAULT_BANDS
    if old == bands:
        return study
    study.bands = bands
    study.save(update_fields=["bands", "updated_at"])
    audit_record(
        actor=by, action=AuditEntry.Action.UPDATE, obj=study, changes={"bands": [old, bands]}
    )
    return study


@transaction.atomic
def study_test_add(*, study: Study, form: TestForm, by: User | None) -> StudyTest:
    _require_runner(by)
    if study.grades and form.grade not in study.grades:
        raise DomainError(
            "grade_not_in_study",
            _("The test is for grade %(grade)s, which the study does not include.")
            % {"grade": form.grade},
            field="form",
        )
    test, created = StudyTest.objects.get_or_create(study=study, form=form)
    if created:
        audit_record(
            actor=by, action=AuditEntry.Action.CREATE, obj=test, changes={"form": [None, form.code]}
        )
    return test


@transaction.atomic
def form_create(
    *,
    by: User | None,
    code: str,
    title: str,
    subject: str,
    grade: int,
    minutes: int = 40,
    titles: dict[str, str] | None = None,
) -> TestForm:
    _require_runner(by)
    code = code.strip()
    if not code:
        raise DomainError("code_required", _("Give the test a code."), field="code")
    if TestForm.objects.filter(code=code).exists():
        raise StateConflict(
            "code_taken", _("A test with the code %(code)s exists.") % {"code": code}, field="code"
        )
    form = TestForm(code=code, title=title.strip(), subject=subject, grade=grade, minutes=minutes)
    for language, text in (titles or {}).items():
        setattr(form, f"title_{language}", text)
    form.save()
    audit_record(
        actor=by, action=AuditEntry.Action.CREATE, obj=form, changes={"code": [None, code]}
    )
    return form


@transaction.atomic
def items_replace(*, form: TestForm, rows: Sequence[KeyRow], by: User | None) -> int:
    """Set a test's items from its key; when responses exist (a key corrected after the item
    analysis) the number of items must stay, and every response is scored again."""
    _require_runner(by)
    form = TestForm.objects.select_for_update().get(pk=form.pk)
    before = list(form.items.order_by("position").values_list("position", "key", "max_score"))
    responses = Response.objects.filter(study_test__form=form)
    if responses.exists() and len(before) != len(rows):
        raise StateConflict(
            "items_in_use",
            _(
                "Responses to this test exist for %(old)s items; a key with %(new)s items "
                "cannot replace it."
            )
            % {"old": len(before), "new": len(rows)},
        )
    form.items.all().delete()
    Item.objects.bulk_create(
        Item(
            form=form,
            position=row.position,
            key=row.key,
            max_score=row.max_score,
            strand=row.strand,
            skill=row.skill,
            difficulty=row.difficulty,
        )
        for row in rows
    )
    specs = item_specs(form)
    changed: list[Response] = []
    for response in responses.iterator(chunk_size=2000):
        _answers, scores = score_row(specs, [str(a) for a in response.answers])
        response.scores = scores
        response.total = total_of(scores)
        changed.append(response)
    Response.objects.bulk_update(changed, ["scores", "total"], batch_size=1000)
    after = [(r.position, r.key, r.max_score) for r in rows]
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        obj=form,
        changes={"items": [[list(t) for t in before], [list(t) for t in after]]},
    )
    return len(rows)


def key_import(*, form: TestForm, path: Path, original_name: str, by: User | None) -> int:
    """Read a key file and set the test's items from it (nothing written on any problem)."""
    _require_runner(by)
    rows = read_key(path, original_name=original_name)
    return items_replace(form=form, rows=rows, by=by)


# --- responses from a file ---------------------------------------------------------------------


@dataclass
class ResponseImport:
    rows: int
    pupils_created: int
    responses: int


def _study_schools(study: Study) -> dict[str, int]:
    return dict(study.schools.values_list("code", "pk"))


@transaction.atomic
def _write_rows(
    *, study_test: StudyTest, rows: list[PupilRow], source: str, progress: Progress
) -> ResponseImport:
    grade = study_test.form.grade
    existing = {
        (p.school_id, p.code): p
        for p in Pupil.objects.filter(
            study_id=study_test.study_id, school_id__in={r.school_id for r in rows}
        )
    }
    new: list[Pupil] = []
    changed: list[Pupil] = []
    for row in rows:
        pupil = existing.get((row.school_id, row.code))
        if pupil is None:
            pupil = Pupil(
                study_id=study_test.study_id,
                school_id=row.school_id,
                grade=grade,
                class_label=row.class_label,
                code=row.code,
                sex=row.sex,
                language=row.language,
            )
            new.append(pupil)
            existing[(row.school_id, row.code)] = pupil
        else:
            updated = False
            for name, value in (
                ("class_label", row.class_label),
                ("sex", row.sex or pupil.sex),
                ("language", row.language or pupil.language),
            ):
                if getattr(pupil, name) != value:
                    setattr(pupil, name, value)
                    updated = True
            if updated:
                changed.append(pupil)
    Pupil.objects.bulk_create(new, batch_size=1000)
    if not all(p.pk for p in new):  # a database that does not return the new ids
        ids = {
            (school_id, code): pk
            for school_id, code, pk in Pupil.objects.filter(
                study_id=study_test.study_id
            ).values_list("school_id", "code", "pk")
        }
        for p in new:
            p.pk = ids[(p.school_id, p.code)]
    Pupil.objects.bulk_update(changed, ["class_label", "sex", "language"], batch_size=1000)
    pupils = [existing[(row.school_id, row.code)] for row in rows]
    Response.objects.filter(study_test=study_test, pupil__in=[p.pk for p in pupils]).delete()
    responses = [
        Response(
            study_test=study_test,
            pupil=pupil,
            answers=row.answers,
            scores=row.scores,
            total=total_of(row.scores),
            source=source,
        )
        for pupil, row in zip(pupils, rows, strict=True)
    ]
    total = len(responses)
    for start in range(0, total, 1000):
        Response.objects.bulk_create(responses[start : start + 1000])
        progress("writing", min(start + 1000, total), total)
    return ResponseImport(rows=len(rows), pupils_created=len(new), responses=total)


def responses_import(
    *,
    study_test: StudyTest,
    path: Path,
    original_name: str,
    by: User | None,
    school: Organisation | None = None,
    progress: Progress | None = None,
) -> ResponseImport:
    """Import a subject's responses (raises imports.Rejected, writing nothing, on any
    problem). A pupil already in the file's school keeps their code; their earlier response
    to this test is replaced."""
    _require_runner(by)
    report = progress or (lambda stage, done, total: None)
    items = item_specs(study_test.form)
    if not items:
        raise DomainError("no_key", _("Import the key of this test first."))
    schools = _study_schools(study_test.study)
    if school is not None and school.pk not in schools.values():
        raise NotFoundError("not_found", _("Not found."))
    rows = read_responses(
        path,
        original_name=original_name,
        items=items,
        schools=schools,
        default_school_id=school.pk if school else None,
        progress=report,
    )
    outcome = _write_rows(
        study_test=study_test, rows=rows, source=EntrySource.IMPORT, progress=report
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.IMPORT,
        obj=study_test,
        changes={"responses": [None, outcome.responses], "file": [None, original_name]},
        source=f"import:{original_name}",
    )
    return outcome


def response_import_job_start(
    *,
    study_test: StudyTest,
    stored: Path,
    original_name: str,
    by: User | None,
    school: Organisation | None = None,
    language: str | None = None,
) -> Job:
    from kaskad.monitoring.tasks import import_responses

    _require_runner(by)
    language = language or getattr(by, "language", "") or translation.get_language() or ""
    with translation.override(language or settings.LANGUAGE_CODE):
        title = _("Responses to %(test)s: %(file)s") % {
            "test": study_test.form.code,
            "file": original_name,
        }
    media_root = Path(settings.MEDIA_ROOT)
    with transaction.atomic():
        job = Job.objects.create(
            kind=IMPORT_JOB_KIND,
            created_by=by if getattr(by, "pk", None) else None,
            title=title[:200],
            input_file=str(stored.relative_to(media_root))
            if stored.is_relative_to(media_root)
            else str(stored),
            params={
                "study_test_id": study_test.pk,
                "school_id": school.pk if school else None,
                "original_name": original_name,
                "all_or_nothing": True,
            },
            language=language[:8],
        )
        job_enqueue(job, import_responses)
    return job


def run_response_import_job(job_id: int) -> dict[str, Any]:
    """Run a queued response import (in the worker); a finished job is left alone."""
    kind = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    job = job_claim(job_id, stage="checking") if kind == IMPORT_JOB_KIND else None
    if job is None:
        return {"skipped": True}
    params = job.params if isinstance(job.params, dict) else {}
    original_name = str(params.get("original_name") or Path(job.input_file).name)
    url = reverse("monitoring:import_result", kwargs={"pk": job.pk})
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            study_test = StudyTest.objects.select_related("study", "form").get(
                pk=int(params["study_test_id"])
            )
            school = (
                Organisation.objects.get(pk=int(params["school_id"]))
                if params.get("school_id")
                else None
            )
            with JobProgress(job.pk) as progress:
                try:
                    outcome = responses_import(
                        study_test=study_test,
                        path=Path(settings.MEDIA_ROOT) / job.input_file,
                        original_name=original_name,
                        by=job.created_by,
                        school=school,
                        progress=progress,
                    )
                    result: dict[str, Any] = {
                        "ok": True,
                        "rows": outcome.rows,
                        "pupils_created": outcome.pupils_created,
                        "message": _("%(n)s responses imported (%(new)s new pupil codes).")
                        % {"n": outcome.responses, "new": outcome.pupils_created},
                        "url": url,
                    }
                    status = Job.Status.SUCCEEDED
                    done = outcome.rows
                except Rejected as rejected:
                    result = {
                        "ok": False,
                        "errors": issues_as_dicts(rejected.issues),
                        "message": _(
                            "The file was not imported; nothing was written: %(n)s problems."
                        )
                        % {"n": len(rejected.issues)},
                        "url": url,
                    }
                    status = Job.Status.FAILED
                    done = 0
                except DomainError as error:
                    result = {"ok": False, "errors": [], "message": str(error.message), "url": url}
                    status = Job.Status.FAILED
                    done = 0
        except Exception:
            logger.exception("monitoring import job %s failed", job.pk)
            job_crashed(job.pk)
            raise
        Job.objects.filter(pk=job.pk).update(
            status=status,
            result=result,
            stage="",
            done=done,
            total=done,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return {"ok": result["ok"]}


# --- double entry of paper forms ---------------------------------------------------------------


def _pupil_for_entry(
    *, study_test: StudyTest, school: Organisation, class_label: str, code: str
) -> Pupil:
    code = code.strip()
    class_label = class_label.strip()
    if not code:
        raise DomainError("missing_code", _("Enter the pupil code."), field="code")
    if not class_label:
        raise DomainError("bad_class", _("Enter the class."), field="class_label")
    pupil, _created = Pupil.objects.get_or_create(
        study_id=study_test.study_id,
        school=school,
        code=code[:32],
        defaults={"grade": study_test.form.grade, "class_label": class_label[:12]},
    )
    return pupil


@dataclass
class EntryOutcome:
    entry_pass: int
    matched: bool | None  # None after the first entry; after the second, whether they agree
    differing: list[int]


@transaction.atomic
def paper_entry_save(
    *,
    study_test: StudyTest,
    school: Organisation,
    class_label: str,
    code: str,
    answers: Sequence[str],
    by: User,
) -> EntryOutcome:
    """Record one operator's keying of a paper form. The first keying waits for a second by
    another operator; when both agree the response is scored and saved, otherwise the pupil
    is listed among the mismatches for resolution."""
    _require_runner(by)
    if school.pk not in set(study_test.study.schools.values_list("pk", flat=True)):
        raise NotFoundError("not_found", _("Not found."))
    items = item_specs(study_test.form)
    if len(answers) != len(items):
        raise DomainError(
            "wrong_item_count",
            _("The test has %(n)s items; %(got)s answers were entered.")
            % {"n": len(items), "got": len(answers)},
        )
    try:
        stored, _scores = score_row(items, [str(a) for a in answers])
    except AnswerProblem as problem:
        raise DomainError(problem.code, problem.message) from None
    pupil = _pupil_for_entry(
        study_test=study_test, school=school, class_label=class_label, code=code
    )
    if Response.objects.filter(study_test=study_test, pupil=pupil).exists():
        raise StateConflict(
            "already_entered",
            _("The answers of pupil %(code)s are entered already.") % {"code": pupil.code},
            field="code",
        )
    passes = {
        e.entry_pass: e
        for e in PaperEntry.objects.select_for_update().filter(study_test=study_test, pupil=pupil)
    }
    if 1 not in passes:
        PaperEntry.objects.create(
            study_test=study_test, pupil=pupil, entry_pass=1, answers=stored, operator=by
        )
        return EntryOutcome(entry_pass=1, matched=None, differing=[])
    if 2 in passes:
        raise StateConflict(
            "entered_twice",
            _("Pupil %(code)s has been entered twice: resolve the differences.")
            % {"code": pupil.code},
            field="code",
        )
    if passes[1].operator_id == by.pk:
        raise StateConflict(
            "same_operator",
            _("The second entry must be made by another operator."),
            field="code",
        )
    PaperEntry.objects.create(
        study_test=study_test, pupil=pupil, entry_pass=2, answers=stored, operator=by
    )
    differing = [
        i + 1 for i, (a, b) in enumerate(zip(passes[1].answers, stored, strict=False)) if a != b
    ]
    if not differing:
        response_save(study_test=study_test, pupil=pupil, answers=stored, by=by)
    return EntryOutcome(entry_pass=2, matched=not differing, differing=differing)


@transaction.atomic
def response_save(
    *, study_test: StudyTest, pupil: Pupil, answers: Sequence[str], by: User | None
) -> Response:
    """Score answers against the key and save them as the pupil's response (the resolution
    of a double-entry mismatch, or two agreeing entries)."""
    _require_runner(by)
    items = item_specs(study_test.form)
    if len(answers) != len(items):
        raise DomainError(
            "wrong_item_count",
            _("The test has %(n)s items; %(got)s answers were entered.")
            % {"n": len(items), "got": len(answers)},
        )
    try:
        stored, scores = score_row(items, [str(a) for a in answers])
    except AnswerProblem as problem:
        raise DomainError(problem.code, problem.message) from None
    response, created = Response.objects.update_or_create(
        study_test=study_test,
        pupil=pupil,
        defaults={
            "answers": stored,
            "scores": scores,
            "total": total_of(scores),
            "source": EntrySource.SCREEN,
        },
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        obj=response,
        changes={"answers": [None, stored]},
    )
    return response
