"""The background rebuild's pace: it works at most its duty of the time."""

from __future__ import annotations

import time

from django.test import override_settings

from kaskad.reports.readmodels import Pace, background_pace


def test_a_full_duty_never_pauses() -> None:
    pace = Pace(1.0)
    started = time.monotonic()
    pace()
    assert time.monotonic() - started < 0.05


def test_a_step_is_followed_by_a_pause_in_proportion_to_its_work() -> None:
    pace = Pace(0.25)
    time.sleep(0.04)  # a step's work
    started = time.monotonic()
    pace()
    # 0.04 s of work at a duty of a quarter: at least 0.12 s of pause (a sleep is never shorter).
    assert time.monotonic() - started >= 0.12


@override_settings(KASKAD_REPORTS_REBUILD_DUTY=0.5)
def test_the_background_duty_comes_from_the_settings() -> None:
    assert background_pace().duty == 0.5


def test_a_duty_out_of_range_is_brought_into_it() -> None:
    assert Pace(7).duty == 1.0
    assert Pace(0).duty == 0.01
