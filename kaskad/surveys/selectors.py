"""Every read of the surveys: the lists (scope first), the surveys addressed to a user, and the
results (aggregates only; no cell under five responses)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db.models import Q, QuerySet
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.surveys import definition as forms
from kaskad.surveys import statistics
from kaskad.surveys.models import Audience, Response, Submission, Survey
from kaskad.surveys.permissions import NATIONAL_ROLES

if TYPE_CHECKING:
    from kaskad.accounts.models import User


def survey_list_visible_to(user: User) -> QuerySet[Survey]:
    """The surveys `user` runs: all for national roles; a coordinator's branch's."""
    scope = user_scope(user)
    if scope.has(*NATIONAL_ROLES):
        return Survey.objects.all()
    if scope.has(Role.BRANCH_COORDINATOR) and scope.branch_ids:
        return Survey.objects.filter(branch_id__in=scope.branch_ids)
    return Survey.objects.none()


def surveys_for_respondent(user: User) -> list[Survey]:
    """Open surveys addressed to `user` (their school's, their cohorts'), not yet answered."""
    person = getattr(user, "person", None)
    if person is None:
        return []
    from kaskad.delivery.models import Enrolment, EnrolmentStatus

    today = timezone.localdate()
    cohorts = Enrolment.objects.filter(person=person).exclude(
        status__in=[EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REMOVED]
    )
    condition = Q(audience=Audience.COHORT, cohort_id__in=cohorts.values("cohort_id"))
    if person.current_organisation_id:
        condition |= Q(audience=Audience.TEACHERS, organisations__id=person.current_organisation_id)
    answered = Submission.objects.filter(user=user).values("survey_id")
    return list(
        Survey.objects.filter(condition, published=True, opens_on__lte=today, closes_on__gte=today)
        .exclude(pk__in=answered)
        .distinct()
    )


def survey_public(link: str) -> Survey | None:
    return Survey.objects.filter(link=link, audience=Audience.PUBLIC, published=True).first()


# --- Results --------------------------------------------------------------------------------------


@dataclass
class Filters:
    organisation_id: int | None = None
    area_id: int | None = None
    group: str = ""


@dataclass
class Cell:
    label: str
    count: int | None  # None: fewer than five, hidden
    percent: float | None


@dataclass
class QuestionResult:
    name: str
    label: str
    type: str
    answered: int | None  # None: hidden
    cells: list[Cell] = field(default_factory=list)
    mean: float | None = None
    sd: float | None = None
    suppressed: bool = False

    @property
    def chart(self) -> dict[str, Any]:
        shown = [c for c in self.cells if c.count is not None]
        return {"labels": [c.label for c in shown], "counts": [c.count for c in shown]}


@dataclass
class ScaleResult:
    name: str
    items: list[str]
    respondents: int | None
    mean: float | None
    alpha: float | None


@dataclass
class Results:
    total: int | None  # None: fewer than five, nothing shown
    questions: list[QuestionResult]
    scales: list[ScaleResult]
    minimum: int = statistics.MIN_CELL


def _responses(survey: Survey, filters: Filters) -> QuerySet[Response]:
    responses = Response.objects.filter(survey=survey)
    if filters.organisation_id:
        responses = responses.filter(organisation_id=filters.organisation_id)
    if filters.area_id:
        responses = responses.filter(area_id=filters.area_id)
    if filters.group:
        responses = responses.filter(group=filters.group)
    return responses


def response_matrix(survey: Survey, filters: Filters) -> np.ndarray[Any, np.dtype[np.float32]]:
    """responses × numeric questions, float32, NaN for no answer: one column read, no JSON.
    On PostgreSQL the database joins the packed rows into one value (one row to transfer
    instead of one per response)."""
    from django.db import connection

    width = len(forms.numeric_questions(survey.definition))
    responses = _responses(survey, filters)
    if connection.vendor == "postgresql":
        # The inner query is the ORM's own (its values are parameters), not user text.
        sql, params = responses.values("vector").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT string_agg(packed.vector, ''::bytea) FROM ({sql}) AS packed",  # noqa: S608
                params,
            )
            joined = cursor.fetchone()[0]
        data = bytes(joined or b"")
    else:
        data = b"".join(bytes(b) for b in responses.values_list("vector", flat=True).iterator(5000))
    if width == 0:
        return np.empty((0, 0), dtype=np.float32)
    rows = len(data) // (4 * width)
    # Column-major, so each question's answers lie together for the counts below.
    return np.asfortranarray(np.frombuffer(data, dtype="<f4").reshape(rows, width))


def survey_results(*, survey: Survey, filters: Filters, language: str) -> Results:
    """The results, from the tallies written with each response (a few rows of sums, whatever
    the number of responses; docs/adr/0008-anonymous-surveys.md). When the tallies do not
    account for every response (responses loaded around the services), the results are
    counted from the responses instead, exactly as `results_recounted`."""
    sums = _tallied(survey, filters)
    if sums is None:
        return _recounted_cached(survey=survey, filters=filters, language=language)
    if _differs_by_few(survey, filters, round(float(sums[0]))):
        return Results(total=None, questions=[], scales=[])
    return _results_from_tally(survey=survey, sums=sums, language=language)


def _tallied(survey: Survey, filters: Filters) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    """The summed tally of the responses matching `filters`; None when the survey-wide tally
    does not hold every response of the survey."""
    from kaskad.surveys import tallies
    from kaskad.surveys.models import ALL_CELLS, ResultTally

    shape = tallies.layout(survey.definition)
    rows = ResultTally.objects.filter(survey=survey)
    everything = list(rows.filter(group=ALL_CELLS).values_list("responses", "sums"))
    if sum(n for n, _sums in everything) != Response.objects.filter(survey=survey).count():
        return None
    if filters.organisation_id or filters.area_id or filters.group:
        cells = rows.exclude(group=ALL_CELLS)
        if filters.organisation_id:
            cells = cells.filter(organisation_id=filters.organisation_id)
        if filters.area_id:
            cells = cells.filter(area_id=filters.area_id)
        if filters.group:
            cells = cells.filter(group=filters.group)
        chosen = list(cells.values_list("responses", "sums"))
    else:
        chosen = everything
    total = np.zeros(shape.width, dtype=np.float64)
    for _n, packed in chosen:
        sums = tallies.unpack(packed)
        if sums.shape != total.shape:
            return None
        total += sums
    return total


def _results_from_tally(
    *, survey: Survey, sums: np.ndarray[Any, np.dtype[np.float64]], language: str
) -> Results:
    """The page's figures from a tally: the same questions, cells, suppression, means, SDs and
    scales as `results_recounted` computes from the responses themselves."""
    from kaskad.surveys import tallies

    shape = tallies.layout(survey.definition)
    total = round(float(sums[0]))
    if total < statistics.MIN_CELL:
        return Results(total=None, questions=[], scales=[])
    questions: list[QuestionResult] = []
    for question in forms.flat_questions(survey.definition):
        label = forms.label_in(question.get("label"), language, question["name"])
        result = QuestionResult(question["name"], label, question["type"], answered=None)
        questions.append(result)
        slot = shape.questions.get(question["name"])
        if slot is None:
            continue  # text: read in the export, never listed here
        answered, counts, mean, sd = tallies.question_figures(sums, slot)
        if answered < statistics.MIN_CELL:
            result.suppressed = True
            continue
        result.answered = answered
        if question["type"] in ("select_one", "select_multiple"):
            choices = question.get("choices", [])
            shown = statistics.suppress(counts)
            result.cells = [
                Cell(
                    forms.label_in(choice.get("label"), language, choice["name"]),
                    count,
                    None if count is None else round(100 * count / answered, 1),
                )
                for choice, count in zip(choices, shown, strict=True)
            ]
        if question["type"] in ("integer", "decimal") or (
            question["type"] == "select_one"
            and all(forms._is_number(c["name"]) for c in question.get("choices", []))
        ):
            result.mean, result.sd = mean, sd
    scales: list[ScaleResult] = []
    for name, items in forms.scales(survey.definition).items():
        respondents, scale_mean, alpha = tallies.scale_figures(sums, shape.scales[name])
        names = [q["name"] for q in items]
        if respondents < statistics.MIN_CELL:
            scales.append(ScaleResult(name, names, None, None, None))
            continue
        scales.append(ScaleResult(name, names, respondents, scale_mean, alpha))
    return Results(total=total, questions=questions, scales=scales)


def _recounted_cached(*, survey: Survey, filters: Filters, language: str) -> Results:
    """`results_recounted`, cached per state of the data: responses are only ever added (the
    shuffle in services moves answers between rows, never changes the set), so the number of
    matching responses and the form's last change identify the figures exactly."""
    from django.core.cache import cache

    count = _responses(survey, filters).count()
    if _differs_by_few(survey, filters, count):
        return Results(total=None, questions=[], scales=[])
    key = ":".join(
        str(part)
        for part in (
            "surveys:results",
            survey.pk,
            survey.updated_at.timestamp() if survey.updated_at else "",
            filters.organisation_id,
            filters.area_id,
            filters.group,
            language,
            count,
        )
    )
    cached = cache.get(key)
    if isinstance(cached, Results):
        return cached
    results = results_recounted(survey=survey, filters=filters, language=language)
    cache.set(key, results, 3600)
    return results


