"""Tests for kaskad.learning.steps (pure Python, no database).

Property tests (hypothesis) for every quiz kind: the correct reply scores 1
for every variant, scores stay in [0, 1], a variant is deterministic per seed
and a permutation, and a reply means the same whatever the shuffling.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaskad.learning import steps
from kaskad.learning.steps import ReplyError, StepDefinitionError, check, normalise_text

# --------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------

_LETTERS = "abcxyzабвгдеёжқңөұүһәіАБQZ "
seeds = st.one_of(st.integers(min_value=0, max_value=2**64), st.text(max_size=12))


def _texts(n_min: int, n_max: int) -> st.SearchStrategy[list[str]]:
    word = st.text(alphabet=_LETTERS, min_size=1, max_size=8).filter(lambda t: t.strip())
    return st.lists(
        word,
        min_size=n_min,
        max_size=n_max,
        unique_by=lambda t: normalise_text(t, case_sensitive=True),
    )


@st.composite
def single_choices(draw: Any) -> dict[str, Any]:
    texts = draw(_texts(2, 6))
    correct = draw(st.integers(0, len(texts) - 1))
    options = []
    for i, t in enumerate(texts):
        w = 100 if i == correct else draw(st.sampled_from([0, 0, -100, -50, 25, 50]))
        options.append({"text": t, "weight": w, "feedback": draw(st.none() | st.just(f"fb{i}"))})
    return {"kind": "single_choice", "prompt": "Q?", "options": options}


@st.composite
def multiple_choices(draw: Any) -> dict[str, Any]:
    texts = draw(_texts(2, 6))
    n = len(texts)
    k = draw(st.integers(1, n))
    positives = draw(st.permutations(range(n)))[:k]
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=k - 1, max_size=k - 1, unique=True)))
    shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    weights = {i: float(s) for i, s in zip(positives, shares, strict=True)}
    options = [
        {"text": t, "weight": weights.get(i, draw(st.sampled_from([0.0, -50.0, -100.0])))}
        for i, t in enumerate(texts)
    ]
    return {"kind": "multiple_choice", "prompt": "Q?", "options": options}


@st.composite
def true_falses(draw: Any) -> dict[str, Any]:
    return {"kind": "true_false", "prompt": "Q?", "answer": draw(st.booleans())}


@st.composite
def short_texts(draw: Any) -> dict[str, Any]:
    texts = draw(_texts(1, 4))
    answers = [{"text": t, "weight": 100 if i == 0 else 50} for i, t in enumerate(texts)]
    return {"kind": "short_text", "prompt": "Q?", "answers": answers}


@st.composite
def numbers(draw: Any) -> dict[str, Any]:
    value = draw(st.floats(-1e6, 1e6, allow_nan=False))
    first: dict[str, Any]
    if draw(st.booleans()):
        first = {"value": value, "tolerance": draw(st.floats(0, 10))}
    else:
        first = {"min": value, "max": value + draw(st.floats(0, 10))}
    extra = {"value": value + 100, "tolerance": 1.0, "weight": 50}
    return {"kind": "number", "prompt": "Q?", "answers": [first, extra]}


@st.composite
def matchings(draw: Any) -> dict[str, Any]:
    left = draw(_texts(2, 6))
    right = draw(_texts(len(left), len(left)))
    return {"kind": "matching", "prompt": "Match", "left": left, "right": right}


@st.composite
def orderings(draw: Any) -> dict[str, Any]:
    return {"kind": "ordering", "prompt": "Order", "items": draw(_texts(2, 6))}


@st.composite
def fill_gaps(draw: Any) -> dict[str, Any]:
    segments: list[Any] = []
    for _ in range(draw(st.integers(1, 3))):
        segments.append(draw(st.text(alphabet=_LETTERS, max_size=6)))
        gap = dict(draw(st.one_of(short_texts(), single_choices(), numbers())))
        del gap["prompt"]
        segments.append({"gap": gap, "weight": draw(st.sampled_from([1, 2, 0.5]))})
    return {"kind": "fill_gaps", "segments": segments}


QUIZ_KINDS = {
    "single_choice": single_choices(),
    "multiple_choice": multiple_choices(),
    "true_false": true_falses(),
    "short_text": short_texts(),
    "number": numbers(),
    "matching": matchings(),
    "ordering": orderings(),
    "fill_gaps": fill_gaps(),
}


# --------------------------------------------------------------------------
# Replies in terms of the original definition, and their display form
# --------------------------------------------------------------------------


def original_reply(draw: Any, d: dict[str, Any]) -> Any:
    kind = d["kind"]
    if kind == "single_choice":
        return draw(st.integers(0, len(d["options"]) - 1))
    if kind == "multiple_choice":
        return draw(st.sets(st.integers(0, len(d["options"]) - 1)))
    if kind == "true_false":
        return draw(st.booleans())
    if kind == "short_text":
        return draw(st.sampled_from([a["text"] for a in d["answers"]]) | st.text(max_size=5))
    if kind == "number":
        return draw(st.floats(-2e6, 2e6, allow_nan=False))
    if kind == "matching":
        n = len(d["left"])
        return [draw(st.none() | st.integers(0, n - 1)) for _ in range(n)]
    if kind == "ordering":
        return draw(st.permutations(range(len(d["items"]))))
    gaps = [s["gap"] for s in d["segments"] if isinstance(s, dict)]
    return [original_reply(draw, {"prompt": "", **g}) for g in gaps]


def displayed(d: dict[str, Any], v: dict[str, Any], original: Any) -> dict[str, Any]:
    kind = d["kind"]
    if kind == "single_choice":
        return {"choice": v["order"].index(original)}
    if kind == "multiple_choice":
        return {"choices": sorted(v["order"].index(i) for i in original)}
    if kind == "true_false":
        return {"value": original}
    if kind == "short_text":
        return {"text": original}
    if kind == "number":
        return {"value": original}
    if kind == "matching":
        lo, ro = v["left"], v["right"]
        return {"matches": [None if original[i] is None else ro.index(original[i]) for i in lo]}
    if kind == "ordering":
        return {"order": [v["order"].index(i) for i in original]}
    gaps = [s["gap"] for s in d["segments"] if isinstance(s, dict)]
    return {
        "gaps": [
            displayed({"prompt": "", **g}, gv, o)
            for g, gv, o in zip(gaps, v["gaps"], original, strict=True)
        ]
    }


def permutations_of(d: dict[str, Any], v: dict[str, Any]) -> list[tuple[list[int], int]]:
    kind = d["kind"]
    if kind in ("single_choice", "multiple_choice"):
        return [(v["order"], len(d["options"]))]
    if kind == "matching":
        return [(v["left"], len(d["left"])), (v["right"], len(d["right"]))]
    if kind == "ordering":
        return [(v["order"], len(d["items"]))]
    if kind == "fill_gaps":
        gaps = [s["gap"] for s in d["segments"] if isinstance(s, dict)]
        return [
            p
            for g, gv in zip(gaps, v["gaps"], strict=True)
            for p in permutations_of({"prompt": "", **g}, gv)
        ]
    assert v == {}
    return []


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------


PROPERTY = settings(max_examples=60, deadline=None)
each_kind = pytest.mark.parametrize("kind", sorted(QUIZ_KINDS))


@each_kind
@PROPERTY
@given(seed=seeds, data=st.data())
def test_the_correct_reply_scores_one_in_every_variant(kind: str, seed: Any, data: Any) -> None:
    d = data.draw(QUIZ_KINDS[kind])
    steps.validate(d)
    v = steps.variant(d, seed)
    reply = steps.correct_reply(d, v)
    result = check(d, v, json.loads(json.dumps(reply)))
    assert result.score == 1.0
    assert result.correct


@each_kind
@PROPERTY
@given(seed=seeds, data=st.data())
def test_score_is_always_between_zero_and_one(kind: str, seed: Any, data: Any) -> None:
    d = data.draw(QUIZ_KINDS[kind])
    v = steps.variant(d, seed)
    result = check(d, v, displayed(d, v, original_reply(data.draw, d)))
    assert 0.0 <= result.score <= 1.0
    assert result.correct == (result.score == 1.0)
    assert all(0.0 <= p.score <= 1.0 for p in result.parts)


@each_kind
@PROPERTY
@given(seed=seeds, data=st.data())
def test_variant_is_deterministic_and_a_permutation(kind: str, seed: Any, data: Any) -> None:
    d = data.draw(QUIZ_KINDS[kind])
    v = steps.variant(d, seed)
    assert steps.variant(json.loads(json.dumps(d)), seed) == v
    assert json.loads(json.dumps(v)) == v
    for order, n in permutations_of(d, v):
        assert sorted(order) == list(range(n))


@each_kind
@PROPERTY
@given(seed1=seeds, seed2=seeds, data=st.data())
def test_check_does_not_depend_on_the_shuffling(
    kind: str, seed1: Any, seed2: Any, data: Any
) -> None:
    d = data.draw(QUIZ_KINDS[kind])
    original = original_reply(data.draw, d)
    v1, v2 = steps.variant(d, seed1), steps.variant(d, seed2)
    assert check(d, v1, displayed(d, v1, original)) == check(d, v2, displayed(d, v2, original))


def test_variants_differ_between_learners() -> None:
    d = {"kind": "ordering", "prompt": "P", "items": [str(i) for i in range(8)]}
    orders = {tuple(steps.variant(d, steps.variant_seed(e, 42))["order"]) for e in range(20)}
    assert len(orders) > 10
    assert steps.variant_seed(1, 42) == steps.variant_seed(1, 42) != steps.variant_seed(2, 42)


def test_variants_are_pinned_across_python_versions() -> None:
    # Built only on seeding and Random.random(), which Python keeps stable.
    d = {"kind": "ordering", "prompt": "P", "items": [str(i) for i in range(6)]}
    assert steps.variant_seed("enrolment-1", "step-9") == 15448659909182139873
    assert steps.variant(d, steps.variant_seed("enrolment-1", "step-9")) == {
        "order": [1, 4, 0, 5, 3, 2]
    }


def test_ordering_variant_is_never_the_answer() -> None:
    d = {"kind": "ordering", "prompt": "P", "items": ["a", "b"]}
    assert all(steps.variant(d, s)["order"] == [1, 0] for s in range(30))


# --------------------------------------------------------------------------
# Scoring examples
# --------------------------------------------------------------------------

# Moodle's "Multiple Answers" example (docs.moodle.org/500/en/GIFT_format).
GRANT = {
    "kind": "multiple_choice",
    "prompt": "What two people are entombed in Grant's tomb?",
    "shuffle": False,
    "options": [
        {"text": "No one", "weight": -100},
        {"text": "Grant", "weight": 50},
        {"text": "Grant's wife", "weight": 50},
        {"text": "Grant's father", "weight": -100},
    ],
}
ID = {"order": [0, 1, 2, 3]}


def test_multiple_choice_partial_credit_and_clamping() -> None:
    assert check(GRANT, ID, {"choices": [1, 2]}).score == 1.0
    assert check(GRANT, ID, {"choices": [1]}).score == 0.5
    assert check(GRANT, ID, {"choices": [0, 1, 2, 3]}).score == 0.0
    assert check(GRANT, ID, {"choices": [0]}).score == 0.0
    assert check(GRANT, ID, {"choices": []}).score == 0.0
    parts = check(GRANT, ID, {"choices": [1, 3]}).parts
    assert [p.correct for p in parts] == [True, True, False, False]


def test_single_choice_partial_weight_and_feedback() -> None:
    d = {
        "kind": "single_choice",
        "prompt": "Jesus Christ was from _____.",
        "options": [
            {"text": "Jerusalem", "feedback": "wrong city"},
            {"text": "Bethlehem", "weight": 25},
            {"text": "Nazareth", "weight": 100, "feedback": "Yes!"},
        ],
    }
    steps.validate(d)
    v = {"order": [2, 0, 1]}
    assert check(d, v, {"choice": 0}) == steps.Result(1.0, True, "Yes!")
    assert check(d, v, {"choice": 2}).score == 0.25
    assert check(d, v, {"choice": 1}).feedback == "wrong city"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("  Абай   Құнанбайұлы ", 1.0),
        ("АБАЙ ҚҰНАНБАЙҰЛЫ", 1.0),
        ("Aбaй Құнанбайұлы", 1.0),  # Latin a typed in a Cyrillic word
        ("Абай Кунанбаев", 0.5),  # Russian spelling, half credit
        ("Абай Кунанбайулы", 0.0),  # ұ/у, қ/к change the word
        ("Абай", 0.0),
    ],
)
def test_short_text_normalisation(given: str, expected: float) -> None:
    d = {
        "kind": "short_text",
        "prompt": "Who wrote «Қара сөздер»?",
        "answers": [{"text": "Абай Құнанбайұлы"}, {"text": "Абай Кунанбаев", "weight": 50}],
    }
    assert check(d, {}, {"text": given}).score == expected


def test_normalise_text_folds_yo_case_spaces_and_look_alikes() -> None:
    assert normalise_text("Ёлка") == normalise_text("елка")
    assert normalise_text("білім") == normalise_text("бiлiм")  # Latin i for Kazakh і
    assert normalise_text("HOMEP") == normalise_text("номер")  # Latin capitals
    assert normalise_text(" a \t b ") == "а b"  # Latin a looks like а; b does not look like б
    assert normalise_text("Аба", case_sensitive=True) != normalise_text("аба", case_sensitive=True)
    assert normalise_text("әке") != normalise_text("аке")


def test_number_tolerance_range_and_decimal_comma() -> None:
    d = {
        "kind": "number",
        "prompt": "pi?",
        "answers": [
            {"value": 3.14159, "tolerance": 0.0005},
            {"min": 3, "max": 3.3, "weight": 50, "feedback": "close"},
        ],
    }
    steps.validate(d)
    assert check(d, {}, {"value": "3,1416"}).score == 1.0
    assert check(d, {}, {"value": 3.142}).score == 1.0  # the documented edge: 3.142 is in
    assert check(d, {}, {"value": 3.141}).score == 0.5  # and 3.141 is not
    assert check(d, {}, {"value": 3.15}).score == 0.5
    assert check(d, {}, {"value": 3.15}).feedback == "close"
    assert check(d, {}, {"value": "3.3"}).score == 0.5
    assert check(d, {}, {"value": "4"}).score == 0.0


def test_matching_and_ordering_give_the_share_of_correct_parts() -> None:
    m = {"kind": "matching", "prompt": "M", "left": ["a", "b", "c", "d"], "right": list("ABCD")}
    ident = {"left": [0, 1, 2, 3], "right": [0, 1, 2, 3]}
    assert check(m, ident, {"matches": [0, 1, 3, 2]}).score == 0.5
    assert check(m, ident, {"matches": [0, None, None, None]}).score == 0.25
    o = {"kind": "ordering", "prompt": "O", "items": list("abcd")}
    assert check(o, {"order": [0, 1, 2, 3]}, {"order": [1, 0, 2, 3]}).score == 0.5
    assert check(o, {"order": [3, 2, 1, 0]}, {"order": [3, 2, 1, 0]}).score == 1.0


def test_fill_gaps_weights_gap_scores() -> None:
    d = {
        "kind": "fill_gaps",
        "segments": [
            "Moodle costs ",
            {
                "gap": {
                    "kind": "single_choice",
                    "options": [{"text": "lots"}, {"text": "nothing", "weight": 100}],
                },
                "weight": 3,
            },
            " and was released in ",
            {"gap": {"kind": "number", "answers": [{"value": 2002, "tolerance": 0}]}},
            ".",
        ],
    }
    steps.validate(d)
    v = {"gaps": [{"order": [0, 1]}, {}]}
    r = check(d, v, {"gaps": [{"choice": 1}, {"value": "2001"}]})
    assert r.score == 0.75
    assert [p.correct for p in r.parts] == [True, False]


def test_free_text_needs_review() -> None:
    d = {"kind": "free_text", "prompt": "Write", "min_words": 2}
    steps.validate(d)
    assert check(d, {}, {"text": "two words"}).needs_review
    with pytest.raises(ReplyError):
        check(d, {}, {"text": "one"})


def test_content_kinds_validate() -> None:
    steps.validate({"kind": "text", "body": "Hello", "format": "markdown"})
    steps.validate({"kind": "video", "url": "https://v.example/1", "duration_seconds": 60})
    steps.validate(
        {"kind": "file", "name": "a.pdf", "storage_key": "k", "size": 3, "media_type": "a/b"}
    )
    with pytest.raises(StepDefinitionError) as exc:
        steps.validate({"kind": "video", "url": "http://v.example/1"})
    assert exc.value.path == "url"


# --------------------------------------------------------------------------
# Invalid definitions and malformed replies
# --------------------------------------------------------------------------


def _options(*weights: float) -> list[dict[str, Any]]:
    return [{"text": f"o{i}", "weight": w} for i, w in enumerate(weights)]


@pytest.mark.parametrize(
    ("definition", "path", "code"),
    [
        ({"kind": "nope"}, "kind", "unknown_kind"),
        (
            {"kind": "single_choice", "prompt": "Q", "options": _options(0, 50)},
            "options",
            "no_correct",
        ),
        (
            {"kind": "multiple_choice", "prompt": "Q", "options": _options(0, 0)},
            "options",
            "no_correct",
        ),
        (
            {"kind": "multiple_choice", "prompt": "Q", "options": _options(50, 30, -100)},
            "options",
            "weights_sum",
        ),
        (
            {"kind": "multiple_choice", "prompt": "Q", "options": _options(50, 150)},
            "options[1].weight",
            "weight_range",
        ),
        (
            {"kind": "single_choice", "prompt": "Q", "options": [{"text": "a", "weight": 100}]},
            "options",
            "too_few",
        ),
        (
            {"kind": "number", "prompt": "Q", "answers": [{"value": 3}]},
            "answers[0].tolerance",
            "no_tolerance",
        ),
        (
            {"kind": "number", "prompt": "Q", "answers": [{"min": 5, "max": 1}]},
            "answers[0].max",
            "empty_range",
        ),
        (
            {"kind": "number", "prompt": "Q", "answers": [{"weight": 100}]},
            "answers[0]",
            "no_tolerance",
        ),
        (
            {"kind": "matching", "prompt": "M", "left": ["a", "b", "c"], "right": ["A", "B"]},
            "right",
            "unequal_sides",
        ),
        (
            {"kind": "matching", "prompt": "M", "left": ["a", "b", "a"], "right": ["A", "B", "C"]},
            "left[2]",
            "duplicate",
        ),
        (
            {"kind": "ordering", "prompt": "O", "items": ["a"]},
            "items",
            "too_few",
        ),
        (
            {"kind": "short_text", "prompt": "Q", "answers": [{"text": "  "}]},
            "answers[0].text",
            "empty",
        ),
        (
            {"kind": "short_text", "prompt": "Q", "answers": [{"text": "a", "weight": 50}]},
            "answers",
            "no_correct",
        ),
        (
            {"kind": "fill_gaps", "segments": ["a ", {"gap": {}}, " b"]},
            "segments[1].gap",
            "empty_gap",
        ),
        (
            {"kind": "fill_gaps", "segments": ["only text"]},
            "segments",
            "no_gap",
        ),
        (
            {
                "kind": "fill_gaps",
                "segments": [{"gap": {"kind": "short_text", "answers": []}}],
            },
            "segments[0].gap.answers",
            "too_few",
        ),
        (
            {"kind": "true_false", "prompt": "Q", "answer": "yes"},
            "answer",
            "not_bool",
        ),
        (
            {"kind": "true_false", "prompt": "Q", "answer": True, "colour": "red"},
            "colour",
            "unknown_key",
        ),
    ],
)
def test_invalid_definitions_say_where_and_why(
    definition: dict[str, Any], path: str, code: str
) -> None:
    with pytest.raises(StepDefinitionError) as exc:
        steps.validate(definition)
    assert (exc.value.path, exc.value.code) == (path, code)
    assert path in str(exc.value)


@pytest.mark.parametrize(
    ("definition", "variant", "reply", "path"),
    [
        (GRANT, ID, {"choices": [7]}, "choices[0]"),
        (GRANT, ID, {"choices": [1, 1]}, "choices"),
        (GRANT, ID, {"choices": "1"}, "choices"),
        (GRANT, ID, {}, "choices"),
        (GRANT, ID, {"choices": [], "extra": 1}, "extra"),
        (GRANT, ID, ["not", "a", "dict"], ""),
        ({"kind": "true_false", "prompt": "Q", "answer": True}, {}, {"value": "true"}, "value"),
        (
            {"kind": "number", "prompt": "Q", "answers": [{"value": 1, "tolerance": 0}]},
            {},
            {"value": "one"},
            "value",
        ),
        (
            {"kind": "ordering", "prompt": "O", "items": ["a", "b"]},
            {"order": [1, 0]},
            {"order": [0, 0]},
            "order",
        ),
        (
            {"kind": "matching", "prompt": "M", "left": ["a", "b"], "right": ["A", "B"]},
            {"left": [0, 1], "right": [0, 1]},
            {"matches": [0]},
            "matches",
        ),
        (
            {
                "kind": "fill_gaps",
                "segments": [{"gap": {"kind": "short_text", "answers": [{"text": "x"}]}}],
            },
            {"gaps": [{}]},
            {"gaps": [{"text": 5}]},
            "gaps[0].text",
        ),
    ],
)
def test_malformed_replies_raise_reply_error(
    definition: Any, variant: Any, reply: Any, path: str
) -> None:
    with pytest.raises(ReplyError) as exc:
        check(definition, variant, reply)
    assert exc.value.path == path


def test_a_variant_that_no_longer_fits_is_refused() -> None:
    with pytest.raises(steps.VariantError):
        check(GRANT, {"order": [0, 1, 2]}, {"choices": [0]})


def test_registry_refuses_a_second_kind_with_the_same_key() -> None:
    class Again(steps.StepKind):
        key = "text"

    with pytest.raises(ValueError, match="already registered"):
        steps.register(Again)
