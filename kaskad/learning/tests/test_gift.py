"""Tests for kaskad.learning.gift (pure Python, no database).

The English examples are the official ones from MoodleDocs, "GIFT format"
(https://docs.moodle.org/500/en/GIFT_format), copied as printed there:
the quick examples Q1-Q8, the per-type examples, "Options" (comments,
question names, feedback, percentage answer weights, text format, multiple
answers) and "Special Characters". The Kazakh/Russian quiz is a realistic
professional-development quiz written for these tests.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaskad.learning import steps
from kaskad.learning.gift import (
    Choice,
    GiftSyntaxError,
    NumericAnswer,
    Pair,
    Question,
    dump_gift,
    parse_gift,
)

# --- MoodleDocs, "GIFT format", quick examples ------------------------------
MOODLE_QUICK = """\
// true/false
::Q1:: 1+1=2 {T}

// multiple choice with specified feedback for right and wrong answers
::Q2:: What's between orange and green in the spectrum?
{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }

// fill-in-the-blank
::Q3:: Two plus {=two =2} equals four.

// math range question
::Q5:: What is a number from 1 to 5? {#3:2}

// math range specified with interval end points
::Q6:: What is a number from 1 to 5? {#1..5}
// translated on import to the same as Q5, but unavailable from Moodle question interface

// multiple numeric answers with partial credit and feedback
::Q7:: When was Ulysses S. Grant born? {#
         =1822:0      # Correct! Full credit.
         =%50%1822:2  # He was born in 1822. Half credit for being close.
}

// essay
::Q8:: How are you? {}
"""

# The quick examples' Q4 has only two pairs, against the same page's rule
# "There must be at least three matching pairs" (and Moodle's matching type
# asks for three answers), so it is an error here.
MOODLE_Q4 = "::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }"

# --- MoodleDocs, "Question format examples" ---------------------------------
MOODLE_TYPES = """\
Who's buried in Grant's tomb?{=Grant ~no one ~Napoleon ~Churchill ~Mother Teresa }

// question: 1 name: Grants tomb
::Grants tomb::Who is buried in Grant's tomb in New York City? {
=Grant
~No one
#Was true for 12 years, but Grant's remains were buried in the tomb in 1897
~Napoleon
#He was buried in France
~Churchill
#He was buried in England
~Mother Teresa
#She was buried in India
}

What two people are entombed in Grant's tomb? {
   ~%-100%No one
   ~%50%Grant
   ~%50%Grant's wife
   ~%-100%Grant's father
}

// question: 0 name: TrueStatement using {T} style
::TrueStatement about Grant::Grant was buried in a tomb in New York City.{T}

// question: 0 name: FalseStatement using {FALSE} style
::FalseStatement about sun::The sun rises in the West.{FALSE}

Who's buried in Grant's tomb?{=Grant =Ulysses S. Grant =Ulysses Grant}

Two plus two equals {=four =4}

Match the following countries with their corresponding capitals. {
   =Canada -> Ottawa
   =Italy  -> Rome
   =Japan  -> Tokyo
   =India  -> New Delhi
   }

Moodle costs {~lots of money =nothing ~a small amount} to download from moodle.org.

Mahatma Gandhi's birthday is an Indian holiday on  {
~15th
~3rd
=2nd
} of October.

Since {
  ~495 AD
  =1066 AD
  ~1215 AD
  ~ 43 AD
}
the town of Hastings England has been "famous with visitors".