def _differs_by_few(survey: Survey, filters: Filters, count: int) -> bool:
    """Whether a wider view (a filter dropped, the school widened to its area, the whole
    survey) holds 1-4 responses more than this one: the difference of the two pages would be
    those few respondents' answers, so this view is not shown."""
    from django.db.models import Count

    if not (filters.organisation_id or filters.area_id or filters.group):
        return False
    cells = list(
        Response.objects.filter(survey=survey)
        .values_list("organisation_id", "area_id", "group")
        .annotate(n=Count("pk"))
        .order_by()
    )
    school_area = None
    if filters.organisation_id:
        school_area = next(
            (area for org, area, _g, _n in cells if org == filters.organisation_id), None
        )
    org_options: list[tuple[int | None, int | None]] = [(filters.organisation_id, None)]
    if filters.organisation_id:
        org_options += [(None, None), (None, school_area)]
    for organisation_id, widened_area in org_options:
        for area_id in {filters.area_id, None, widened_area}:
            for group in {filters.group, ""}:
                wider = Filters(organisation_id=organisation_id, area_id=area_id, group=group)
                if wider == filters:
                    continue
                n = sum(
                    c
                    for org, area, g, c in cells
                    if (not wider.organisation_id or org == wider.organisation_id)
                    and (not wider.area_id or area == wider.area_id)
                    and (not wider.group or g == wider.group)
                )
                if 0 < n - count < statistics.MIN_CELL:
                    return True
    return False


