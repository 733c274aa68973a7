"""The cascade closure: every participant's enrolment linked to the trainers up its lineage.

Depth 1 is a trainer of the participant's cohort; depth 2 a trainer of the cohort through
which that trainer earned the accreditation (`Accreditation.earned_through`); and so on, up
to `MAX_DEPTH`, with a guard against loops in the data. Each link carries the participant's
results, so reach and quality down the cascade are grouped reads of one table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Exists, OuterRef

from kaskad.assessment.models import EventKind, Portfolio, PortfolioEvent, Rating
from kaskad.cascade.models import Accreditation, TrainerLevel
from kaskad.delivery.models import CohortTrainer, Enrolment, EnrolmentStatus
from kaskad.reports.models import CascadeLink
from kaskad.reports.sources.assessment import CHECKED, FLAGGED, OUTCOME_KINDS, first_attempt_rating
from kaskad.reports.sources.delivery import ACTUAL_COHORT_STATUSES, ACTUAL_ENROLMENT_STATUSES

MAX_DEPTH = 4
LEVEL_RANK = {TrainerLevel.NATIONAL: 3, TrainerLevel.REGIONAL: 2, TrainerLevel.SCHOOL: 1}
RATING_SCORE = {Rating.UNSATISFACTORY: 1, Rating.SATISFACTORY: 2, Rating.GOOD: 3}


def trainer_parents() -> dict[int, set[int]]:
    """Trainer → the trainers of the cohorts through which they earned an accreditation."""
    earned = defaultdict(set)
    for person_id, cohort_id in Accreditation.objects.filter(
        earned_through__isnull=False
    ).values_list("person_id", "earned_through__cohort_id"):
        earned[cohort_id].add(person_id)
    parents: dict[int, set[int]] = defaultdict(set)
    if earned:
        for cohort_id, trainer_id in CohortTrainer.objects.filter(
            cohort_id__in=list(earned)
        ).values_list("cohort_id", "person_id"):
            for child in earned[cohort_id]:
                if child != trainer_id:
                    parents[child].add(trainer_id)
    return parents


def trainer_levels() -> dict[int, str]:
    levels: dict[int, str] = {}
    for person_id, level in Accreditation.objects.values_list("person_id", "level"):
        if LEVEL_RANK.get(level, 0) > LEVEL_RANK.get(levels.get(person_id, ""), 0):  # type: ignore[call-overload]
            levels[person_id] = level
    return levels


def ancestors(trainer: int, parents: dict[int, set[int]]) -> Iterator[tuple[int, int]]:
    """(ancestor, depth) above a depth-1 trainer, nearest first, each ancestor once."""
    seen = {trainer}
    frontier = {trainer}
    for depth in range(2, MAX_DEPTH + 1):
        frontier = {p for t in frontier for p in parents.get(t, ()) if p not in seen}
        if not frontier:
            return
        seen |= frontier
        for p in sorted(frontier):
            yield p, depth


def build_links(year: int) -> list[CascadeLink]:
    enrolments = Enrolment.objects.filter(
        cohort__starts_on__year=year,
        cohort__status__in=ACTUAL_COHORT_STATUSES,
        status__in=ACTUAL_ENROLMENT_STATUSES,
    )
    trainers: dict[int, set[int]] = defaultdict(set)
    for cohort_id, person_id in CohortTrainer.objects.filter(
        cohort__starts_on__year=year
    ).values_list("cohort_id", "person_id"):
        trainers[cohort_id].add(person_id)
    if not trainers:
        return []
    results: dict[int, tuple[bool, bool, int | None, bool, bool]] = {}
    portfolios = (
        Portfolio.objects.filter(enrolment__in=enrolments)
        .annotate(
            evaluated_=Exists(
                PortfolioEvent.objects.filter(
                    portfolio=OuterRef("pk"), attempt=1, kind__in=OUTCOME_KINDS
                )
            ),
            certified_=Exists(
                PortfolioEvent.objects.filter(portfolio=OuterRef("pk"), kind=EventKind.CERTIFIED)
            ),
            settled_rating=first_attempt_rating(),
        )
        .values_list(
            "enrolment_id", "evaluated_", "certified_", "settled_rating", "plagiarism_status"
        )
    )
    for enrolment_id, evaluated, certified, rating, plagiarism in portfolios:
        results[enrolment_id] = (
            bool(evaluated),
            bool(certified),
            RATING_SCORE.get(rating) if evaluated else None,
            plagiarism in CHECKED,
            plagiarism in FLAGGED,
        )
    parents = trainer_parents()
    levels = trainer_levels()
    links: list[CascadeLink] = []
    for enrolment_id, cohort_id, person_id, branch_id, status in enrolments.filter(
        cohort_id__in=list(trainers)
    ).values_list("pk", "cohort_id", "person_id", "cohort__branch_id", "status"):
        evaluated, certified, score, checked, flagged = results.get(
            enrolment_id, (False, False, None, False, False)
        )
        common = {
            "year": year,
            "enrolment_id": enrolment_id,
            "participant_id": person_id,
            "branch_id": branch_id,
            "completed": status == EnrolmentStatus.COMPLETED,
            "evaluated": evaluated,
            "certified": certified,
            "rating_score": score,
            "checked": checked,
            "flagged": flagged,
        }
        above: dict[int, int] = {}
        for trainer in trainers[cohort_id]:
            if trainer == person_id:
                continue
            above.setdefault(trainer, 1)
        for trainer in list(above):
            for ancestor, depth in ancestors(trainer, parents):
                if ancestor != person_id and depth < above.get(ancestor, MAX_DEPTH + 1):
                    above[ancestor] = depth
        for trainer, depth in above.items():
            links.append(
                CascadeLink(
                    trainer_id=trainer, depth=depth, level=levels.get(trainer, ""), **common
                )
            )
    return links
