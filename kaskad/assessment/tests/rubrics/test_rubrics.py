"""Rubrics: creation with every descriptor in three languages, the policy, the stated rating
rule (property-based) and the standard seed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import Criterion, CriterionLevel, Rating, Rubric
from kaskad.assessment.rubrics.services import (
    STANDARD_CRITERIA,
    CriterionData,
    Policy,
    RubricConflict,
    overall_rating,
    rubric_create,
    rubric_update_policy,
    rule_text,
    seed_rubrics,
)
from kaskad.assessment.tests.factories import make_rubric
from kaskad.core.errors import DomainError, PermissionDeniedError
from kaskad.core.models import AuditEntry
from kaskad.delivery.tests.factories import coordinator_of, make_version, national_admin


@dataclass
class Rule:
    max_level: int
    good_mean: Decimal


# --- The rule -----------------------------------------------------------------------------------


def test_the_rule_on_examples() -> None:
    rule = Rule(3, Decimal("2.5"))
    assert overall_rating([1, 3, 3, 3], rule) == Rating.UNSATISFACTORY
    assert overall_rating([2, 2, 2, 2], rule) == Rating.SATISFACTORY
    assert overall_rating([2, 3, 2, 3], rule) == Rating.GOOD  # mean exactly 2.5
    assert overall_rating([2, 3, 2, 2], rule) == Rating.SATISFACTORY  # 2.25
    assert overall_rating([3], rule) == Rating.GOOD


@pytest.mark.parametrize("levels", [[], [0, 2], [4, 2], [2, 2.5]])
def test_the_rule_refuses_levels_outside_the_scale(levels: list) -> None:
    with pytest.raises(ValueError):
        overall_rating(levels, Rule(3, Decimal("2.5")))


@st.composite
def rubric_and_levels(draw: st.DrawFn) -> tuple[Rule, list[int]]:
    max_level = draw(st.integers(min_value=2, max_value=6))
    hundredths = draw(st.integers(min_value=200, max_value=max_level * 100))
    levels = draw(st.lists(st.integers(min_value=1, max_value=max_level), min_size=1, max_size=12))
    return Rule(max_level, Decimal(hundredths) / 100), levels


@given(rubric_and_levels())
def test_any_level_1_is_unsatisfactory(case: tuple[Rule, list[int]]) -> None:
    rule, levels = case
    rating = overall_rating(levels, rule)
    assert (rating == Rating.UNSATISFACTORY) == (1 in levels)


@given(rubric_and_levels())
def test_good_exactly_when_all_pass_and_the_mean_reaches_the_threshold(
    case: tuple[Rule, list[int]],
) -> None:
    rule, levels = case
    rating = overall_rating(levels, rule)
    mean_reaches = Decimal(sum(levels)) / len(levels) >= rule.good_mean
    assert (rating == Rating.GOOD) == (min(levels) >= 2 and mean_reaches)
    if min(levels) >= 2 and not mean_reaches:
        assert rating == Rating.SATISFACTORY


@given(rubric_and_levels(), st.data())
def test_raising_a_level_never_lowers_the_rating(
    case: tuple[Rule, list[int]], data: st.DataObject
) -> None:
    rule, levels = case
    order = [Rating.UNSATISFACTORY, Rating.SATISFACTORY, Rating.GOOD]
    index = data.draw(st.integers(min_value=0, max_value=len(levels) - 1))
    if levels[index] == rule.max_level:
        return
    better = [*levels]
    better[index] += 1
    assert order.index(overall_rating(better, rule)) >= order.index(overall_rating(levels, rule))


@given(rubric_and_levels(), st.randoms())
def test_the_order_of_criteria_does_not_matter(case: tuple[Rule, list[int]], rnd) -> None:
    rule, levels = case
    shuffled = [*levels]
    rnd.shuffle(shuffled)
    assert overall_rating(shuffled, rule) == overall_rating(levels, rule)


def test_the_rule_is_stated_in_words() -> None:
    lines = rule_text(Rule(3, Decimal("2.50")))
    assert lines[0] == "Unsatisfactory: any criterion is at level 1."
    assert "at least 2.5 (of 3)" in lines[1]


# --- Creation -----------------------------------------------------------------------------------


def _criterion(max_level: int = 3, **missing: str) -> CriterionData:
    title = {"kk": "Жоспарлау", "ru": "Планирование", "en": "Planning"}
    title.update(missing)
    return CriterionData(
        title=title,
        levels={
            level: {"kk": f"деңгей {level}", "ru": f"уровень {level}", "en": f"level {level}"}
            for level in range(1, max_level + 1)
        },
    )


@pytest.mark.django_db
def test_rubric_create_writes_criteria_and_descriptors_in_three_languages() -> None:
    version = make_version()
    admin = national_admin()
    rubric = rubric_create(
        version=version,
        criteria=list(STANDARD_CRITERIA),
        by=admin,
        policy=Policy(same_branch_is_conflict=True, marking_days=5),
    )
    assert rubric.criteria.count() == 4
    assert CriterionLevel.objects.filter(criterion__rubric=rubric).count() == 12
    first = Criterion.objects.get(rubric=rubric, order=1)
    assert (first.title_kk, first.title_ru, first.title_en) == (  # type: ignore[attr-defined]
        "Сабақты жоспарлау",
        "Планирование уроков",
        "Lesson planning",
    )
    level = first.levels.get(level=3)
    assert level.descriptor_ru.startswith("Целостная серия уроков")  # type: ignore[attr-defined]
    assert rubric.same_branch_is_conflict and rubric.marking_days == 5
    assert AuditEntry.objects.filter(object_type="assessment.rubric", action="create").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("criteria", "code"),
    [
        ([], "rubric_without_criteria"),
        ([_criterion(ru="")], "criterion_title_missing"),
        ([_criterion(max_level=2)], "criterion_levels_mismatch"),
    ],
)
def test_rubric_create_refuses_incomplete_criteria(criteria: list, code: str) -> None:
    version = make_version()
    with pytest.raises(DomainError) as error:
        rubric_create(version=version, criteria=criteria, by=national_admin())
    assert error.value.code == code
    assert not Rubric.objects.exists() and not Criterion.objects.exists()


@pytest.mark.django_db
def test_a_missing_descriptor_is_named() -> None:
    criterion = _criterion()
    criterion.levels[2]["kk"] = " "  # type: ignore[index]
    with pytest.raises(DomainError) as error:
        rubric_create(version=make_version(), criteria=[criterion], by=national_admin())
    assert error.value.code == "descriptor_missing"
    assert str(error.value.message) == "Level 2 of criterion 1 has no descriptor in Kazakh."
    assert not Rubric.objects.exists()


@pytest.mark.django_db
def test_rubric_create_refuses_bad_policy_and_rule() -> None:
    version = make_version()
    admin = national_admin()
    with pytest.raises(DomainError) as error:
        rubric_create(
            version=version, criteria=[_criterion()], by=admin, policy=Policy(marking_days=0)
        )
    assert error.value.code == "policy_out_of_range" and error.value.field == "marking_days"
    with pytest.raises(DomainError) as error:
        rubric_create(version=version, criteria=[_criterion()], by=admin, good_mean="3.5")
    assert error.value.code == "good_mean_out_of_range"
    assert not Rubric.objects.exists()


@pytest.mark.django_db
def test_rubric_create_refuses_versions_without_assessment_duplicates_and_non_admins() -> None:
    admin = national_admin()
    none = make_version(assessment_scheme="none")
    with pytest.raises(DomainError) as error:
        rubric_create(version=none, criteria=[_criterion()], by=admin)
    assert error.value.code == "version_without_assessment"
    version = make_version()
    with pytest.raises(PermissionDeniedError):
        rubric_create(version=version, criteria=[_criterion()], by=coordinator_of("ALA"))
    rubric_create(version=version, criteria=[_criterion()], by=admin)
    with pytest.raises(RubricConflict) as conflict:
        rubric_create(version=version, criteria=[_criterion()], by=admin)
    assert conflict.value.code == "rubric_exists"
    assert Rubric.objects.count() == 1


# --- Policy -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rubric_update_policy_changes_only_what_is_given_and_audits_it() -> None:
    rubric = make_rubric(version=make_version())
    rubric_update_policy(
        rubric=rubric, by=national_admin(), second_marking_percent=25, same_branch_is_conflict=True
    )
    rubric.refresh_from_db()
    assert rubric.second_marking_percent == 25 and rubric.same_branch_is_conflict
    assert rubric.marking_days == 7
    entry = AuditEntry.objects.get(object_type="assessment.rubric", action="update")
    assert entry.changes["second_marking_percent"] == [10, 25]


@pytest.mark.django_db
def test_rubric_update_policy_refuses_bad_values_and_writes_nothing() -> None:
    rubric = make_rubric(version=make_version())
    with pytest.raises(DomainError) as error:
        rubric_update_policy(rubric=rubric, by=national_admin(), second_marking_percent=101)
    assert error.value.field == "second_marking_percent"
    with pytest.raises(PermissionDeniedError):
        rubric_update_policy(rubric=rubric, by=make_user(roles=[(Role.TEACHER, None)]))
    rubric.refresh_from_db()
    assert rubric.second_marking_percent == 10
    assert not AuditEntry.objects.filter(object_type="assessment.rubric").exists()


# --- Seed ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_rubrics_covers_every_approved_assessed_version_once() -> None:
    assessed = make_version()
    make_version(assessment_scheme="none")
    make_version(status="draft")
    already = make_version()
    make_rubric(version=already)

    first = seed_rubrics()
    assert first.created == [assessed.pk] and first.skipped == 1
    rubric = Rubric.objects.get(version=assessed)
    assert [c.title_en for c in rubric.criteria.all()] == [  # type: ignore[attr-defined]
        "Lesson planning",
        "Assessment for learning",
        "Reflection on practice",
        "Impact on pupils' learning",
    ]
    for criterion in rubric.criteria.all():
        for level in criterion.levels.all():
            assert level.descriptor_kk and level.descriptor_ru and level.descriptor_en  # type: ignore[attr-defined]

    again = seed_rubrics()
    assert again.created == [] and again.skipped == 2
    assert Rubric.objects.count() == 2