def results_recounted(*, survey: Survey, filters: Filters, language: str) -> Results:
    """The results counted from the responses themselves: every packed answer read into a
    matrix (the reference the tallies are tested against, and the path when they are
    missing)."""
    matrix = response_matrix(survey, filters)
    total = matrix.shape[0]
    if total < statistics.MIN_CELL:
        return Results(total=None, questions=[], scales=[])
    numeric = forms.numeric_questions(survey.definition)
    columns = {q["name"]: i for i, q in enumerate(numeric)}
    questions: list[QuestionResult] = []
    for question in forms.flat_questions(survey.definition):
        label = forms.label_in(question.get("label"), language, question["name"])
        result = QuestionResult(question["name"], label, question["type"], answered=None)
        questions.append(result)
        if question["name"] not in columns:
            continue  # text: read in the export, never listed here
        column = matrix[:, columns[question["name"]]]
        answered = int(np.count_nonzero(~np.isnan(column)))
        if answered < statistics.MIN_CELL:
            result.suppressed = True
            continue
        result.answered = answered
        if question["type"] in ("select_one", "select_multiple"):
            choices = question.get("choices", [])
            if question["type"] == "select_one":
                codes = forms.choice_codes(question)
                counts = statistics.column_counts(column, [codes[c["name"]] for c in choices])
            else:
                counts = statistics.mask_counts(column, len(choices))
            shown = statistics.suppress(counts)
            result.cells = [
                Cell(
                    forms.label_in(choice.get("label"), language, choice["name"]),
                    count,
                    None if count is None else round(100 * count / answered, 1),
                )
                for choice, count in zip(choices, shown, strict=True)
            ]
        if question["type"] in ("integer", "decimal") or (
            question["type"] == "select_one"
            and all(forms._is_number(c["name"]) for c in question.get("choices", []))
        ):
            _n, result.mean, result.sd = statistics.mean_sd(column)
    scales: list[ScaleResult] = []
    for name, items in forms.scales(survey.definition).items():
        block = matrix[:, [columns[q["name"]] for q in items]].astype(np.float64)
        complete = block[~np.isnan(block).any(axis=1)]
        n = int(complete.shape[0])
        if n < statistics.MIN_CELL:
            scales.append(ScaleResult(name, [q["name"] for q in items], None, None, None))
            continue
        scales.append(
            ScaleResult(
                name,
                [q["name"] for q in items],
                n,
                float(complete.mean()),
                statistics.cronbach_alpha(complete),
            )
        )
    return Results(total=total, questions=questions, scales=scales)


