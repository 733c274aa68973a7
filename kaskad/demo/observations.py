"""Demo lesson observations in the demo branch, made through the observation services: teachers
observed and observed again (scores that mostly rise, priorities that improve), lessons
coded a second time by the coordinator for the agreement report, and one observation the demo
teacher has acknowledged and one still waiting for them."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import ngettext

from kaskad.accounts.models import User
from kaskad.observations.models import Element, InstrumentVersion, Observation, VersionStatus
from kaskad.observations.services import (
    ObservationData,
    ScoreInput,
    observation_acknowledge,
    observation_record,
)
from kaskad.registry.models import Person

DEMO_BRANCH = "AST"
NAMESPACE = uuid.UUID("6f1c2b1e-7a43-4c55-9d7e-0b5d5f0e6a01")  # demo submission ids
SUBJECTS = ("mathematics", "kazakh_language", "physics", "history", "english", "biology")
FOCUSES = (
    "Comparing fractions with unlike denominators",
    "Writing an argument: claim, evidence, reasoning",
    "Newton's second law in everyday motion",
    "Sources on the Kazakh Khanate: who wrote them and why",
    "Talking about plans: the future with “going to”",
    "Photosynthesis: what the plant takes in and gives out",
)
EVIDENCE = (
    "Most pupils answered in pairs before the class discussion.",
    "The teacher asked three pupils and moved on; others were silent.",
    "Success criteria were on the board and pupils ticked them off.",
    "Pupils with the harder task explained their method to the group.",
    "Routines were clear: materials were handed out in under a minute.",
    "Exit tickets showed who needed help; the teacher noted names.",
)


def _client_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def _scores(
    elements: list[Element], rng: random.Random, base: dict[int, int], lift: int
) -> list[ScoreInput]:
    out = []
    for element in elements:
        value = max(1, min(element.scale_max, base[element.pk] + lift + rng.choice((-1, 0, 0, 1))))
        out.append(ScoreInput(element.pk, value, rng.choice(EVIDENCE)))
    return out


def seed_observations(*, today: date | None = None) -> list[str]:
    """Returns what was made, as short phrases (empty when it was there already)."""
    today = today or timezone.localdate()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["trainer", "coordinator", "teacher"])
    }
    trainer, coordinator = users.get("trainer"), users.get("coordinator")
    demo_teacher = users.get("teacher")
    version = (
        InstrumentVersion.objects.filter(instrument__code="KLO", status=VersionStatus.PUBLISHED)
        .order_by("number")
        .first()
    )
    if trainer is None or coordinator is None or version is None:
        return []
    if Observation.objects.filter(branch__code=DEMO_BRANCH).exists():
        return []
    elements = list(version.elements.order_by("domain__order", "order"))
    rng = random.Random(13)
    teachers: list[Person] = []
    if demo_teacher is not None and demo_teacher.person is not None:
        teachers.append(demo_teacher.person)
        school_id = demo_teacher.person.current_organisation_id
        teachers += list(
            Person.objects.filter(
                current_organisation_id=school_id,
                employments__ended_on__isnull=True,
                employments__position="teacher",
            )
            .exclude(pk=demo_teacher.person.pk)
            .exclude(user__isnull=False)
            .order_by("iin")[:5]
        )
    made = 0
    second = 0
    for index, teacher in enumerate(teachers):
        base = {e.pk: rng.choice((2, 2, 3, 3, 4)) for e in elements}
        subject = SUBJECTS[index % len(SUBJECTS)]
        focus = FOCUSES[index % len(FOCUSES)]
        priorities = rng.sample([e.pk for e in elements if base[e.pk] <= 3] or [elements[0].pk], 2)
        first_day = today - timedelta(days=120 - index * 3)
        first, _ = observation_record(
            by=trainer,
            data=ObservationData(
                client_id=_client_id("first", teacher.pk),
                version_id=version.pk,
                teacher_id=teacher.pk,
                subject=subject,
                grade=5 + index,
                observed_on=first_day,
                focus=focus,
                strengths="Warm relationships; pupils are not afraid to ask.",
                next_steps="Plan two hinge questions and act on the answers.",
                priority_element_ids=priorities,
                scores=_scores(elements, rng, base, 0),
            ),
        )
        made += 1
        if index < 4:
            # The coordinator codes the same lesson independently.
            observation_record(
                by=coordinator,
                data=ObservationData(
                    client_id=_client_id("second", teacher.pk),
                    version_id=version.pk,
                    teacher_id=teacher.pk,
                    subject=subject,
                    grade=5 + index,
                    observed_on=first_day,
                    focus=focus,
                    scores=_scores(elements, rng, base, 0),
                    double_of_id=first.pk,
                ),
            )
            second += 1
        if index == 0 and demo_teacher is not None:
            observation_acknowledge(
                observation=first,
                by=demo_teacher,
                reflection=(
                    "I will check the understanding of the whole class, "
                    "not only of the first hands up."
                ),
            )
        if index < 5:
            lifted = {pk: base[pk] + (1 if pk in priorities else 0) for pk in base}
            observation_record(
                by=trainer,
                data=ObservationData(
                    client_id=_client_id("repeat", teacher.pk),
                    version_id=version.pk,
                    teacher_id=teacher.pk,
                    subject=subject,
                    grade=5 + index,
                    observed_on=first_day + timedelta(days=70),
                    focus=focus,
                    strengths="Hinge questions used; the teacher changed the plan mid-lesson.",
                    next_steps="Let pupils set their own next step at the end of the lesson.",
                    priority_element_ids=priorities,
                    scores=_scores(elements, rng, lifted, 1 if index % 3 else 0),
                    previous_id=first.pk,
                ),
            )
            made += 1
    if not made:
        return []
    return [
        ngettext("%(n)s lesson observation", "%(n)s lesson observations", made) % {"n": made},
        ngettext("%(n)s second coding", "%(n)s second codings", second) % {"n": second},
    ]
