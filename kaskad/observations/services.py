"""Every write of lesson observation: instrument versions, observations, acknowledgement.

Keyword-only, atomic, audited. Refusals are `DomainError`s with a stable code, a translated
message and the field they concern; something outside the actor's scope is `NotFoundError`,
exactly like something that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaskad.accounts.models import User
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.observations.instruments import VersionData, texts, write_tree
from kaskad.observations.models import (
    Behaviour,
    Domain,
    Element,
    Instrument,
    InstrumentVersion,
    Observation,
    Score,
    VersionStatus,
)
from kaskad.observations.scopes import may_observe, observable_teachers
from kaskad.observations.selectors import observation_list_visible_to, version_data
from kaskad.registry.models import Person

MAX_TEXT = 4000


def _not_found() -> NotFoundError:
    return NotFoundError("not_found", _("Not found."))


# --- Instruments ------------------------------------------------------------------------------


def version_in_use(version: InstrumentVersion) -> bool:
    return Observation.objects.filter(version=version).exists()


def _refuse_if_in_use(version: InstrumentVersion) -> None:
    if version_in_use(version):
        raise StateConflict(
            "version_in_use",
            _(
                "Version %(number)s of “%(code)s” already has observations and cannot be "
                "changed: create a new version."
            )
            % {"number": version.number, "code": version.instrument.code},
        )


@transaction.atomic
def instrument_version_save(
    *, data: VersionData, by: User | None, publish: bool = False
) -> InstrumentVersion:
    """Create a version of an instrument from ``data``, or rewrite an existing one that has
    no observations yet. A version with observations is refused: create a new version."""
    instrument = Instrument.objects.select_for_update().filter(code=data.code).first()
    if instrument is None:
        instrument = Instrument.objects.create(code=data.code, **texts("name", data.name))
    else:
        for key, value in texts("name", data.name).items():
            setattr(instrument, key, value)
        instrument.save()
    version = InstrumentVersion.objects.filter(instrument=instrument, number=data.number).first()
    action = "create"
    if version is not None:
        _refuse_if_in_use(version)
        version.domains.all().delete()
        action = "update"
        for key, value in texts("description", data.description).items():
            setattr(version, key, value)
    else:
        version = InstrumentVersion(
            instrument=instrument, number=data.number, **texts("description", data.description)
        )
    if publish and version.status != VersionStatus.PUBLISHED:
        version.status = VersionStatus.PUBLISHED
        version.published_at = timezone.now()
    version.save()
    write_tree(version, data, domain_model=Domain, element_model=Element, behaviour_model=Behaviour)
    audit_record(
        actor=by,
        action=action,
        obj=version,
        changes={
            "elements": [None, sum(len(d.elements) for d in data.domains)],
            "status": [None, version.status],
        },
    )
    return version


@transaction.atomic
def instrument_version_publish(*, version: InstrumentVersion, by: User) -> InstrumentVersion:
    if version.status == VersionStatus.PUBLISHED:
        return version
    if not version.elements.exists():
        raise DomainError("version_empty", _("A version without elements cannot be published."))
    old = version.status
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=by,
        action="update",
        source="publish",
        obj=version,
        changes={"status": [old, version.status]},
    )
    return version


@transaction.atomic
def element_update(
    *, element: Element, by: User, name: dict[str, str] | None = None, scale: int | None = None
) -> Element:
    """Change an element's wording or scale: only while its version has no observations."""
    _refuse_if_in_use(element.version)
    before = {"name": element.name, "scale_max": element.scale_max}
    for key, value in texts("name", name or {}).items():
        if value:
            setattr(element, key, value)
    if scale is not None:
        if scale not in (4, 5, 7):
            raise DomainError(
                "scale_unknown", _("The scale must be 1–4, 1–5 or 1–7."), field="scale"
            )
        element.scale_max = scale
    element.save()
    audit_record(
        actor=by,
        action="update",
        obj=element,
        changes={
            key: [before[key], getattr(element, key)]
            for key in before
            if before[key] != getattr(element, key)
        },
    )
    return element


