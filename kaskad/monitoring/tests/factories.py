"""Monitoring data for tests: a study of two schools with a five-item test."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.monitoring.imports import KeyRow
from kaskad.monitoring.models import Study, StudyTest, TestForm
from kaskad.monitoring.services import form_create, items_replace, study_create
from kaskad.registry.models import Organisation
from kaskad.registry.tests.factories import area_of, make_organisation

KEY = "ABCDA"  # items 1–5 multiple choice; item 6 partial credit 0–2


def make_monitor() -> User:
    return make_user(roles=[(Role.MONITORING_OFFICER, None)])


_codes = iter(range(1, 10_000))


def make_form(*, by: User, grade: int = 4, partial: bool = True) -> TestForm:
    form = form_create(
        by=by, code=f"T{next(_codes)}", title="Maths", subject="mathematics", grade=grade
    )
    rows = [
        KeyRow(
            position=n,
            key=k,
            max_score=1,
            strand="Numbers" if n <= 3 else "Geometry",
            skill="Knowing",
            difficulty="easy",
        )
        for n, k in enumerate(KEY, start=1)
    ]
    if partial:
        rows.append(
            KeyRow(
                position=6,
                key="",
                max_score=2,
                strand="Geometry",
                skill="Reasoning",
                difficulty="hard",
            )
        )
    items_replace(form=form, rows=rows, by=by)
    return form


@dataclass
class World:
    monitor: User
    study: Study
    test: StudyTest
    school_a: Organisation
    school_b: Organisation


def make_world() -> World:
    monitor = make_monitor()
    school_a = make_organisation(area=area_of("AST"))
    school_b = make_organisation(area=area_of("ALA"))
    form = make_form(by=monitor)
    study = study_create(
        by=monitor, name="Rural", year=2026, grades=[4], schools=[school_a, school_b], forms=[form]
    )
    return World(monitor, study, study.tests.get(), school_a, school_b)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


HEADER = ["school", "class", "pupil", "sex", "language", "1", "2", "3", "4", "5", "6"]
