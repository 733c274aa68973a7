"""Moodle's GIFT question format: :func:`parse_gift` and :func:`dump_gift`.

Teachers write quizzes for professional-development courses in GIFT (the
format Moodle imports, https://docs.moodle.org/500/en/GIFT_format). Each
parsed :class:`Question` maps onto a step kind of :mod:`kaskad.learning.steps`
through :meth:`Question.to_step_definition`.

Supported, as in Moodle's importer (``question/format/gift/format.php``):

* questions separated by blank lines, written over several lines;
* ``// comment`` lines, ``$CATEGORY: path`` lines (their own block), titles
  ``::Title::``, ``[html]``/``[markdown]``/``[plain]``/``[moodle]`` before
  the question text, general feedback ``####…``;
* multiple choice ``{=right ~wrong#feedback ~%50%half}``; without any ``=``
  it is a multiple-answer question whose positive weights must sum to
  100 % (Moodle refuses other sums: "The positive grades you have chosen do
  not add up to 100%"); weights lie in -100..100;
* true/false ``{T}``, ``{TRUE}``, ``{F}``, ``{FALSE#wrong fb#right fb}``
  (upper case, as Moodle reads them: ``{true}`` is a short answer);
* short answer ``{=a =%50%b#fb}`` (or a single ``{a}``);
* numerical ``{#3.14:0.01}``, ``{#1..5}``, ``{#=1822:0 =%50%1822:2}``;
* matching ``{=a -> b =c -> d =e -> f}`` with at least three pairs, as the
  documentation requires ("There must be at least three matching pairs";
  Moodle's matching question type asks for three answers), no feedback and
  no weights;
* missing word: text on both sides of the braces. A single-answer multiple
  choice, a short answer or a numerical question becomes a one-gap
  ``fill_gaps`` step; other kinds keep ``_____`` in their prompt, as Moodle
  does;
* essay ``{}``: parsed and mapped to the ``free_text`` kind, which a person
  grades (it is never auto-graded);
* description (no braces): a ``text`` step;
* escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` and ``\\n`` (a new line).

Stricter than Moodle, on purpose (a teacher should hear about a typo rather
than find a silently different quiz): an unknown escape, a second pair of
braces, a ``}`` without ``{``, an unclosed title, a weight that is not a
number and numerical "any other answer" feedback (``~``) are errors. Any
error raises :class:`GiftSyntaxError` with the line and column, and nothing
is returned (all or nothing).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from kaskad.learning import steps

__all__ = [
    "Choice",
    "GiftSyntaxError",
    "NumericAnswer",
    "Pair",
    "Question",
    "dump_gift",
    "parse_gift",
]

QuestionType = Literal[
    "description",
    "essay",
    "multiple_choice",
    "multiple_answer",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
]

_ESCAPABLE: Final = frozenset("~=#{}:\\")
_FORMATS: Final = ("html", "markdown", "plain", "moodle")
_FORMAT_RE: Final = re.compile(r"\[(html|markdown|plain|moodle)\]")
_NUMBER_RE: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_WEIGHT_RE: Final = re.compile(r"-?\d+(?:\.\d+)?")
_BLANK: Final = "_____"
_CLOSING: Final = frozenset(".,;:!?)]»\"'…")
#: Documented minimum of pairs in a matching question.
MIN_MATCHING_PAIRS: Final = 3


class GiftSyntaxError(ValueError):
    """A GIFT text cannot be imported: ``line`` and ``column`` are 1-based.

    ``code`` is a stable machine code (``brace_not_closed``, ``no_correct``,
    ``unknown_escape``, …) for the Django layer to translate; ``reason`` is
    the English explanation.
    """

    def __init__(self, line: int, column: int, reason: str, *, code: str = "syntax") -> None:
        super().__init__(f"line {line}, column {column}: {reason}")
        self.line = line
        self.column = column
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class Choice:
    """An answer of a multiple-choice or short-answer question (weight in %)."""

    text: str
    weight: float
    feedback: str | None = None


@dataclass(frozen=True)
class NumericAnswer:
    """``value:tolerance`` or ``low..high`` (weight in %)."""

    weight: float
    value: float | None = None
    tolerance: float | None = None
    low: float | None = None
    high: float | None = None
    feedback: str | None = None


@dataclass(frozen=True)
class Pair:
    left: str
    right: str


@dataclass(frozen=True)
class Question:
    """One GIFT question; ``line`` (where it starts) does not take part in equality."""

    type: QuestionType
    text: str
    title: str | None = None
    text_format: str | None = None
    text_after: str | None = None
    category: str | None = None
    choices: tuple[Choice, ...] = ()
    numeric: tuple[NumericAnswer, ...] = ()
    pairs: tuple[Pair, ...] = ()
    truth: bool | None = None
    feedback_wrong: str | None = None
    feedback_right: str | None = None
    general_feedback: str | None = None
    line: int = field(default=0, compare=False)

    @property
    def prompt(self) -> str:
        """The question text, with ``_____`` where the answers were (missing word)."""

        if self.text_after is None:
            return self.text
        return (f"{self.text} " if self.text else "") + _BLANK + _joined(self.text_after)

    def _common(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.title is not None:
            out["title"] = self.title
        if self.text_format is not None:
            out["format"] = self.text_format
        if self.general_feedback is not None:
            out["feedback"] = self.general_feedback
        return out

    def to_step_definition(self) -> dict[str, Any]:
        """The definition of the matching :mod:`kaskad.learning.steps` kind."""

        common = self._common()
        if self.type == "description":
            return {"kind": "text", "body": self.text, **common}
        if self.type == "essay":
            return {"kind": "free_text", "prompt": self.prompt, **common}
        if self.type == "true_false":
            d: dict[str, Any] = {"kind": "true_false", "prompt": self.prompt, "answer": self.truth}
            if self.feedback_right is not None:
                d["feedback_correct"] = self.feedback_right
            if self.feedback_wrong is not None:
                d["feedback_wrong"] = self.feedback_wrong
            return {**d, **common}
        if self.type == "matching":
            return {
                "kind": "matching",
                "prompt": self.prompt,
                "left": [p.left for p in self.pairs],
                "right": [p.right for p in self.pairs],
                **common,
            }
        if self.type == "multiple_answer":
            return {
                "kind": "multiple_choice",
                "prompt": self.prompt,
                "options": [_option(c) for c in self.choices],
                **common,
            }
        if self.type == "multiple_choice":
            body: dict[str, Any] = {
                "kind": "single_choice",
                "options": [_option(c) for c in self.choices],
            }
        elif self.type == "short_answer":
            body = {"kind": "short_text", "answers": [_option(c) for c in self.choices]}
        else:
            body = {"kind": "number", "answers": [_numeric(a) for a in self.numeric]}
        if self.text_after is None:
            return {"prompt": self.text, **body, **common}
        segments: list[Any] = [f"{self.text} "] if self.text else []
        segments.append({"gap": body})
        segments.append(_joined(self.text_after))
        return {"kind": "fill_gaps", "segments": segments, **common}


def _joined(after: str) -> str:
    """Text after a gap: no space before closing punctuation ("_____.")."""

    return after if after[0] in _CLOSING else " " + after


def _option(c: Choice) -> dict[str, Any]:
    out: dict[str, Any] = {"text": c.text, "weight": c.weight}
    if c.feedback is not None:
        out["feedback"] = c.feedback
    return out


def _numeric(a: NumericAnswer) -> dict[str, Any]:
    out: dict[str, Any]
    if a.value is not None:
        out = {"value": a.value, "tolerance": a.tolerance or 0.0}
    else:
        out = {"min": a.low, "max": a.high}
    out["weight"] = a.weight
    if a.feedback is not None:
        out["feedback"] = a.feedback
    return out


# --------------------------------------------------------------------------
# Source with escapes resolved and positions kept
# --------------------------------------------------------------------------


class _Src:
    """The characters of one question block, each with escape flag and position."""

    def __init__(self, lines: Sequence[tuple[int, str]]) -> None:
        self.ch: list[str] = []
        self.esc: list[bool] = []
        self.pos: list[tuple[int, int]] = []
        for k, (lineno, line) in enumerate(lines):
            if k:
                self._add("\n", False, (lineno - 1, len(lines[k - 1][1]) + 1))
            col = 0
            while col < len(line):
                c = line[col]
                if c == "\\":
                    if col + 1 >= len(line):
                        raise GiftSyntaxError(
                            lineno,
                            col + 1,
                            "a backslash at the end of a line escapes nothing",
                            code="unknown_escape",
                        )
                    nxt = line[col + 1]
                    if nxt == "n":
                        self._add("\n", True, (lineno, col + 1))
                    elif nxt in _ESCAPABLE:
                        self._add(nxt, True, (lineno, col + 1))
                    else:
                        raise GiftSyntaxError(
                            lineno,
                            col + 1,
                            f"unknown escape \\{nxt} (only \\~ \\= \\# \\{{ \\}} \\: \\\\ and \\n)",
                            code="unknown_escape",
                        )
                    col += 2
                    continue
                self._add(c, False, (lineno, col + 1))
                col += 1
        self.end_pos = (lines[-1][0], len(lines[-1][1]) + 1)

    def _add(self, c: str, escaped: bool, pos: tuple[int, int]) -> None:
        self.ch.append(c)
        self.esc.append(escaped)
        self.pos.append(pos)

    def error(self, i: int, code: str, reason: str) -> GiftSyntaxError:
        line, col = self.pos[i] if i < len(self.pos) else self.end_pos
        return GiftSyntaxError(line, col, reason, code=code)

    def is_(self, i: int, s: str) -> bool:
        """Whether the unescaped string ``s`` starts at ``i``."""

        return all(
            i + k < len(self.ch) and self.ch[i + k] == c and not self.esc[i + k]
            for k, c in enumerate(s)
        )

    def find(self, s: str, start: int, end: int) -> int:
        for i in range(start, end - len(s) + 1):
            if self.is_(i, s):
                return i
        return -1

    def rfind(self, s: str, start: int, end: int) -> int:
        for i in range(end - len(s), start - 1, -1):
            if self.is_(i, s):
                return i
        return -1

    def strip(self, start: int, end: int) -> tuple[int, int]:
        while start < end and self.ch[start].isspace():
            start += 1
        while end > start and self.ch[end - 1].isspace():
            end -= 1
        return start, end

    def text(self, start: int, end: int) -> str:
        a, b = self.strip(start, end)
        return "".join(self.ch[a:b])

    def split(self, start: int, end: int, seps: str) -> list[tuple[str | None, int, int]]:
        """Pieces between unescaped separators: (separator before it, start, end)."""

        out: list[tuple[str | None, int, int]] = []
        sep: str | None = None
        piece = start
        for i in range(start, end):
            if self.ch[i] in seps and not self.esc[i]:
                out.append((sep, piece, i))
                sep, piece = self.ch[i], i + 1
        out.append((sep, piece, end))
        return out


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


def _blocks(text: str) -> Iterable[list[tuple[int, str]]]:
    block: list[tuple[int, str]] = []
    for lineno, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            if block:
                yield block
            block = []
        elif stripped.startswith("//"):
            continue
        elif stripped.startswith("$CATEGORY:"):
            if block:
                yield block
            yield [(lineno, line)]
            block = []
        else:
            block.append((lineno, line))
    if block:
        yield block


def parse_gift(text: str) -> list[Question]:
    """Parse a GIFT text; raise :class:`GiftSyntaxError` on the first error."""

    questions: list[Question] = []
    category: str | None = None
    for block in _blocks(text):
        first = block[0][1].strip()
        if first.startswith("$CATEGORY:"):
            category = first[len("$CATEGORY:") :].strip() or None
            continue
        questions.append(_parse_question(_Src(block), category))
    return questions


def _parse_question(src: _Src, category: str | None) -> Question:
    n = len(src.ch)
    i, _ = src.strip(0, n)
    title: str | None = None
    if src.is_(i, "::"):
        close = src.find("::", i + 2, n)
        if close < 0:
            raise src.error(i, "title_not_closed", "the title is not closed with ::")
        title = src.text(i + 2, close) or None
        i = close + 2

    open_ = src.find("{", i, n)
    stray = src.find("}", i, open_ if open_ >= 0 else n)
    if stray >= 0:
        raise src.error(stray, "stray_close_brace", "} without an opening {")
    if open_ < 0:
        fmt, body = _format(src, i, n)
        if not body:
            raise src.error(i, "no_text", "the question has no text")
        return Question(
            type="description",
            text=body,
            title=title,
            text_format=fmt,
            category=category,
            line=src.pos[0][0],
        )
    close = src.find("}", open_ + 1, n)
    inner = src.find("{", open_ + 1, close if close >= 0 else n)
    if close < 0:
        raise src.error(open_, "brace_not_closed", "the answers opened here are not closed with }")
    if inner >= 0:
        raise src.error(
            inner, "brace_in_answers", "a { inside the answers (write \\{ for a literal brace)"
        )
    for extra in ("{", "}"):
        k = src.find(extra, close + 1, n)
        if k >= 0:
            raise src.error(k, "second_answers", "a question has only one set of answers in braces")

    fmt, before = _format(src, i, open_)
    after = src.text(close + 1, n) or None
    if not before and not after:
        raise src.error(open_, "no_text", "the question has no text")
    q = Question(
        type="essay",
        text=before,
        title=title,
        text_format=fmt,
        text_after=after,
        category=category,
        line=src.pos[0][0],
    )
    q = _parse_answers(src, open_, close, q)
    try:
        steps.validate(q.to_step_definition())
    except steps.StepDefinitionError as exc:
        raise src.error(open_, "invalid_step", f"{exc.reason} ({exc.path})") from exc
    return q


def _format(src: _Src, start: int, end: int) -> tuple[str | None, str]:
    a, b = src.strip(start, end)
    raw = "".join(src.ch[a : min(b, a + 12)])
    m = _FORMAT_RE.match(raw)
    if m and not any(src.esc[a : a + m.end()]):
        return m.group(1), src.text(a + m.end(), b)
    return None, src.text(a, b)


def _replace(q: Question, **changes: Any) -> Question:
    return dataclasses.replace(q, **changes)


def _parse_answers(src: _Src, open_: int, close: int, q: Question) -> Question:
    a, b = src.strip(open_ + 1, close)
    gf = src.rfind("####", a, b)
    if gf >= 0:
        q = _replace(q, general_feedback=src.text(gf + 4, b) or None)
        a, b = src.strip(a, gf)
    if a == b:
        return q  # essay
    if src.is_(a, "#"):
        return _parse_numerical(src, open_, a + 1, b, q)
    if src.find("~", a, b) >= 0:
        return _parse_choice(src, open_, a, b, q)
    if src.find("=", a, b) >= 0 and src.find("->", a, b) >= 0:
        return _parse_matching(src, open_, a, b, q)
    hash_ = src.find("#", a, b)
    head = src.text(a, hash_ if hash_ >= 0 else b)
    if head in ("T", "TRUE", "F", "FALSE") and not any(src.esc[a : hash_ if hash_ >= 0 else b]):
        bits = src.split(hash_, b, "#")[1:] if hash_ >= 0 else []
        if len(bits) > 2:
            raise src.error(
                bits[2][1] - 1, "too_many_feedbacks", "true/false takes at most two feedbacks"
            )
        fb = [src.text(s, e) or None for _, s, e in bits] + [None, None]
        return _replace(
            q,
            type="true_false",
            truth=head.startswith("T"),
            feedback_wrong=fb[0],
            feedback_right=fb[1],
        )
    return _parse_short(src, open_, a, b, q)


def _weight(src: _Src, s: int, e: int, low: float) -> tuple[float | None, int]:
    """An optional ``%w%`` at ``s``: (weight or None, where the rest starts)."""

    s, e = src.strip(s, e)
    if not src.is_(s, "%"):
        return None, s
    close = src.find("%", s + 1, e)
    if close < 0:
        raise src.error(s, "weight_not_closed", "the weight is not closed with %")
    raw = "".join(src.ch[s + 1 : close]).strip()
    if not _WEIGHT_RE.fullmatch(raw):
        raise src.error(s, "weight_not_number", f"the weight %{raw}% is not a number")
    w = float(raw)
    if not low <= w <= 100:
        raise src.error(s, "weight_range", f"the weight {raw}% is outside {low:g}..100")
    return w, close + 1


def _text_and_feedback(src: _Src, s: int, e: int) -> tuple[str, str | None]:
    h = src.find("#", s, e)
    if h < 0:
        return src.text(s, e), None
    return src.text(s, h), src.text(h + 1, e) or None


def _parse_choice(src: _Src, open_: int, a: int, b: int, q: Question) -> Question:
    pieces = src.split(a, b, "~=")
    if src.text(pieces[0][1], pieces[0][2]):
        raise src.error(pieces[0][1], "answer_without_marker", "an answer must start with = or ~")
    single = any(sep == "=" for sep, _, _ in pieces[1:])
    choices = []
    for sep, s, e in pieces[1:]:
        w, s = _weight(src, s, e, -100.0)
        text, fb = _text_and_feedback(src, s, e)
        if not text:
            raise src.error(s - 1, "empty_answer", "an empty answer")
        if w is None:
            w = 100.0 if sep == "=" else 0.0
        choices.append(Choice(text=text, weight=w, feedback=fb))
    if len(choices) < 2:
        raise src.error(
            open_, "too_few_answers", "a multiple-choice question needs at least two answers"
        )
    if single:
        return _replace(q, type="multiple_choice", choices=tuple(choices))
    positive = sum(c.weight for c in choices if c.weight > 0)
    if positive == 0:
        raise src.error(
            open_, "no_correct", "no correct answer: mark one with = or give weights such as ~%50%"
        )
    if abs(positive - 100) > steps.WEIGHT_TOLERANCE:
        raise src.error(
            open_,
            "weights_sum",
            f"the positive weights add up to {positive:g}%, they must add up to 100%",
        )
    return _replace(q, type="multiple_answer", choices=tuple(choices))


def _parse_short(src: _Src, open_: int, a: int, b: int, q: Question) -> Question:
    pieces = src.split(a, b, "=")
    if not src.text(pieces[0][1], pieces[0][2]):
        pieces = pieces[1:]
    choices = []
    for _, s, e in pieces:
        w, s = _weight(src, s, e, 0.0)
        text, fb = _text_and_feedback(src, s, e)
        if not text:
            raise src.error(max(s - 1, a), "empty_answer", "an empty answer")
        choices.append(Choice(text=text, weight=100.0 if w is None else w, feedback=fb))
    if not any(c.weight == 100 for c in choices):
        raise src.error(open_, "no_full_credit", "no answer gets full credit (100%)")
    return _replace(q, type="short_answer", choices=tuple(choices))


def _number(src: _Src, s: int, e: int, what: str) -> float:
    raw = src.text(s, e)
    if not _NUMBER_RE.fullmatch(raw):
        raise src.error(src.strip(s, e)[0], "not_number", f"{what} {raw!r} is not a number")
    value = float(raw)
    if not math.isfinite(value):
        raise src.error(s, "not_number", f"{what} {raw!r} is not a finite number")
    return value


def _parse_numerical(src: _Src, open_: int, a: int, b: int, q: Question) -> Question:
    tilde = src.find("~", a, b)
    if tilde >= 0:
        raise src.error(
            tilde,
            "unsupported_other_feedback",
            "feedback for any other numerical answer (~) is not supported",
        )
    pieces = src.split(a, b, "=")
    if not src.text(pieces[0][1], pieces[0][2]):
        pieces = pieces[1:]
    if not pieces:
        raise src.error(open_, "no_answer", "a numerical question needs an answer")
    answers = []
    for _, s, e in pieces:
        w, s = _weight(src, s, e, 0.0)
        h = src.find("#", s, e)
        fb = (src.text(h + 1, e) or None) if h >= 0 else None
        end = h if h >= 0 else e
        dots = src.find("..", s, end)
        colon = src.find(":", s, end)
        weight = 100.0 if w is None else w
        if dots >= 0:
            low = _number(src, s, dots, "the lower bound")
            high = _number(src, dots + 2, end, "the upper bound")
            if low > high:
                raise src.error(s, "empty_range", "the range ends below its start")
            answers.append(NumericAnswer(weight=weight, low=low, high=high, feedback=fb))
        else:
            value = _number(src, s, colon if colon >= 0 else end, "the answer")
            tol = _number(src, colon + 1, end, "the tolerance") if colon >= 0 else 0.0
            if tol < 0:
                raise src.error(colon + 1, "negative_tolerance", "the tolerance is negative")
            answers.append(NumericAnswer(weight=weight, value=value, tolerance=tol, feedback=fb))
    if not any(x.weight == 100 for x in answers):
        raise src.error(open_, "no_full_credit", "no answer gets full credit (100%)")
    return _replace(q, type="numerical", numeric=tuple(answers))


def _parse_matching(src: _Src, open_: int, a: int, b: int, q: Question) -> Question:
    pieces = src.split(a, b, "=")
    if src.text(pieces[0][1], pieces[0][2]):
        raise src.error(pieces[0][1], "pair_without_marker", "a matching pair must start with =")
    pairs = []
    for _, s, e in pieces[1:]:
        arrow = src.find("->", s, e)
        if arrow < 0:
            raise src.error(s, "pair_without_arrow", "a matching pair needs ->")
        h = src.find("#", s, e)
        if h >= 0:
            raise src.error(h, "matching_feedback", "matching questions take no feedback")
        if src.is_(src.strip(s, e)[0], "%"):
            raise src.error(s, "matching_weight", "matching questions take no weights")
        left, right = src.text(s, arrow), src.text(arrow + 2, e)
        if not left or not right:
            raise src.error(s, "empty_pair_side", "both sides of a matching pair must have text")
        pairs.append(Pair(left=left, right=right))
    if len(pairs) < MIN_MATCHING_PAIRS:
        raise src.error(
            open_,
            "too_few_pairs",
            f"a matching question needs at least {MIN_MATCHING_PAIRS} pairs, not {len(pairs)}",
        )
    return _replace(q, type="matching", pairs=tuple(pairs))


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def _esc(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for c in "~=#{}:":
        out = out.replace(c, "\\" + c)
    return out.replace("\r", "").replace("\n", "\\n")


def _num(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def _fb(feedback: str | None) -> str:
    return "" if feedback is None else "#" + _esc(feedback)


def _choice(c: Choice, sep: str, default: float) -> str:
    weight = "" if c.weight == default and not c.text.startswith("%") else f"%{_num(c.weight)}%"
    return f"{sep}{weight}{_esc(c.text)}{_fb(c.feedback)}"


def _answers(q: Question) -> list[str]:
    if q.type == "multiple_choice":
        return [
            _choice(c, "=", 100.0) if c.weight == 100 else _choice(c, "~", 0.0) for c in q.choices
        ]
    if q.type == "multiple_answer":
        return [_choice(c, "~", 0.0) for c in q.choices]
    if q.type == "short_answer":
        if any("->" in c.text or "->" in (c.feedback or "") for c in q.choices):
            raise ValueError(
                "GIFT cannot write '->' in a short answer: it would read as a matching question"
            )
        return [_choice(c, "=", 100.0) for c in q.choices]
    if q.type == "matching":
        return [f"={_esc(p.left)} -> {_esc(p.right)}" for p in q.pairs]
    if q.type == "numerical":
        out = ["#"]
        for x in q.numeric:
            span = (
                f"{_num(x.value)}:{_num(x.tolerance or 0.0)}"
                if x.value is not None
                else f"{_num(x.low or 0.0)}..{_num(x.high or 0.0)}"
            )
            out.append(f"=%{_num(x.weight)}%{span}{_fb(x.feedback)}")
        return out
    if q.type == "true_false":
        head = "TRUE" if q.truth else "FALSE"
        if q.feedback_right is not None:
            return [f"{head}#{_esc(q.feedback_wrong or '')}#{_esc(q.feedback_right)}"]
        return [head + _fb(q.feedback_wrong)]
    return []


def dump_gift(questions: Iterable[Question]) -> str:
    """Export questions as GIFT text that :func:`parse_gift` reads back equal.

    GIFT has no escape for ``->``, so a short answer containing it cannot be
    written (it would read back as a matching question): ``ValueError``.
    """

    blocks: list[str] = []
    category: str | None = None
    for q in questions:
        if q.category != category and q.category is not None:
            blocks.append(f"$CATEGORY: {q.category}")
        category = q.category
        head = f"::{_esc(q.title)}::" if q.title is not None else ""
        head += f"[{q.text_format}]" if q.text_format is not None else ""
        head += _esc(q.text)
        if q.type == "description":
            blocks.append(head)
            continue
        lines = _answers(q)
        if q.general_feedback is not None:
            lines.append("####" + _esc(q.general_feedback))
        answers = "{" + ("\n" + "\n".join("    " + x for x in lines) + "\n" if lines else "") + "}"
        after = _joined(_esc(q.text_after)) if q.text_after is not None else ""
        blocks.append(f"{head} {answers}{after}" if head else f"{answers}{after}")
    return "\n\n".join(blocks) + "\n"