@transaction.atomic
def instrument_version_copy(*, version: InstrumentVersion, by: User) -> InstrumentVersion:
    """A new draft version with the same tree: the way to change an instrument in use."""
    data = version_data(version)
    last = (
        InstrumentVersion.objects.filter(instrument=version.instrument)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    data.number = (last or 0) + 1
    return instrument_version_save(data=data, by=by)


# --- Observations -----------------------------------------------------------------------------


@dataclass
class ScoreInput:
    element_id: int
    value: int | None  # None: not applicable
    evidence: str


@dataclass
class ObservationData:
    client_id: uuid.UUID
    version_id: int
    teacher_id: int
    subject: str
    grade: int
    observed_on: date
    focus: str
    strengths: str = ""
    next_steps: str = ""
    priority_element_ids: list[int] = field(default_factory=list)
    scores: list[ScoreInput] = field(default_factory=list)
    previous_id: int | None = None
    double_of_id: int | None = None


def _required(value: str, code: str, message: str, field_name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(code, message, field=field_name)
    if len(value) > MAX_TEXT:
        raise DomainError(
            "text_too_long",
            _("“%(field)s” is longer than %(max)s characters.")
            % {"field": field_name, "max": MAX_TEXT},
            field=field_name,
        )
    return value


def _check_scores(
    elements: dict[int, Element], scores: list[ScoreInput]
) -> list[tuple[Element, int | None, str]]:
    given: dict[int, ScoreInput] = {}
    for score in scores:
        if score.element_id not in elements:
            raise DomainError(
                "score_unknown_element",
                _("A score names an element that is not in this instrument version."),
            )
        if score.element_id in given:
            raise DomainError(
                "score_twice",
                _("Element %(code)s is scored twice.") % {"code": elements[score.element_id].code},
            )
        given[score.element_id] = score
    checked = []
    for element in elements.values():
        where = f"score_{element.pk}"
        found = given.get(element.pk)
        if found is None:
            raise DomainError(
                "score_missing",
                _("Element %(code)s (%(name)s) has no score.")
                % {"code": element.code, "name": element.name},
                field=where,
            )
        score = found
        if score.value is None and not element.allows_na:
            raise DomainError(
                "score_na_not_allowed",
                _("Element %(code)s may not be marked “not applicable”.") % {"code": element.code},
                field=where,
            )
        if score.value is not None and not 1 <= score.value <= element.scale_max:
            raise DomainError(
                "score_out_of_scale",
                _("The score %(value)s of element %(code)s is outside its scale 1–%(max)s.")
                % {"value": score.value, "code": element.code, "max": element.scale_max},
                field=where,
            )
        evidence = (score.evidence or "").strip()
        if not evidence:
            raise DomainError(
                "evidence_missing",
                _("Element %(code)s needs an evidence note: what was seen or heard.")
                % {"code": element.code},
                field=f"evidence_{element.pk}",
            )
        if len(evidence) > MAX_TEXT:
            raise DomainError(
                "text_too_long",
                _("The evidence of element %(code)s is longer than %(max)s characters.")
                % {"code": element.code, "max": MAX_TEXT},
                field=f"evidence_{element.pk}",
            )
        checked.append((element, score.value, evidence))
    return checked


def observation_record(*, by: User, data: ObservationData) -> tuple[Observation, bool]:
    """Record an observation; returns (observation, created).

    Idempotent by ``client_id``: the form generates it in the browser, so a submission sent
    twice (a retry after the connection came back) saves one observation. The second call
    returns the first one's record unchanged.
    """
    existing = Observation.objects.filter(client_id=data.client_id).first()
    if existing is not None:
        if existing.observer_id != by.pk:
            raise _not_found()
        return existing, False
    try:
        with transaction.atomic():
            return _observation_create(by=by, data=data), True
    except IntegrityError:
        # The same submission, saved meanwhile by a concurrent request.
        existing = Observation.objects.filter(client_id=data.client_id, observer=by).first()
        if existing is None:
            raise
        return existing, False


def _observation_create(*, by: User, data: ObservationData) -> Observation:
    if not may_observe(by):
        raise _not_found()
    teacher = (
        observable_teachers(by)
        .select_related("current_organisation__area")
        .filter(pk=data.teacher_id)
        .first()
    )
    if teacher is None or teacher.current_organisation is None:
        raise _not_found()
    version = (
        InstrumentVersion.objects.select_related("instrument").filter(pk=data.version_id).first()
    )
    if version is None or version.status != VersionStatus.PUBLISHED:
        raise DomainError(
            "version_not_published",
            _("Observations use a published instrument version."),
            field="version",
        )
    if data.observed_on > timezone.localdate():
        raise DomainError(
            "date_in_future", _("The lesson date is in the future."), field="observed_on"
        )
    if not 0 <= data.grade <= 12:
        raise DomainError("grade_range", _("The grade must be from 0 to 12."), field="grade")
    if not (data.subject or "").strip():
        raise DomainError("subject_missing", _("Choose the subject."), field="subject")
    focus = _required(data.focus, "focus_missing", _("Say what the lesson focused on."), "focus")
    second = data.double_of_id is not None
    strengths = data.strengths.strip()
    next_steps = data.next_steps.strip()
    if not second:
        strengths = _required(
            strengths, "strengths_missing", _("Write the strengths of the lesson."), "strengths"
        )
        next_steps = _required(
            next_steps, "next_steps_missing", _("Write the agreed next steps."), "next_steps"
        )
    elements = {e.pk: e for e in version.elements.select_related("domain")}
    checked = _check_scores(elements, data.scores)
    priorities = list(dict.fromkeys(data.priority_element_ids))
    if not second and not 1 <= len(priorities) <= 2:
        raise DomainError(
            "priorities_count",
            _("Choose one or two priority elements."),
            field="priorities",
        )
    if any(p not in elements for p in priorities):
        raise DomainError(
            "priority_unknown",
            _("A priority element is not in this instrument version."),
            field="priorities",
        )
    previous = None
    if data.previous_id is not None:
        previous = observation_list_visible_to(by).filter(pk=data.previous_id).first()
        if previous is None:
            raise _not_found()
        if previous.teacher_id != teacher.pk or previous.version_id != version.pk:
            raise DomainError(
                "repeat_mismatch",
                _(
                    "A repeat observation follows an earlier one of the same teacher with the "
                    "same instrument version."
                ),
                field="previous",
            )
        if previous.double_of_id is not None:
            raise DomainError(
                "repeat_of_second_coding",
                _("A repeat follows an observation, not a second coding of one."),
                field="previous",
            )
        if previous.observed_on >= data.observed_on:
            raise DomainError(
                "repeat_not_later",
                _("A repeat observation is later than the one it repeats (%(date)s).")
                % {"date": previous.observed_on.isoformat()},
                field="observed_on",
            )
    double_of = None
    if data.double_of_id is not None:
        double_of = observation_list_visible_to(by).filter(pk=data.double_of_id).first()
        if double_of is None:
            raise _not_found()
        if double_of.double_of_id is not None:
            raise DomainError(
                "second_of_second",
                _("Code the original observation, not another second coding."),
            )
        if double_of.observer_id == by.pk:
            raise DomainError(
                "second_same_observer",
                _("A second coding is made by another observer."),
            )
        if (
            double_of.teacher_id != teacher.pk
            or double_of.version_id != version.pk
            or double_of.observed_on != data.observed_on
        ):
            raise DomainError(
                "second_mismatch",
                _(
                    "A second coding is of the same lesson: the same teacher, date and "
                    "instrument version."
                ),
            )
        if Observation.objects.filter(double_of=double_of, observer=by).exists():
            raise StateConflict(
                "second_exists", _("You have already coded this lesson a second time.")
            )
    school = teacher.current_organisation
    observation = Observation.objects.create(
        client_id=data.client_id,
        version=version,
        teacher=teacher,
        school=school,
        branch_id=school.area.branch_id,
        observer=by,
        subject=data.subject.strip(),
        grade=data.grade,
        observed_on=data.observed_on,
        focus=focus,
        strengths=strengths,
        next_steps=next_steps,
        previous=previous,
        double_of=double_of,
    )
    Score.objects.bulk_create(
        Score(observation=observation, element=element, value=value, evidence=evidence)
        for element, value, evidence in checked
    )
    if priorities:
        observation.priorities.set(priorities)
    audit_record(
        actor=by,
        action="create",
        obj=observation,
        changes={
            "teacher": [None, teacher.pk],
            "version": [None, version.pk],
            "previous": [None, previous.pk if previous else None],
            "double_of": [None, double_of.pk if double_of else None],
        },
    )
    return observation


@transaction.atomic
def observation_acknowledge(*, observation: Observation, by: User, reflection: str) -> Observation:
    """The observed teacher confirms they have read the record, with their reflection."""
    if by.person_id is None or by.person_id != observation.teacher_id:
        raise _not_found()
    if observation.acknowledged_at is not None:
        raise StateConflict("already_acknowledged", _("This observation is already acknowledged."))
    reflection = _required(
        reflection, "reflection_missing", _("Write your reflection on the lesson."), "reflection"
    )
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    observation.acknowledged_at = timezone.now()
    observation.reflection = reflection
    observation.save(update_fields=["acknowledged_at", "reflection", "updated_at"])
    audit_record(
        actor=by,
        action="update",
        source="acknowledge",
        obj=observation,
        changes={"acknowledged_at": [None, observation.acknowledged_at]},
    )
    return observation


def teacher_for_form(*, by: User, teacher_id: int) -> Person:
    """The teacher a new observation is about, if the user may observe them (else 404)."""
    if not may_observe(by):
        raise _not_found()
    teacher = (
        observable_teachers(by).select_related("current_organisation").filter(pk=teacher_id).first()
    )
    if teacher is None:
        raise _not_found()
    return teacher
