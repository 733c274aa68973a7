import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaskad.surveys.expressions import ExpressionError, evaluate, holds, parse, references


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("${a} = 'yes'", {"a": "yes"}, True),
        ("${a} = 'yes'", {"a": "no"}, False),
        ("${a} = 'yes'", {}, False),
        ("${a} != 'yes'", {}, True),
        ("${n} > 3 and ${n} <= 10", {"n": 5.0}, True),
        ("${n} > 3 and ${n} <= 10", {"n": "11"}, False),
        ("${n} > 3", {}, False),  # no answer is never greater
        ("not(${a} = 'x') or ${b} = 1", {"a": "x", "b": 1.0}, True),
        ("selected(${t}, 'maths')", {"t": "maths sport"}, True),
        ("selected(${t}, 'math')", {"t": "maths sport"}, False),
        ("count-selected(${t}) >= 2", {"t": "maths sport"}, True),
        ("string-length(${c}) < 4", {"c": "abc"}, True),
        ("(${n} + 2) * 3 = 15", {"n": 3.0}, True),
        ("${n} div 2 = 2.5 and ${n} mod 2 = 1", {"n": 5.0}, True),
        ("-${n} < 0", {"n": 2.0}, True),
    ],
)
def test_evaluates_the_subset(text: str, values: dict, expected: bool) -> None:
    assert holds(parse(text), values) is expected


def test_dot_is_the_answer_in_constraints_only() -> None:
    tree = parse(". >= 6 and . <= 18", allow_dot=True)
    assert holds(tree, {}, 10.0)
    assert not holds(tree, {}, 19.0)
    with pytest.raises(ExpressionError, match="constraints only"):
        parse(". > 1")


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("today() > 1", 0),
        ("${a} = ", 6),
        ("${a} == 'x'", 6),
        ("/data/a = 1", 0),
        ("regex(${a}, '^x')", 0),
        ("${a} = 'x' or", 13),
        ("__import__('os')", 0),
    ],
)
def test_refuses_what_is_outside_the_subset(text: str, position: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.position == position


def test_references() -> None:
    assert references(parse("${a} = 1 and selected(${b}, 'x') or ${a} > 2")) == {"a", "b"}


def test_division_by_zero_is_not_a_number() -> None:
    assert math.isnan(evaluate(parse("${n} div 0"), {"n": 1.0}))


@given(st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_comparisons_agree_with_python(a: int, b: int) -> None:
    values = {"a": float(a), "b": float(b)}
    assert holds(parse("${a} < ${b}"), values) is (a < b)
    assert holds(parse("${a} >= ${b}"), values) is (a >= b)
    assert holds(parse("${a} + ${b} = " + str(a + b)), values)
