"""Every read of lesson observation, scope first: a list starts from
`observation_list_visible_to(user)`; what a user may not see is simply not found."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from kaskad.accounts.models import User
from kaskad.accounts.scopes import user_scope
from kaskad.core.errors import NotFoundError
from kaskad.networks.agreement import exact_and_adjacent_agreement, icc, weighted_kappa
from kaskad.networks.models import LeadingSchool, Partnership
from kaskad.networks.selectors import schools_of_network
from kaskad.observations.instruments import (
    LANGS,
    BehaviourData,
    DomainData,
    ElementData,
    VersionData,
)
from kaskad.observations.models import (
    Domain,
    Element,
    InstrumentVersion,
    Observation,
    Score,
    VersionStatus,
)
from kaskad.observations.scopes import observing_branch_ids, report_branch_ids
from kaskad.registry.models import Branch, Organisation, Person


def _not_found() -> NotFoundError:
    return NotFoundError("not_found", _("Not found."))


# --- Instruments ------------------------------------------------------------------------------


def version_list() -> QuerySet[InstrumentVersion]:
    """Instruments are national reference: everyone signed in reads them."""
    return InstrumentVersion.objects.select_related("instrument").order_by(
        "instrument__code", "-number"
    )


def published_versions() -> QuerySet[InstrumentVersion]:
    return version_list().filter(status=VersionStatus.PUBLISHED)


def version_tree(*, pk: int) -> InstrumentVersion:
    version = (
        version_list()
        .prefetch_related(
            Prefetch(
                "domains",
                queryset=Domain.objects.prefetch_related(
                    Prefetch("elements", queryset=Element.objects.prefetch_related("behaviours"))
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if version is None:
        raise _not_found()
    return version


def version_data(version: InstrumentVersion) -> VersionData:
    """A version as plain data in all three languages (for the export and for copies)."""
    version = version_tree(pk=version.pk)

    def t(obj: Any, prefix: str) -> dict[str, str]:
        return {lang: getattr(obj, f"{prefix}_{lang}") or "" for lang in LANGS}

    return VersionData(
        code=version.instrument.code,
        number=version.number,
        name=t(version.instrument, "name"),
        description=t(version, "description"),
        domains=[
            DomainData(
                code=d.code,
                name=t(d, "name"),
                elements=[
                    ElementData(
                        code=e.code,
                        name=t(e, "name"),
                        scale=e.scale_max,
                        allows_na=e.allows_na,
                        na_rule=t(e, "na_rule"),
                        behaviours=[
                            BehaviourData(level=b.level, text=t(b, "text"))
                            for b in e.behaviours.all()
                        ],
                    )
                    for e in d.elements.all()
                ],
            )
            for d in version.domains.all()
        ],
    )


# --- Observations -----------------------------------------------------------------------------


def observation_list_visible_to(user: User) -> QuerySet[Observation]:
    scope = user_scope(user)
    qs = Observation.objects.all()
    if scope.national_write:
        return qs
    condition = Q(pk__in=[])
    branches = observing_branch_ids(user)
    if branches:
        condition |= Q(branch_id__in=branches)
    if scope.organisation_ids:
        condition |= Q(school_id__in=scope.organisation_ids)
    if scope.person_id:
        condition |= Q(teacher_id=scope.person_id)
    if getattr(user, "pk", None):
        condition |= Q(observer_id=user.pk)
    return qs.filter(condition)


def observation_list(
    *, user: User, teacher_id: int | None = None, school_id: int | None = None
) -> QuerySet[Observation]:
    qs = observation_list_visible_to(user).select_related(
        "teacher", "school", "observer", "version__instrument"
    )
    if teacher_id is not None:
        qs = qs.filter(teacher_id=teacher_id)
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    return qs.order_by("-observed_on", "-id")


def observation_get(*, user: User, pk: int) -> Observation:
    observation = (
        observation_list_visible_to(user)
        .select_related(
            "teacher", "school", "observer", "version__instrument", "previous", "double_of"
        )
        .prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("element__domain")),
            "priorities",
            "second_codings__observer",
            "repeats",
        )
        .filter(pk=pk)
        .first()
    )
    if observation is None:
        raise _not_found()
    return observation


def earlier_observations(*, user: User, teacher_id: int, version_id: int) -> list[Observation]:
    """What a new observation of the teacher may repeat: their earlier observations on the
    same version (second codings left out)."""
    return list(
        observation_list_visible_to(user)
        .filter(teacher_id=teacher_id, version_id=version_id, double_of__isnull=True)
        .order_by("-observed_on", "-id")
    )


# --- Change over time -------------------------------------------------------------------------


@dataclass
class PriorityOutcome:
    element: Element
    observed_on: date
    before: int | None
    after: int | None
    repeat_on: date | None

    @property
    def improved(self) -> bool | None:
        if self.before is None or self.after is None:
            return None
        return self.after > self.before


@dataclass
class TeacherTimeline:
    version: InstrumentVersion
    observations: list[Observation]
    rows: list[tuple[Element, list[int | None]]]
    priorities: list[PriorityOutcome] = field(default_factory=list)


def teacher_change(*, user: User, teacher_id: int) -> tuple[Person, list[TeacherTimeline]]:
    """Element-by-element scores of a teacher's observations over time, per instrument
    version, and whether the priority elements improved at the next repeat."""
    observations = list(
        observation_list_visible_to(user)
        .filter(teacher_id=teacher_id, double_of__isnull=True)
        .select_related("teacher", "version__instrument")
        .prefetch_related("scores", "priorities")
        .order_by("observed_on", "id")
    )
    if not observations:
        raise _not_found()
    teacher = observations[0].teacher
    by_version: dict[int, list[Observation]] = defaultdict(list)
    for observation in observations:
        by_version[observation.version_id].append(observation)
    elements = {
        e.pk: e for e in Element.objects.filter(version_id__in=by_version).select_related("domain")
    }
    timelines = []
    for items in by_version.values():
        version = items[0].version
        scores = {o.pk: {s.element_id: s.value for s in o.scores.all()} for o in items}
        version_elements = sorted(
            (e for e in elements.values() if e.version_id == version.pk),
            key=lambda e: (e.domain.order, e.order, e.code),
        )
        rows = [(e, [scores[o.pk].get(e.pk) for o in items]) for e in version_elements]
        outcomes = []
        by_id = {o.pk: o for o in items}
        for o in items:
            repeat = next((r for r in items if r.previous_id == o.pk), None)
            for element in o.priorities.all():
                outcomes.append(
                    PriorityOutcome(
                        element=elements.get(element.pk, element),
                        observed_on=o.observed_on,
                        before=scores[o.pk].get(element.pk),
                        after=scores[repeat.pk].get(element.pk) if repeat else None,
                        repeat_on=repeat.observed_on if repeat else None,
                    )
                )
        del by_id
        timelines.append(TeacherTimeline(version, items, rows, outcomes))
    return teacher, timelines


@dataclass
class ElementChange:
    element_id: int
    code: str
    name: str
    scale_max: int
    n: int
    mean_first: float | None
    mean_repeat: float | None

    @property
    def mean_change(self) -> float | None:
        if self.mean_first is None or self.mean_repeat is None:
            return None
        return self.mean_repeat - self.mean_first


@dataclass
class VersionChange:
    version: InstrumentVersion
    teachers: int  # chains of first and repeat observation
    elements: list[ElementChange]


def _change(observations: QuerySet[Observation]) -> list[VersionChange]:
    """Mean change per element between each teacher's first observation and its latest
    repeat (following the `previous` links), per instrument version, with n."""
    rows = list(
        observations.filter(double_of__isnull=True).values_list(
            "id", "previous_id", "version_id", "observed_on"
        )
    )
    parent = {pk: prev for pk, prev, _v, _d in rows}
    info = {pk: (version, day) for pk, _p, version, day in rows}

    def root(pk: int) -> int:
        seen = set()
        while parent.get(pk) is not None and parent[pk] in parent and pk not in seen:
            seen.add(pk)
            pk = parent[pk]
        return pk

    latest: dict[int, int] = {}
    for pk in parent:
        r = root(pk)
        if r == pk:
            continue
        current = latest.get(r)
        if current is None or (info[pk][1], pk) > (info[current][1], current):
            latest[r] = pk
    if not latest:
        return []
    wanted = set(latest) | set(latest.values())
    values: dict[int, dict[int, int | None]] = defaultdict(dict)
    for obs_id, element_id, value in Score.objects.filter(observation_id__in=wanted).values_list(
        "observation_id", "element_id", "value"
    ):
        values[obs_id][element_id] = value
    pairs_by_version: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for first, repeat in latest.items():
        pairs_by_version[info[first][0]].append((first, repeat))
    versions = {v.pk: v for v in version_list().filter(pk__in=pairs_by_version)}
    result = []
    for version_id, pairs in sorted(pairs_by_version.items()):
        elements = Element.objects.filter(version_id=version_id).select_related("domain")
        changes = []
        for element in sorted(elements, key=lambda e: (e.domain.order, e.order, e.code)):
            firsts, repeats = [], []
            for first, repeat in pairs:
                a = values[first].get(element.pk)
                b = values[repeat].get(element.pk)
                if a is not None and b is not None:
                    firsts.append(a)
                    repeats.append(b)
            n = len(firsts)
            changes.append(
                ElementChange(
                    element_id=element.pk,
                    code=element.code,
                    name=element.name,
                    scale_max=element.scale_max,
                    n=n,
                    mean_first=sum(firsts) / n if n else None,
                    mean_repeat=sum(repeats) / n if n else None,
                )
            )
        result.append(VersionChange(versions[version_id], len(pairs), changes))
    return result


def change_for_schools(
    *,
    school_ids: Iterable[int],
    version_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[VersionChange]:
    """Mean change per element for the teachers observed in these schools (a school, a
    network of schools, ...). The caller has already decided the schools are in scope."""
    qs = Observation.objects.filter(school_id__in=list(school_ids))
    return _change(_dated(qs, version_id=version_id, date_from=date_from, date_to=date_to))


def change_for_branch(
    *,
    branch_id: int,
    version_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[VersionChange]:
    qs = Observation.objects.filter(branch_id=branch_id)
    return _change(_dated(qs, version_id=version_id, date_from=date_from, date_to=date_to))


def _dated(
    qs: QuerySet[Observation],
    *,
    version_id: int | None,
    date_from: date | None,
    date_to: date | None,
) -> QuerySet[Observation]:
    if version_id is not None:
        qs = qs.filter(version_id=version_id)
    if date_from is not None:
        qs = qs.filter(observed_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(observed_on__lte=date_to)
    return qs


def school_for_report(*, user: User, pk: int) -> Organisation:
    """A school whose aggregated change the user may read (else 404)."""
    scope = user_scope(user)
    school = Organisation.objects.select_related("area").filter(pk=pk).first()
    if school is None:
        raise _not_found()
    branches = report_branch_ids(user)
    if branches is None or school.area.branch_id in branches or pk in scope.organisation_ids:
        return school
    raise _not_found()


def branch_for_report(*, user: User, pk: int) -> Branch:
    branch = Branch.objects.filter(pk=pk).first()
    branches = report_branch_ids(user)
    if branch is None or (branches is not None and pk not in branches):
        raise _not_found()
    return branch


def network_for_report(*, user: User, pk: int) -> tuple[LeadingSchool, list[int]]:
    """A leading school's network of its year whose aggregated change the user may read
    (else 404), with the ids of its schools: the leading school, then its partners."""
    leading = LeadingSchool.objects.select_related("school").filter(pk=pk).first()
    branches = report_branch_ids(user)
    if leading is None or (branches is not None and leading.branch_id not in branches):
        raise _not_found()
    return leading, schools_of_network(leading_school=leading.school_id, year=leading.year)


def report_networks(*, user: User) -> list[LeadingSchool]:
    """Networks (leading schools of a year) with observations in any of their schools that
    the user may read, newest year first."""
    branches = report_branch_ids(user)
    qs = LeadingSchool.objects.select_related("school").order_by("-year", "school__name")
    if branches is not None:
        qs = qs.filter(branch_id__in=branches)
    leadings = list(qs)
    observed = set(Observation.objects.values_list("school_id", flat=True).distinct())
    partners: dict[int, set[int]] = defaultdict(set)
    for leading_id, school_id in Partnership.objects.filter(leading__in=leadings).values_list(
        "leading_id", "school_id"
    ):
        partners[leading_id].add(school_id)
    return [
        leading
        for leading in leadings
        if leading.school_id in observed or partners[leading.pk] & observed
    ]


def report_schools(*, user: User) -> QuerySet[Organisation]:
    """Schools with observations whose aggregated change the user may read."""
    scope = user_scope(user)
    branches = report_branch_ids(user)
    qs = Organisation.objects.filter(observations__isnull=False).distinct()
    if branches is None:
        return qs
    return qs.filter(Q(area__branch_id__in=branches) | Q(pk__in=scope.organisation_ids))


def report_branches(user: User) -> QuerySet[Branch]:
    branches = report_branch_ids(user)
    qs = Branch.objects.order_by("code")
    return qs if branches is None else qs.filter(pk__in=branches)


# --- Observer agreement -----------------------------------------------------------------------


@dataclass
class ElementAgreementRow:
    element: Element
    n: int
    exact: float | None
    adjacent: float | None
    kappa: float | None
    icc2_1: float | None
    icc3_1: float | None


@dataclass
class PairAgreement:
    observer_a: User
    observer_b: User
    lessons: int
    elements: list[ElementAgreementRow]


def _finite(value: float) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else value


def agreement_report(*, user: User, version_id: int) -> list[PairAgreement]:
    """Per observer pair and per element: exact and adjacent agreement, quadratic weighted
    kappa, ICC(2,1) and ICC(3,1) over the double-coded lessons the user may see."""
    seconds = list(
        observation_list_visible_to(user)
        .filter(version_id=version_id, double_of__isnull=False)
        .select_related("observer", "double_of__observer")
        .prefetch_related("scores", "double_of__scores")
    )
    # Both codings must be visible: the original is read through the scope as well.
    visible = set(
        observation_list_visible_to(user)
        .filter(pk__in=[s.double_of_id for s in seconds])
        .values_list("pk", flat=True)
    )
    pairs: dict[tuple[int, int], list[tuple[dict[int, int | None], dict[int, int | None]]]] = (
        defaultdict(list)
    )
    people: dict[int, User] = {}
    for second in seconds:
        original = second.double_of
        if original is None or original.pk not in visible:
            continue
        first_scores = {s.element_id: s.value for s in original.scores.all()}
        second_scores = {s.element_id: s.value for s in second.scores.all()}
        a, b = original.observer, second.observer
        people[a.pk], people[b.pk] = a, b
        if a.pk < b.pk:
            pairs[(a.pk, b.pk)].append((first_scores, second_scores))
        else:
            pairs[(b.pk, a.pk)].append((second_scores, first_scores))
    elements = list(
        Element.objects.filter(version_id=version_id)
        .select_related("domain")
        .order_by("domain__order", "order", "code")
    )
    report = []
    for (a_id, b_id), lessons in sorted(pairs.items()):
        rows = []
        for element in elements:
            col_a: list[int] = []
            col_b: list[int] = []
            for scores_a, scores_b in lessons:
                va, vb = scores_a.get(element.pk), scores_b.get(element.pk)
                if va is not None and vb is not None:
                    col_a.append(va)
                    col_b.append(vb)
            rows.append(_element_agreement(element, col_a, col_b))
        report.append(PairAgreement(people[a_id], people[b_id], len(lessons), rows))
    return report


def _element_agreement(element: Element, a: list[int], b: list[int]) -> ElementAgreementRow:
    n = len(a)
    if n == 0:
        return ElementAgreementRow(element, 0, None, None, None, None, None)
    exact, adjacent = exact_and_adjacent_agreement(a, b)
    kappa = _finite(weighted_kappa(a, b, element.scale_values, "quadratic").kappa)
    icc21 = icc31 = None
    if n >= 2:
        result = icc([[x, y] for x, y in zip(a, b, strict=True)])
        icc21, icc31 = _finite(result.icc2_1.value), _finite(result.icc3_1.value)
    return ElementAgreementRow(element, n, exact, adjacent, kappa, icc21, icc31)


def agreement_versions(*, user: User) -> QuerySet[InstrumentVersion]:
    ids = (
        observation_list_visible_to(user)
        .filter(double_of__isnull=False)
        .values_list("version_id", flat=True)
    )
    return version_list().filter(pk__in=ids)
