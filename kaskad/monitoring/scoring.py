"""Scoring a pupil's raw answers against a test's key (no database: item specs in, scores out).

A multiple-choice item takes a letter among its options (A–D for four; Cyrillic look-alikes
А, В, С and lower case are read as the Latin letters) or an already scored 0/1; a
partial-credit item takes a whole score 0..max. An empty cell or "-" is "not answered"
(score None, counted 0 in totals and left out of item facilities).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

LETTERS = "ABCDEFGH"
MISSING = frozenset({"", "-", "—", "–"})
# Cyrillic letters that look like Latin answer letters (a keyboard in the other layout).
LOOK_ALIKES = str.maketrans({"А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H"})


@dataclass(frozen=True)
class ItemSpec:
    position: int
    key: str  # "" for a partial-credit item
    options: int
    max_score: int


class AnswerProblem(ValueError):
    """An answer that is not one of the item's options; the message says what is allowed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def normalise_answer(raw: str) -> str:
    text = raw.strip().upper().translate(LOOK_ALIKES)
    if text.endswith(".0") and text[:-2].isdigit():  # a number typed into a spreadsheet
        text = text[:-2]
    return text


def score_answer(item: ItemSpec, raw: str) -> tuple[str, float | None]:
    """(the answer as stored, its score); raises AnswerProblem for a value outside the
    item's options."""
    text = normalise_answer(raw)
    if text in MISSING:
        return "", None
    if item.key:
        letters = LETTERS[: item.options]
        if len(text) == 1 and text in letters:
            return text, 1.0 if text == item.key else 0.0
        if text in ("0", "1"):
            return text, float(text)
        raise AnswerProblem(
            "answer_not_an_option",
            _("not one of the options %(options)s (or 0/1 as a score, or empty)")
            % {"options": ", ".join(letters)},
        )
    if text.isdigit() and int(text) <= item.max_score:
        return text, float(int(text))
    raise AnswerProblem(
        "score_out_of_range",
        _("not a whole score from 0 to %(max)s (or empty)") % {"max": item.max_score},
    )


def score_row(items: list[ItemSpec], answers: list[str]) -> tuple[list[str], list[float | None]]:
    """Score a complete row (every answer valid: raises AnswerProblem at the first bad one)."""
    stored: list[str] = []
    scores: list[float | None] = []
    for item, raw in zip(items, answers, strict=True):
        answer, score = score_answer(item, raw)
        stored.append(answer)
        scores.append(score)
    return stored, scores


def total_of(scores: list[float | None]) -> float:
    return float(sum(s for s in scores if s is not None))
