"""Reads of the trainer cascade.

Scope: national roles see every accreditation; a branch coordinator sees the trainers whose
current organisation is in the branch's areas plus every national-level trainer; anyone sees
their own accreditations. Whatever is out of scope answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kaskad.accounts.scopes import user_scope
from kaskad.cascade.models import Accreditation, TrainerLevel
from kaskad.catalogue.models import Programme
from kaskad.core.collation import name_order
from kaskad.registry.models import Person
from kaskad.registry.names import fold

if TYPE_CHECKING:
    from kaskad.accounts.models import User

# Roles that open the trainers list (others only see their own trainer page).
LINEAGE_MAX_DEPTH = 6
LINEAGE_MAX_PER_LEVEL = 200


def _trainer_condition(user: User) -> Q | None:
    """The condition on Person that the user may see as a trainer (None: everyone)."""
    scope = user_scope(user)
    if scope.national:
        return None
    national_trainer = Exists(
        Accreditation.objects.filter(person=OuterRef("pk"), level=TrainerLevel.NATIONAL)
    )
    condition = Q(pk__in=[])
    if scope.branch_ids:
        condition |= Q(current_organisation__area_id__in=scope.area_ids) | Q(national_trainer)
    if scope.person_id:
        condition |= Q(pk=scope.person_id)
    return condition


def trainers_visible_to(user: User) -> QuerySet[Person]:
    """People holding at least one accreditation whom the user may see as trainers."""
    qs = Person.objects.filter(Exists(Accreditation.objects.filter(person=OuterRef("pk"))))
    condition = _trainer_condition(user)
    return qs if condition is None else qs.filter(condition)


def accreditation_list_visible_to(user: User) -> QuerySet[Accreditation]:
    qs = Accreditation.objects.select_related(
        "person",
        "person__current_organisation",
        "person__current_organisation__area",
        "programme",
    )
    if user_scope(user).national:
        return qs
    return qs.filter(person__in=trainers_visible_to(user).values("pk"))


def _is_valid(on: date) -> Q:
    return Q(revoked_at__isnull=True, valid_from__lte=on, valid_until__gte=on)


@dataclass
class TrainerFilters:
    programme: int | None = None
    level: str = ""
    strand: str = ""
    validity: str = ""  # "valid", "expired" (ended or revoked) or "" for both
    q: str = ""
    on: date | None = None


def accreditation_list(
    *, user: User, filters: TrainerFilters | None = None
) -> QuerySet[Accreditation]:
    filters = filters or TrainerFilters()
    on = filters.on or timezone.localdate()
    qs = accreditation_list_visible_to(user)
    if filters.programme:
        qs = qs.filter(programme_id=filters.programme)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.strand:
        qs = qs.filter(strand=filters.strand)
    if filters.validity == "valid":
        qs = qs.filter(_is_valid(on))
    elif filters.validity == "expired":
        qs = qs.exclude(_is_valid(on))
    q = filters.q.strip()
    if q:
        for token in fold(q).split():
            qs = qs.filter(
                Q(person__search_key__startswith=token)
                | Q(person__search_key__contains=" " + token)
            )
    return qs.order_by(*name_order("person__"), "programme__code", "-valid_until")


def trainer_get(*, user: User, pk: int) -> Person:
    person = (
        trainers_visible_to(user)
        .select_related("current_organisation", "current_organisation__area")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404
    return person


def trainer_accreditations(*, person: Person) -> QuerySet[Accreditation]:
    return (
        Accreditation.objects.filter(person=person)
        .select_related(
            "programme",
            "granted_by",
            "earned_through",
            "earned_through__cohort",
        )
        .order_by("-valid_until", "programme__code")
    )


def accreditation_get(*, user: User, pk: int) -> Accreditation:
    accreditation = accreditation_list_visible_to(user).filter(pk=pk).first()
    if accreditation is None:
        raise Http404
    return accreditation


def valid_accreditation(*, person: Person, programme: Programme, on: date) -> Accreditation | None:
    """The accreditation that lets `person` train `programme` on the day `on`: not revoked,
    and `on` within its period (both ends included). The highest level wins, then the one
    that lasts longest. None when there is none: such a person cannot train that programme.
    """
    candidates = list(
        Accreditation.objects.filter(
            _is_valid(on), person_id=getattr(person, "pk", person), programme_id=programme.pk
        ).order_by("-valid_until", "pk")
    )
    if not candidates:
        return None
    rank = {level: index for index, level in enumerate(TrainerLevel.values)}
    return min(candidates, key=lambda a: rank.get(a.level, len(rank)))


def valid_trainers(*, programme: Programme, on: date) -> QuerySet[Person]:
    """Everyone with a valid accreditation for `programme` on `on` (for trainer pickers)."""
    return Person.objects.filter(
        Exists(
            Accreditation.objects.filter(_is_valid(on), person=OuterRef("pk"), programme=programme)
        )
    ).order_by(*name_order())


# --- Lineage: who trained whom ----------------------------------------------------------------


@dataclass
class LineageLink:
    """One step of the cascade. Upwards: `person` trained the cohort `cohort_code` through
    which the person below earned an accreditation, holding `accreditation` to do so.
    Downwards: `person` earned `accreditation` in the cohort `cohort_code` trained by the
    person above."""

    person: Person
    accreditation: Accreditation | None
    cohort_id: int
    cohort_code: str
    depth: int
    children: list[LineageLink] = field(default_factory=list)


@dataclass
class Lineage:
    person: Person
    up: list[LineageLink] = field(default_factory=list)
    down: list[LineageLink] = field(default_factory=list)
    truncated: bool = False  # more people than a page can show were left out

    def people(self) -> set[int]:
        found: set[int] = set()
        stack = [*self.up, *self.down]
        while stack:
            link = stack.pop()
            found.add(link.person.pk)
            stack.extend(link.children)
        return found


def related_model(relation: str) -> Any:
    """The model at the other end of one of `Accreditation`'s relations.

    Cascade sits below delivery in the layers: an accreditation is earned through an
    enrolment (`earned_through`, a lazy "delivery.Enrolment" reference) and held by cohort
    trainers (`assignments`). Cascade reads those rows through the relations its model
    declares and never imports delivery's code (see docs/delivery.md).
    """
    return Accreditation._meta.get_field(relation).related_model


def _up_level(person_ids: Iterable[int]) -> dict[int, list[tuple[int, str, Any]]]:
    """For each person: (cohort id, cohort code, trainer row) of the cohorts through which
    their accreditations were earned."""
    assignments = related_model("assignments")._default_manager

    # A person may have earned accreditations in several cohorts: keep all of them.
    pairs = list(
        Accreditation.objects.filter(person_id__in=person_ids, earned_through__isnull=False)
        .values_list("person_id", "earned_through__cohort_id")
        .distinct()
    )
    by_cohort: dict[int, list[Any]] = {}
    for trainer in assignments.filter(
        cohort_id__in={cohort for _p, cohort in pairs}
    ).select_related("person", "accreditation", "accreditation__programme", "cohort"):
        by_cohort.setdefault(trainer.cohort_id, []).append(trainer)
    result: dict[int, list[tuple[int, str, Any]]] = {}
    for person_id, cohort_id in pairs:
        for trainer in by_cohort.get(cohort_id, []):
            result.setdefault(person_id, []).append((cohort_id, trainer.cohort.code, trainer))
    return result


def _down_level(person_ids: Iterable[int], limit: int) -> tuple[dict[int, list[Any]], bool]:
    """For each trainer: the accreditations earned in cohorts they trained."""
    assignments = related_model("assignments")._default_manager

    trained = list(
        assignments.filter(person_id__in=person_ids).values_list("person_id", "cohort_id")
    )
    cohort_trainers: dict[int, list[int]] = {}
    for trainer_id, cohort_id in trained:
        cohort_trainers.setdefault(cohort_id, []).append(trainer_id)
    earned = list(
        Accreditation.objects.filter(earned_through__cohort_id__in=cohort_trainers)
        .select_related("person", "programme", "earned_through__cohort")
        .order_by(*name_order("person__"), "pk")[: limit + 1]
    )
    truncated = len(earned) > limit
    result: dict[int, list[Any]] = {}
    for accreditation in earned[:limit]:
        cohort_id = accreditation.earned_through.cohort_id  # type: ignore[union-attr]
        for trainer_id in cohort_trainers.get(cohort_id, []):
            result.setdefault(trainer_id, []).append(accreditation)
    return result, truncated


def cascade_lineage(
    *,
    person: Person,
    max_depth: int = LINEAGE_MAX_DEPTH,
    max_per_level: int = LINEAGE_MAX_PER_LEVEL,
) -> Lineage:
    """Who trained whom around `person`.

    `up`: the trainers of the cohorts through which this person's accreditations were earned,
    then their own trainers, and so on. `down`: the people who earned an accreditation in a
    cohort this person trained, then those they trained in turn. A few queries per level
    (never one per person); a person met twice on one path is not followed again, and each
    level shows at most `max_per_level` people (`truncated` then says so).
    """
    lineage = Lineage(person=person)

    # Upwards.
    frontier: dict[int, list[LineageLink]] = {person.pk: lineage.up}
    seen_up = {person.pk}
    for depth in range(1, max_depth + 1):
        if not frontier:
            break
        steps = _up_level(frontier.keys())
        next_frontier: dict[int, list[LineageLink]] = {}
        for person_id, targets in frontier.items():
            for cohort_id, cohort_code, trainer in steps.get(person_id, []):
                link = LineageLink(
                    person=trainer.person,
                    accreditation=trainer.accreditation,
                    cohort_id=cohort_id,
                    cohort_code=cohort_code,
                    depth=depth,
                )
                targets.append(link)
                if trainer.person_id not in seen_up:
                    seen_up.add(trainer.person_id)
                    next_frontier.setdefault(trainer.person_id, link.children)
        frontier = next_frontier

    # Downwards.
    frontier = {person.pk: lineage.down}
    seen_down = {person.pk}
    for depth in range(1, max_depth + 1):
        if not frontier:
            break
        steps_down, truncated = _down_level(frontier.keys(), max_per_level)
        lineage.truncated = lineage.truncated or truncated
        next_frontier = {}
        for trainer_id, targets in frontier.items():
            for accreditation in steps_down.get(trainer_id, []):
                cohort = accreditation.earned_through.cohort
                link = LineageLink(
                    person=accreditation.person,
                    accreditation=accreditation,
                    cohort_id=cohort.pk,
                    cohort_code=cohort.code,
                    depth=depth,
                )
                targets.append(link)
                if accreditation.person_id not in seen_down:
                    seen_down.add(accreditation.person_id)
                    next_frontier.setdefault(accreditation.person_id, link.children)
        frontier = next_frontier
    return lineage


def trainer_ids_visible_to(user: User, person_ids: Iterable[int]) -> set[int]:
    """Which of these people the user may open as trainers (one query)."""
    ids = set(person_ids)
    if not ids:
        return set()
    return set(trainers_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
