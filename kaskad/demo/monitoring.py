"""A demo monitoring study in the style of the Rural School project: Grade 4 mathematics,
20 tasks, about 150 pupils of five schools (one small school, whose results comparisons
suppress), with responses simulated from a Rasch model (fixed seed) and imported through
the same file import the monitoring officers use."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from kaskad.accounts.models import RoleAssignment, User
from kaskad.core.roles import Role
from kaskad.monitoring.imports import KeyRow
from kaskad.monitoring.models import Subject, TestForm
from kaskad.monitoring.services import (
    form_create,
    items_replace,
    responses_import,
    study_create,
)
from kaskad.registry.choices import OrganisationKind
from kaskad.registry.models import Organisation

FORM_CODE = "RS-G4-MATH"
SEED = 20261205
SCHOOL_SIZES = (40, 36, 34, 32, 8)
# The centre writes its Grade 4 tests in Kazakh first: strands and skills as its authors name them.
STRANDS = ("Сандар және амалдар", "Шамалар", "Геометрия", "Деректермен жұмыс")
SKILLS = ("Білу", "Қолдану", "Пайымдау")
LETTERS = "ABCD"
# (strand, skill, intended difficulty, Rasch difficulty, key or max score)
ITEMS: tuple[tuple[int, int, str, float, str], ...] = (
    (0, 0, "easy", -3.6, "B"),  # nearly everyone right: flagged "very easy"
    (0, 0, "easy", -1.6, "C"),
    (0, 1, "easy", -1.2, "A"),
    (0, 1, "medium", -0.4, "D"),
    (0, 2, "medium", 0.2, "B"),
    (0, 1, "medium", 0.0, "2"),  # partial credit 0–2
    (1, 0, "easy", -1.0, "A"),
    (1, 1, "medium", -0.2, "C"),
    (1, 1, "medium", 0.5, "D"),
    (1, 2, "hard", 1.4, "B"),
    (2, 0, "easy", -0.8, "D"),
    (2, 1, "medium", 0.3, "A"),
    (2, 2, "hard", 1.1, "C"),  # answers random: flagged for low discrimination
    (2, 2, "hard", 2.9, "B"),  # hardly anyone right: flagged "very hard"
    (3, 0, "easy", -1.4, "A"),
    (3, 1, "medium", -0.1, "C"),
    (3, 1, "medium", 0.6, "D"),
    (3, 2, "hard", 1.2, "A"),
    (3, 2, "hard", 0.9, "2"),  # partial credit 0–2
    (0, 2, "hard", 1.6, "B"),
)
RANDOM_ITEM = 12


def _runner() -> User | None:
    return (
        User.objects.filter(username="monitor").first()
        or User.objects.filter(username="admin").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )


def _schools() -> list[Organisation]:
    """The demo school leader's school first (they see its reports), then rural schools."""
    led = (
        RoleAssignment.objects.filter(role=Role.SCHOOL_LEADER, organisation__isnull=False)
        .order_by("pk")
        .values_list("organisation_id", flat=True)
        .first()
    )
    schools = list(Organisation.objects.filter(pk=led)) if led else []
    others = (
        Organisation.objects.filter(kind=OrganisationKind.SCHOOL, is_open=True)
        .exclude(pk__in=[s.pk for s in schools])
        # rural schools first ("rural" sorts before "urban"): the study is about them
        .order_by("locality", "code")
    )
    schools.extend(others[: len(SCHOOL_SIZES) - len(schools)])
    return schools


def simulate(n_pupils: int, rng: np.random.Generator) -> list[list[str]]:
    """Raw answers of `n_pupils` pupils: letters for multiple-choice items (a wrong answer
    is a random distractor), scores for partial-credit items, a few left blank."""
    theta = rng.normal(0.2, 1.1, n_pupils)
    rows: list[list[str]] = []
    for ability in theta:
        row: list[str] = []
        for j, (_strand, _skill, _level, difficulty, key) in enumerate(ITEMS):
            if rng.random() < 0.02:
                row.append("")
                continue
            if key.isdigit():
                # partial credit: two equal steps around the difficulty
                steps = (difficulty - 0.5, difficulty + 0.5)
                logits = np.array([0.0, ability - steps[0], 2 * ability - steps[0] - steps[1]])
                p = np.exp(logits - logits.max())
                row.append(str(int(rng.choice(3, p=p / p.sum()))))
                continue
            if j == RANDOM_ITEM:
                right = rng.random() < 0.3
            else:
                right = rng.random() < 1 / (1 + np.exp(-(ability - difficulty)))
            if right:
                row.append(key)
            else:
                row.append(str(rng.choice([c for c in LETTERS if c != key])))
        rows.append(row)
    return rows


def seed_monitoring() -> list[str]:
    """Make the demo study once; returns what was made (empty when it was there already)."""
    if TestForm.objects.filter(code=FORM_CODE).exists():
        return []
    by = _runner()
    schools = _schools()
    if by is None or len(schools) < 2:
        return []
    form = form_create(
        by=by,
        code=FORM_CODE,
        title="Mathematics, grade 4",
        subject=Subject.MATHEMATICS,
        grade=4,
        minutes=40,
        titles={
            "kk": "Математика, 4-сынып",
            "ru": "Математика, 4 класс",
            "en": "Mathematics, grade 4",
        },
    )
    items_replace(
        form=form,
        rows=[
            KeyRow(
                position=n,
                key="" if key.isdigit() else key,
                max_score=int(key) if key.isdigit() else 1,
                strand=STRANDS[strand],
                skill=SKILLS[skill],
                difficulty=level,
            )
            for n, (strand, skill, level, _difficulty, key) in enumerate(ITEMS, start=1)
        ],
        by=by,
    )
    year = timezone.localdate().year
    study = study_create(
        by=by,
        name="Rural School monitoring",
        names={
            "kk": "Ауыл мектебі: мониторинг",
            "ru": "Сельская школа: мониторинг",
            "en": "Rural School monitoring",
        },
        year=year,
        grades=[4],
        schools=schools,
        forms=[form],
    )
    test = study.tests.get()
    rng = np.random.default_rng(SEED)
    n_pupils = 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "responses.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["school", "class", "pupil", "sex", "language", *[str(n) for n in range(1, 21)]]
            )
            for school, size in zip(schools, SCHOOL_SIZES, strict=False):
                language = (school.languages or ["kk"])[0] if school.languages else "kk"
                for i, answers in enumerate(simulate(size, rng)):
                    label = "4A" if i < (size + 1) // 2 else "4B"
                    writer.writerow(
                        [
                            school.code,
                            label,
                            f"{label}-{i + 1:02d}",
                            "F" if rng.random() < 0.5 else "M",
                            language if language in ("kk", "ru") else "kk",
                            *answers,
                        ]
                    )
                    n_pupils += 1
        responses_import(study_test=test, path=path, original_name=path.name, by=by)
    return [_("a monitoring study of %(n)s pupils") % {"n": n_pupils}]