When was Ulysses S. Grant born?{#1822:5}

What is the value of pi (to 3 decimal places)? {#3.14159:0.0005}.

What is the value of pi (to 3 decimal places)? {#3.141..3.142}.

When was Ulysses S. Grant born? {#
   =1822:0
   =%50%1822:2
}

Write a short biography of Dag Hammarskjöld. {}

You can use your pencil and paper for these next math questions.
"""

# --- MoodleDocs, "Options" and "Special Characters" -------------------------
MOODLE_OPTIONS = r"""// Subheading: Numerical questions below
What's 2 plus 2? {#4}

// question: 914  name: What's 2 plus 2?
::What's 2 plus 2?::What's 2 plus 2?{#
    =4:0#
}

//  [id:123] [tag:basic] [tag:set 1]
::Kanji Origins::Japanese characters originally
came from what country? {=China}

::Thanksgiving Date::The American holiday of Thanksgiving is
celebrated on the {~second ~third =fourth} Thursday of November.

What's the answer to this multiple-choice question? {
  ~wrong answer#feedback comment on the wrong answer
  ~another wrong answer#feedback comment on this wrong answer
  =right answer#Very good!
}

//From The Hitchhiker's Guide to the Galaxy
Deep Thought said " {
  =forty two#Correct according to The Hitchhiker's Guide to the Galaxy!
  =42#Correct, as told to Loonquawl and Phouchg
  =forty-two#Correct!
}  is the Ultimate Answer to the Ultimate Question of Life, The Universe, and Everything."

   42 is the Absolute Answer to everything.{
FALSE#42is the Ultimate Answer.#You gave the right answer.}

Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}

::Jesus' hometown::Jesus Christ was from {
   ~Jerusalem#This was an important city, but the wrong answer.
   ~%25%Bethlehem#He was born here, but not raised here.
   ~%50%Galilee#You need to be more specific.
   =Nazareth#Yes! That's right!
}.

::Jesus' hometown:: Jesus Christ was from {
   =Nazareth#Yes! That's right!
   =%75%Nazereth#Right, but misspelled.
   =%25%Bethlehem#He was born here, but not raised here.
}

[markdown]The *American holiday of Thanksgiving* is celebrated on the {
   ~second
   ~third
   =fourth
} Thursday of November.

What two people are entombed in Grant's tomb? {
   ~No one
   ~%50%Grant
   ~%50%Grant's wife
   ~Grant's father
}

What two people are entombed in Grant's tomb? {
   ~%-50%No one
   ~%50%Grant
   ~%50%Grant's wife
   ~%-50%Grant's father
}

Which answer equals 5? {
   ~ \= 2 + 2
   = \= 2 + 3
   ~ \= 2 + 4
}

::GIFT Control Characters::
Which of the following is NOT a control character for the GIFT import format? {
  ~ \~     # \~ is a control character.
  ~ \=     # \= is a control character.
  ~ \#     # \# is a control character.
  ~ \{     # \{ is a control character.
  ~ \}     # \} is a control character.
  = \\     # Correct! \\ (backslash) is not a control character. BUT,
             it is used to escape the control characters.
}
"""

# --- A professional-development quiz in Kazakh and Russian ------------------
PD_QUIZ = r"""$CATEGORY: $course$/top/Формативті бағалау

// 1-модуль: формативті бағалау
::Кері байланыс::[html]<p>«Кері байланыс» қай кезде ең тиімді?</p>{
  =Оқушы тапсырманы орындап жатқанда#Дұрыс! Уақытылы кері байланыс оқуға көмектеседі.
  ~Тоқсан соңында#Бұл жиынтық бағалау.
  ~%-50%Ешқашан#Кері байланыссыз оқу баяулайды.
  ####Қараңыз: «Формативті бағалау» модулі, 2-бөлім.
}

