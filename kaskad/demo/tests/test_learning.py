"""The demo's online courses: kk and ru, the teacher part-way through the Kazakh one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from kaskad.learning.models import Attempt, Course, Enrolment

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_demo_courses_and_the_teacher_part_way(tmp_path: Path) -> None:
    call_command(
        "seed",
        scale="demo",
        seed=5,
        people=400,
        organisations=30,
        out=tmp_path,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    codes = set(Course.objects.values_list("code", flat=True))
    assert {"MOOC-ONLINE-KK", "MOOC-ONLINE-RU", "MOOC-PARENT-RU"} <= codes
    assert Course.objects.get(code="MOOC-PARENT-RU").is_public
    enrolment = Enrolment.objects.get(course__code="MOOC-ONLINE-KK", user__username="teacher")
    assert enrolment.status == "active"
    assert 0 < enrolment.steps_done < enrolment.version.step_count
    # A quiz failed once, then passed: two attempts on that step.
    assert Attempt.objects.filter(progress__enrolment=enrolment, number=2).exists()