def filter_options(survey: Survey) -> Mapping[str, list[tuple[int | str, str]]]:
    """The schools, areas and groups with at least five responses (a smaller one would be a
    way round the suppression), from one grouped count; cached per number of responses."""
    from django.core.cache import cache

    key = f"surveys:options:{survey.pk}:{Response.objects.filter(survey=survey).count()}"
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    options = _filter_options(survey)
    cache.set(key, options, 3600)
    return options


def _filter_options(survey: Survey) -> dict[str, list[tuple[int | str, str]]]:
    from collections import Counter

    from django.db.models import Count

    from kaskad.registry.models import Area, Organisation
    from kaskad.surveys.models import RespondentGroup

    cells = (
        Response.objects.filter(survey=survey)
        .values_list("organisation_id", "area_id", "group")
        .annotate(n=Count("pk"))
        .order_by()
    )
    schools: Counter[int] = Counter()
    areas: Counter[int] = Counter()
    groups: Counter[str] = Counter()
    for organisation_id, area_id, group, n in cells:
        if organisation_id:
            schools[organisation_id] += n
        if area_id:
            areas[area_id] += n
        groups[group] += n

    def big(counter: Counter[Any]) -> list[Any]:
        return [key for key, n in counter.items() if n >= statistics.MIN_CELL]

    return {
        "organisations": [
            (o.pk, o.name)
            for o in Organisation.objects.filter(pk__in=big(schools)).order_by("name")
        ],
        "areas": [(a.pk, str(a)) for a in Area.objects.filter(pk__in=big(areas))],
        "groups": [(g, str(RespondentGroup(g).label)) for g in sorted(big(groups))],
    }


def export_rows(survey: Survey, language: str) -> tuple[list[str], list[str], list[list[Any]]]:
    """(variable names, their labels, rows) of the microdata: one row per response, in random
    key order. A school or area with fewer than five responses is left blank."""
    from django.db.models import Count

    from kaskad.registry.models import Area, Organisation

    questions = forms.flat_questions(survey.definition)
    small_orgs = {
        r["organisation"]
        for r in Response.objects.filter(survey=survey)
        .values("organisation")
        .annotate(n=Count("pk"))
        .filter(n__lt=statistics.MIN_CELL)
    }
    small_areas = {
        r["area"]
        for r in Response.objects.filter(survey=survey)
        .values("area")
        .annotate(n=Count("pk"))
        .filter(n__lt=statistics.MIN_CELL)
    }
    org_codes = dict(Organisation.objects.values_list("pk", "code"))
    area_names = {a.pk: str(a) for a in Area.objects.all()}
    names = ["school", "area", "group", "day", *[q["name"] for q in questions]]
    labels = ["school", "area", "group", "day"] + [
        forms.label_in(q.get("label"), language, q["name"]) for q in questions
    ]
    rows: list[list[Any]] = []
    for response in Response.objects.filter(survey=survey).order_by("pk").iterator(2000):
        row: list[Any] = [
            ""
            if response.organisation_id is None or response.organisation_id in small_orgs
            else org_codes.get(response.organisation_id, ""),
            ""
            if response.area_id is None or response.area_id in small_areas
            else area_names.get(response.area_id, ""),
            response.group,
            response.submitted_on.isoformat(),
        ]
        for question in questions:
            value = response.answers.get(question["name"])
            if isinstance(value, list):
                value = " ".join(value)
            row.append(value)
        rows.append(row)
    return names, labels, rows