::Критерийлер::Бағалау критерийлері оқушыларға сабақ басында айтылады.
{TRUE#Критерийлер алдын ала белгілі болуы керек.#Иә, солай.}

::Ұйымдастырушы::Оқушылардың білім жетістіктерін бағалауды кім ұйымдастырады? {
  =мұғалім
  =Мұғалім\: пән мұғалімі
  =%50%педагог#Жартылай дұрыс: нақтырақ жазыңыз.
}

$CATEGORY: $course$/top/Оценивание

::Критерии::Сколько уровней в рубрике «Оценивание для обучения»? {#4:0}

::Доля::Какова доля учителей с категорией «педагог-модератор» (в %), если их 120 из 400? {#
  =30:0.5#Верно.
  =%50%25..35#Близко.
}

::Соответствие::Сопоставьте термины и определения.{
  =Формативное оценивание -> оценивание для обучения
  =Суммативное оценивание -> оценивание обучения
  =Рефлексия -> осмысление своей практики
  =Рубрика -> шкала с критериями и дескрипторами
}

::Пропуск::Учитель даёт {~оценку =обратную связь ~домашнее задание} после каждого этапа урока.

::Эссе::Опишите, как вы применяете «критериальное оценивание» на своих уроках (150–200 слов). {}

Следующие вопросы — о работе с родителями (ата-аналармен жұмыс).

::Выбор нескольких::Какие из форм работы относятся к взаимодействию с семьёй? {
  ~%50%Родительское собрание
  ~%50%Индивидуальная консультация
  ~%-100%Педсовет без родителей
}
"""

CORPUS = {
    "moodle_quick": MOODLE_QUICK,
    "moodle_types": MOODLE_TYPES,
    "moodle_options": MOODLE_OPTIONS,
    "pd_quiz": PD_QUIZ,
}


# --------------------------------------------------------------------------
# The official examples
# --------------------------------------------------------------------------


def test_quick_examples() -> None:
    q1, q2, q3, q5, q6, q7, q8 = parse_gift(MOODLE_QUICK)
    assert (q1.type, q1.title, q1.text, q1.truth) == ("true_false", "Q1", "1+1=2", True)
    assert q2.type == "multiple_choice"
    assert q2.choices == (
        Choice("yellow", 100, "right; good!"),
        Choice("red", 0, "wrong, it's yellow"),
        Choice("blue", 0, "wrong, it's yellow"),
    )
    assert (q3.type, q3.text, q3.text_after) == ("short_answer", "Two plus", "equals four.")
    assert [c.text for c in q3.choices] == ["two", "2"]
    assert q5.numeric == (NumericAnswer(weight=100, value=3, tolerance=2),)
    assert q6.numeric == (NumericAnswer(weight=100, low=1, high=5),)
    assert q7.numeric == (
        NumericAnswer(weight=100, value=1822, tolerance=0, feedback="Correct! Full credit."),
        NumericAnswer(
            weight=50,
            value=1822,
            tolerance=2,
            feedback="He was born in 1822. Half credit for being close.",
        ),
    )
    assert (q8.type, q8.title, q8.text) == ("essay", "Q8", "How are you?")
    assert [q.line for q in (q1, q2, q7)] == [2, 5, 19]


def test_question_types() -> None:
    qs = parse_gift(MOODLE_TYPES)
    assert [q.type for q in qs] == [
        "multiple_choice",
        "multiple_choice",
        "multiple_answer",
        "true_false",
        "true_false",
        "short_answer",
        "short_answer",
        "matching",
        "multiple_choice",
        "multiple_choice",
        "multiple_choice",
        "numerical",
        "numerical",
        "numerical",
        "numerical",
        "essay",
        "description",
    ]
    grants = qs[1]
    assert grants.title == "Grants tomb"
    assert grants.choices[1] == Choice(
        "No one", 0, "Was true for 12 years, but Grant's remains were buried in the tomb in 1897"
    )
    assert [c.weight for c in qs[2].choices] == [-100, 50, 50, -100]
    assert (qs[3].truth, qs[4].truth, qs[4].title) == (True, False, "FalseStatement about sun")
    assert qs[7].pairs[3] == Pair("India", "New Delhi")
    moodle_costs = qs[8]
    assert (moodle_costs.text, moodle_costs.text_after) == (
        "Moodle costs",
        "to download from moodle.org.",
    )
    assert qs[10].text_after == 'the town of Hastings England has been "famous with visitors".'
    assert qs[10].choices[3].text == "43 AD"
    assert qs[13].numeric[0] == NumericAnswer(weight=100, low=3.141, high=3.142)
    assert qs[16].text == "You can use your pencil and paper for these next math questions."


def test_options_titles_feedback_weights_format_and_escapes() -> None:
    qs = parse_gift(MOODLE_OPTIONS)
    assert qs[0].numeric == (NumericAnswer(weight=100, value=4, tolerance=0),)
    assert qs[1].title == "What's 2 plus 2?"
    assert qs[2].title == "Kanji Origins"
    assert qs[2].text == "Japanese characters originally\ncame from what country?"
    assert qs[2].choices == (Choice("China", 100),)
    deep = qs[5]
    assert deep.type == "short_answer" and deep.text == 'Deep Thought said "'
    forty_two = qs[6]
    assert (forty_two.truth, forty_two.feedback_wrong, forty_two.feedback_right) == (
        False,
        "42is the Ultimate Answer.",
        "You gave the right answer.",
    )
    assert [c.weight for c in qs[7].choices] == [0, 50, 100]
    assert [c.weight for c in qs[8].choices] == [0, 25, 50, 100]
    assert [c.weight for c in qs[9].choices] == [100, 75, 25]
    assert (qs[10].text_format, qs[10].text) == (
        "markdown",
        "The *American holiday of Thanksgiving* is celebrated on the",
    )
    assert qs[11].type == qs[12].type == "multiple_answer"
    assert [c.text for c in qs[13].choices] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    control = qs[14]
    assert [c.text for c in control.choices] == ["~", "=", "#", "{", "}", "\\"]
    assert control.choices[5].feedback == (
        "Correct! \\ (backslash) is not a control character. BUT,\n"
        "             it is used to escape the control characters."
    )


def test_kazakh_and_russian_pd_quiz() -> None:
    qs = parse_gift(PD_QUIZ)
    assert len(qs) == 10
    fb = qs[0]
    assert fb.category == "$course$/top/Формативті бағалау"
    assert (fb.title, fb.text_format) == ("Кері байланыс", "html")
    assert fb.text == "<p>«Кері байланыс» қай кезде ең тиімді?</p>"
    assert fb.general_feedback == "Қараңыз: «Формативті бағалау» модулі, 2-бөлім."
    assert [c.weight for c in fb.choices] == [100, 0, -50]
    assert qs[2].choices[1].text == "Мұғалім: пән мұғалімі"
    assert qs[3].category == "$course$/top/Оценивание"
    assert qs[4].numeric[1] == NumericAnswer(weight=50, low=25, high=35, feedback="Близко.")
    assert qs[5].pairs[0] == Pair("Формативное оценивание", "оценивание для обучения")
    assert qs[7].type == "essay"
    assert qs[8].type == "description" and "ата-аналармен" in qs[8].text


# --------------------------------------------------------------------------
# Mapping onto step kinds
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_question_maps_to_a_valid_step(name: str) -> None:
    for q in parse_gift(CORPUS[name]):
        d = q.to_step_definition()
        steps.validate(d)
        assert json.loads(json.dumps(d)) == d
        kind = steps.get_kind(d)
        if kind.auto_graded:
            v = steps.variant(d, steps.variant_seed("enrolment-1", q.line))
            assert steps.check(d, v, steps.correct_reply(d, v)).score == 1.0


def test_step_kinds_of_the_pd_quiz() -> None:
    kinds = [q.to_step_definition()["kind"] for q in parse_gift(PD_QUIZ)]
    assert kinds == [
        "single_choice",
        "true_false",
        "short_text",
        "number",
        "number",
        "matching",
        "fill_gaps",
        "free_text",
        "text",
        "multiple_choice",
    ]


def test_missing_word_becomes_a_gap_and_grades() -> None:
    (q,) = parse_gift("Учитель даёт {~оценку =обратную связь ~задание} после урока.")
    d = q.to_step_definition()
    assert d["segments"][0] == "Учитель даёт "
    assert d["segments"][2] == " после урока."
    v = steps.variant(d, 7)
    right = v["gaps"][0]["order"].index(1)
    assert steps.check(d, v, {"gaps": [{"choice": right}]}).score == 1.0
    assert steps.check(d, v, {"gaps": [{"choice": (right + 1) % 3}]}).score == 0.0


def test_short_answer_in_kazakh_accepts_look_alike_letters() -> None:
    (q,) = parse_gift("Қазақстанның астанасы? {=Астана =%50%Нұр-Сұлтан}")
    d = q.to_step_definition()
    assert steps.check(d, {}, {"text": " астана "}).score == 1.0
    assert steps.check(d, {}, {"text": "Acтaнa"}).score == 1.0  # Latin A, c, a
    assert steps.check(d, {}, {"text": "нұр-сұлтан"}).score == 0.5


def test_thirds_written_as_moodle_advises_give_full_credit() -> None:
    # MoodleDocs: "if you wish to divide percentages in thirds, use %33.33333".
    (q,) = parse_gift("Pick three {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")
    d = q.to_step_definition()
    v = steps.variant(d, 3)
    assert steps.check(d, v, steps.correct_reply(d, v)).score == 1.0


def test_missing_word_prompt_keeps_punctuation_next_to_the_blank() -> None:
    a, b, c = parse_gift(
        "Pi is {#3.14159:0.0005}.\n\nThe sun {T} rises.\n\n{=Абай ~Шәкәрім} — ақын."
    )
    assert a.prompt == "Pi is _____."
    assert a.to_step_definition()["segments"][2] == "."
    assert b.prompt == "The sun _____ rises."
    assert c.prompt == "_____ — ақын."
    assert dump_gift([c]).startswith("{")


def test_multiple_answer_scoring_follows_the_weights() -> None:
    q = parse_gift(MOODLE_TYPES)[2]
    d = {**q.to_step_definition(), "shuffle": False}
    v = {"order": [0, 1, 2, 3]}
    assert steps.check(d, v, {"choices": [1, 2]}).score == 1.0
    assert steps.check(d, v, {"choices": [0, 1, 2, 3]}).score == 0.0


# --------------------------------------------------------------------------
# Round trip
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_round_trip(name: str) -> None:
    parsed = parse_gift(CORPUS[name])
    assert parse_gift(dump_gift(parsed)) == parsed


_TEXT = st.text(
    alphabet=st.sampled_from(list("aбқ ~=#{}:\\\n%-> .«»")), min_size=1, max_size=12
).filter(lambda t: t.strip() and not t.strip().startswith(("//", "$", "[", "%", "::")))


def _clean(t: str) -> str:
    return t.strip()


@st.composite
def questions(draw: st.DrawFn) -> Question:
    text = _clean(draw(_TEXT))
    kind = draw(st.sampled_from(["multiple_choice", "short_answer", "true_false", "matching"]))
    title = draw(st.none() | _TEXT.map(_clean))
    gf = draw(st.none() | _TEXT.map(_clean))
    after = draw(st.none() | _TEXT.map(_clean))
    if kind == "true_false":
        return Question(
            type="true_false",
            text=text,
            title=title,
            truth=draw(st.booleans()),
            feedback_wrong=draw(st.none() | _TEXT.map(_clean)),
            general_feedback=gf,
        )
    texts = draw(
        st.lists(
            _TEXT.map(_clean).filter(lambda t: "->" not in t and not t.startswith(">")),
            min_size=3,
            max_size=4,
            unique_by=lambda t: steps.normalise_text(t, case_sensitive=True),
        )
    )
    if kind == "matching":
        pairs = tuple(Pair(t, f"{t} {i}".strip()) for i, t in enumerate(texts))
        return Question(type="matching", text=text, title=title, pairs=pairs, text_after=after)
    fbs = draw(st.lists(st.none() | _TEXT.map(_clean), min_size=len(texts), max_size=len(texts)))
    weights = [100.0] + [float(draw(st.sampled_from([0, 25, -50]))) for _ in texts[1:]]
    if kind == "short_answer":
        # "=" with "->" reads as matching in GIFT (Moodle's rule); dump_gift refuses it.
        weights = [max(w, 0.0) for w in weights]
        fbs = [f if f is None or "->" not in f else None for f in fbs]
    choices = tuple(Choice(t, w, f) for t, w, f in zip(texts, weights, fbs, strict=True))
    return Question(
        type="short_answer" if kind == "short_answer" else "multiple_choice",
        text=text,
        title=title,
        choices=choices,
        text_after=after,
        general_feedback=gf,
    )


@settings(max_examples=200, deadline=None)
@given(qs=st.lists(questions(), min_size=1, max_size=3))
def test_dump_then_parse_gives_the_same_questions(qs: list[Question]) -> None:
    assert parse_gift(dump_gift(qs)) == qs


# --------------------------------------------------------------------------
# Errors: line and column, nothing returned
# --------------------------------------------------------------------------


def _error(text: str) -> GiftSyntaxError:
    with pytest.raises(GiftSyntaxError) as exc:
        parse_gift(text)
    return exc.value


def test_unclosed_brace_points_at_the_opening_brace() -> None:
    err = _error("Good question.{T}\n\n// comment\nWho is it? {\n=Grant\n~Lee\n")
    assert (err.line, err.column) == (4, 12)
    assert "not closed" in err.reason
    assert err.code == "brace_not_closed"


def test_a_brace_inside_answers_must_be_escaped() -> None:
    err = _error("Q {=a {~b}")
    assert (err.line, err.column) == (1, 7)


def test_close_brace_without_open() -> None:
    assert (_error("Q } here").line, _error("Q } here").column) == (1, 3)


def test_multiple_choice_with_no_correct_answer() -> None:
    err = _error("Q1 {=a ~b}\n\nWhich one?\n{~a ~b ~c}")
    assert (err.line, err.column) == (4, 1)
    assert "no correct answer" in err.reason
    assert err.code == "no_correct"


def test_numerical_answer_that_is_not_a_number() -> None:
    err = _error("When? {#18x2:5}")
    assert (err.line, err.column) == (1, 9)
    assert "'18x2' is not a number" in err.reason
    assert err.code == "not_number"
    assert "tolerance" in _error("When? {#1822:five}").reason
    assert "lower bound" in _error("When? {#a..5}").reason


def test_matching_needs_three_pairs() -> None:
    err = _error(MOODLE_Q4)
    assert (err.line, err.column) == (1, 38)
    assert "at least 3 pairs" in err.reason
    assert err.code == "too_few_pairs"


def test_multiple_answer_weights_must_add_up_to_100() -> None:
    err = _error("Pick {\n~%50%a\n~%30%b\n~%-100%c\n}")
    assert (err.line, err.column) == (1, 6)
    assert "add up to 80%" in err.reason
    assert err.code == "weights_sum"


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("Q {=a \\q ~b}", 1, 7),
        ("Q \\t {T}", 1, 3),
        ("first line \\\nsecond {T}", 1, 12),
    ],
)
def test_unknown_escape(text: str, line: int, column: int) -> None:
    err = _error(text)
    assert (err.line, err.column) == (line, column)
    assert "escape" in err.reason
    assert err.code == "unknown_escape"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("::Unclosed title Q {T}", "title is not closed"),
        ("Q {~%abc%a =b}", "weight %abc% is not a number"),
        ("Q {~%150%a =b}", "outside"),
        ("Q {=a ~}", "empty answer"),
        ("Q {=a}\nand {=b}", "only one set of answers"),
        ("Q {#1822 ~#wrong}", "not supported"),
        ("Q {#5..1}", "range ends below"),
        ("Q {=%50%a}", "full credit"),
        ("Q {=a->b =c->d =e}", "needs ->"),
        ("Q {=a->b =c->d =a->e}", "repeats"),
        ("Q {=a->b#fb =c->d =e->f}", "no feedback"),
        ("Q {~a}", "at least two answers"),
        ("Q {T#a#b#c}", "at most two feedbacks"),
        ("{T}", "no text"),
    ],
)
def test_other_errors(text: str, reason: str) -> None:
    assert reason in _error(text).reason


def test_dump_refuses_a_short_answer_that_would_read_as_matching() -> None:
    (q,) = parse_gift("Arrow? {a->b}")
    assert q.type == "short_answer"
    with pytest.raises(ValueError, match="matching"):
        dump_gift([q])


def test_nothing_is_returned_when_one_question_is_bad() -> None:
    good = "Q1 {T}\n\nQ2 {=a ~b}\n\n"
    assert len(parse_gift(good)) == 2
    err = _error(good + "Q3 {#x}\n")
    assert err.line == 5
    assert str(err).startswith("line 5, column ")


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab \n{}~=#:%->\\.T019[]/$")), max_size=40))
def test_any_text_parses_into_valid_steps_or_raises_a_gift_error(text: str) -> None:
    try:
        questions = parse_gift(text)
    except GiftSyntaxError as exc:
        assert exc.line >= 1 and exc.column >= 1
        return
    for q in questions:
        steps.validate(q.to_step_definition())
