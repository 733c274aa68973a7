"""Double entry of paper forms: two operators, agreement scores, a mismatch waits."""

from __future__ import annotations

import pytest

from kaskad.core.errors import DomainError, StateConflict
from kaskad.monitoring.models import PaperEntry, Response
from kaskad.monitoring.selectors import paper_mismatches
from kaskad.monitoring.services import paper_entry_save, response_save
from kaskad.monitoring.tests.factories import make_monitor, make_world

pytestmark = pytest.mark.django_db


def _enter(world, by, answers, code="P1"):
    return paper_entry_save(
        study_test=world.test,
        school=world.school_a,
        class_label="4A",
        code=code,
        answers=list(answers),
        by=by,
    )


def test_two_agreeing_entries_are_scored() -> None:
    world = make_world()
    second = make_monitor()
    assert _enter(world, world.monitor, "ABCDA2").matched is None
    assert not Response.objects.exists()
    outcome = _enter(world, second, "abcda2")
    assert outcome.matched is True
    assert Response.objects.get().total == 7


def test_the_second_entry_needs_another_operator() -> None:
    world = make_world()
    _enter(world, world.monitor, "ABCDA2")
    with pytest.raises(StateConflict) as caught:
        _enter(world, world.monitor, "ABCDA2")
    assert caught.value.code == "same_operator"


def test_a_mismatch_is_listed_until_resolved() -> None:
    world = make_world()
    second = make_monitor()
    _enter(world, world.monitor, "ABCDA2")
    outcome = _enter(world, second, "ABBDA1")
    assert outcome.matched is False and outcome.differing == [3, 6]
    [mismatch] = paper_mismatches(study_test=world.test)
    assert mismatch["items"] == [3, 6]
    assert not Response.objects.exists()
    pupil = PaperEntry.objects.first().pupil  # type: ignore[union-attr]
    response_save(study_test=world.test, pupil=pupil, answers=list("ABCDA2"), by=world.monitor)
    assert paper_mismatches(study_test=world.test) == []
    assert Response.objects.get().total == 7


def test_bad_entries_are_refused() -> None:
    world = make_world()
    with pytest.raises(DomainError) as caught:
        _enter(world, world.monitor, "ABCD")
    assert caught.value.code == "wrong_item_count"
    with pytest.raises(DomainError) as caught:
        _enter(world, world.monitor, "ABCDX1")
    assert caught.value.code == "answer_not_an_option"
    assert not PaperEntry.objects.exists()
