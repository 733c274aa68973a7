"""Step kinds of a self-paced course: content (text, video, file) and quiz items.

Pure Python on purpose (no Django, no other part of Kaskad): definitions,
variants and replies are plain JSON-serialisable dicts stored in JSONField,
and every kind is a class registered by its key in :data:`KINDS`.

Each kind can

* ``validate(definition)`` -- raise :class:`StepDefinitionError` with a field
  path (``"options[2].weight"``), a machine ``code`` and an English reason;
* ``variant(definition, seed)`` -- a per-learner presentation (options
  shuffled deterministically from the seed, see :func:`variant_seed`). The
  variant keeps the permutation (``order[display position] = original
  index``), so a reply given in display positions is checked against the
  original definition;
* ``check(definition, variant, reply)`` -- a :class:`Result` with a score in
  [0, 1]; a malformed reply raises :class:`ReplyError` (it is never graded as
  a wrong answer). ``variant`` and ``check`` expect a definition that passed
  ``validate`` (done once, when the step is saved);
* ``correct_reply(definition, variant)`` -- a reply that scores 1 (for
  "show the answer" and for tests).

Common keys of every definition: ``kind`` (str, required), ``title``
(str, optional), ``format`` (``"plain"``, ``"markdown"``, ``"html"`` or
``"moodle"``; optional) and ``feedback`` (general feedback shown after any
reply; optional str). The keys of each kind are documented on its class.

Weights are percentages (-100..100) as in Moodle's GIFT format; scores are
fractions in [0, 1].
"""

from __future__ import annotations

import hashlib
import math
import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Final

__all__ = [
    "KINDS",
    "Part",
    "ReplyError",
    "Result",
    "StepDefinitionError",
    "StepKind",
    "VariantError",
    "check",
    "correct_reply",
    "get_kind",
    "normalise_text",
    "register",
    "validate",
    "variant",
    "variant_seed",
]

Definition = Mapping[str, Any]
Variant = Mapping[str, Any]
Reply = Mapping[str, Any]

#: Positive weights of a multiple-choice item must sum to 100 % within this
#: many percentage points (Moodle's thirds are written ``33.33333``).
WEIGHT_TOLERANCE: Final = 0.01
_EPS: Final = 1e-9
_FORMATS: Final = frozenset({"plain", "markdown", "html", "moodle"})
_COMMON_KEYS: Final = frozenset({"kind", "title", "format", "feedback"})


# --------------------------------------------------------------------------
# Errors and results
# --------------------------------------------------------------------------


class StepDefinitionError(ValueError):
    """A definition is invalid: ``path`` says where, ``code`` what (machine)."""

    def __init__(self, path: str, code: str, reason: str) -> None:
        super().__init__(f"{path or '<definition>'}: {reason}")
        self.path = path
        self.code = code
        self.reason = reason


class ReplyError(ValueError):
    """A reply does not have the shape the kind expects (not a wrong answer)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path or '<reply>'}: {reason}")
        self.path = path
        self.reason = reason


class VariantError(ValueError):
    """A stored variant does not fit its definition (the definition changed)."""


@dataclass(frozen=True)
class Part:
    """The outcome of one part of an item: an option, a pair, a position, a gap."""

    key: str
    score: float
    correct: bool


@dataclass(frozen=True)
class Result:
    """Outcome of :func:`check`.

    ``score`` is in [0, 1]; ``correct`` means full credit; ``feedback`` is the
    feedback of the chosen answer (or the general feedback); ``parts`` gives
    the per-part details; ``needs_review`` marks replies a person grades.
    """

    score: float
    correct: bool
    feedback: str | None = None
    parts: tuple[Part, ...] = ()
    needs_review: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "correct": self.correct,
            "feedback": self.feedback,
            "parts": [{"key": p.key, "score": p.score, "correct": p.correct} for p in self.parts],
            "needs_review": self.needs_review,
        }


def _result(score: float, feedback: str | None, parts: Sequence[Part] = ()) -> Result:
    score = min(1.0, max(0.0, score))
    if score > 1.0 - _EPS:
        score = 1.0
    elif score < _EPS:
        score = 0.0
    return Result(score=score, correct=score == 1.0, feedback=feedback, parts=tuple(parts))


# --------------------------------------------------------------------------
# Seeds and text normalisation
# --------------------------------------------------------------------------


def variant_seed(*parts: object) -> int:
    """A stable 64-bit seed from, e.g., the enrolment id and the step id.

    Python's ``hash()`` of a string changes between processes, so it must not
    be used for variants that a learner sees again tomorrow.
    """

    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _rng(seed: int | str, *salt: object) -> random.Random:
    return random.Random(variant_seed(seed, *salt))


def _permutation(n: int, seed: int | str, *salt: object, shuffle: bool = True) -> list[int]:
    """A Fisher-Yates shuffle of ``range(n)`` driven by ``Random.random()``.

    Python only promises that seeding and ``random()`` stay the same across
    versions (``shuffle`` may change), so a learner's variant can be rebuilt
    from its seed after an upgrade.
    """

    order = list(range(n))
    if shuffle and n > 1:
        rng = _rng(seed, *salt)
        for i in range(n - 1, 0, -1):
            j = int(rng.random() * (i + 1))
            order[i], order[j] = order[j], order[i]
    return order


# Latin letters that look like Cyrillic (Russian and Kazakh) ones. Upper case
# is folded before casefolding (Latin H looks like Cyrillic Н, but h does not
# look like н), lower case after.
_LOOKALIKE_UPPER: Final = str.maketrans(
    {
        "A": "А",
        "B": "В",
        "C": "С",
        "E": "Е",
        "H": "Н",
        "I": "І",
        "K": "К",
        "M": "М",
        "O": "О",
        "P": "Р",
        "T": "Т",
        "X": "Х",
        "Y": "Ү",
    }
)
_LOOKALIKE_LOWER: Final = str.maketrans(
    {
        "a": "а",
        "c": "с",
        "e": "е",
        "h": "һ",
        "i": "і",
        "o": "о",
        "p": "р",
        "x": "х",
        "y": "у",
        "ё": "е",
    }
)
_SPACES: Final = re.compile(r"\s+")


def normalise_text(text: str, *, case_sensitive: bool = False) -> str:
    """The key a short-text reply is compared by.

    NFKC, spaces collapsed and trimmed, ``ё`` read as ``е``, and Latin letters
    that look like Cyrillic ones (a/а, c/с, e/е, o/о, p/р, x/х, y/у, i/і, h/һ,
    and capitals such as H/Н, K/К, M/М, T/Т, Y/Ү) read as the Cyrillic letter,
    so a reply typed with a mixed keyboard layout matches. Unless
    ``case_sensitive``, letters are casefolded. Kazakh letters that only
    *sound* like Russian ones (ә/а, ұ/у, қ/к) stay distinct: they change the
    word.
    """

    text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub(" ", text).strip()
    text = text.translate(_LOOKALIKE_UPPER)
    if not case_sensitive:
        text = text.casefold()
    text = text.translate(_LOOKALIKE_LOWER).replace("Ё", "Е")
    return text


# --------------------------------------------------------------------------
# Small validation helpers
# --------------------------------------------------------------------------


def _fail(path: str, code: str, reason: str) -> StepDefinitionError:
    return StepDefinitionError(path, code, reason)


def _require_mapping(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, "not_object", "must be an object")
    return value


def _require_str(d: Mapping[str, Any], key: str, path: str, *, empty: bool = False) -> str:
    value = d.get(key)
    where = f"{path}.{key}" if path else key
    if not isinstance(value, str):
        raise _fail(where, "required" if value is None else "not_string", "must be a string")
    if not empty and not value.strip():
        raise _fail(where, "empty", "must not be empty")
    return value


def _optional_str(d: Mapping[str, Any], key: str, path: str) -> str | None:
    value = d.get(key)
    if value is not None and not isinstance(value, str):
        raise _fail(f"{path}.{key}" if path else key, "not_string", "must be a string")
    return value


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(where, "not_number", "must be a finite number")
    return float(value)


def _weight(d: Mapping[str, Any], path: str, default: float, low: float = -100.0) -> float:
    if "weight" not in d:
        return default
    w = _number(d["weight"], f"{path}.weight")
    if not low <= w <= 100.0:
        raise _fail(f"{path}.weight", "weight_range", f"must be between {low:g} and 100")
    return w


def _require_list(d: Mapping[str, Any], key: str, path: str, minimum: int) -> list[Any]:
    value = d.get(key)
    where = f"{path}.{key}" if path else key
    if not isinstance(value, list):
        raise _fail(where, "required" if value is None else "not_list", "must be a list")
    if len(value) < minimum:
        raise _fail(where, "too_few", f"needs at least {minimum} items")
    return value


def _check_keys(d: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    unknown = sorted(set(d) - allowed)
    if unknown:
        where = f"{path}.{unknown[0]}" if path else unknown[0]
        raise _fail(where, "unknown_key", "is not a known field")


def _check_common(d: Mapping[str, Any], kind: str, extra: frozenset[str]) -> None:
    if d.get("kind") != kind:
        raise _fail("kind", "wrong_kind", f"must be {kind!r}")
    _check_keys(d, _COMMON_KEYS | extra, "")
    _optional_str(d, "title", "")
    _optional_str(d, "feedback", "")
    fmt = d.get("format")
    if fmt is not None and fmt not in _FORMATS:
        raise _fail("format", "unknown_format", f"must be one of {', '.join(sorted(_FORMATS))}")


def _order(v: Variant, key: str, n: int) -> list[int]:
    order = v.get(key) if isinstance(v, Mapping) else None
    if not isinstance(order, list) or sorted(order) != list(range(n)):
        raise VariantError(f"variant {key!r} is not a permutation of {n} items")
    return order


def _position(value: object, n: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ReplyError(where, "must be a whole number")
    if not 0 <= value < n:
        raise ReplyError(where, f"must be between 0 and {n - 1}")
    return value


def _reply_mapping(reply: object, keys: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(reply, Mapping):
        raise ReplyError("", "must be an object")
    unknown = sorted(set(reply) - keys)
    if unknown:
        raise ReplyError(unknown[0], "is not a known field")
    for key in keys:
        if key not in reply:
            raise ReplyError(key, "is required")
    return reply


# --------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------


class StepKind:
    """Base class of a step kind; subclasses are registered with :func:`register`."""

    key: ClassVar[str]
    graded: ClassVar[bool] = True
    auto_graded: ClassVar[bool] = True

    def validate(self, definition: Definition) -> None:
        raise NotImplementedError

    def variant(self, definition: Definition, seed: int | str) -> dict[str, Any]:
        return {}

    def check(self, definition: Definition, variant: Variant, reply: Reply) -> Result:
        raise ReplyError("", "this step takes no reply")

    def correct_reply(self, definition: Definition, variant: Variant) -> dict[str, Any]:
        raise ReplyError("", "this step takes no reply")


KINDS: dict[str, StepKind] = {}


def register(cls: type[StepKind]) -> type[StepKind]:
    """Class decorator: register a kind under its ``key``."""

    if cls.key in KINDS:
        raise ValueError(f"step kind {cls.key!r} is already registered")
    KINDS[cls.key] = cls()
    return cls


def get_kind(definition: Definition) -> StepKind:
    if not isinstance(definition, Mapping):
        raise _fail("", "not_object", "must be an object")
    key = definition.get("kind")
    if not isinstance(key, str) or key not in KINDS:
        raise _fail("kind", "unknown_kind", f"must be one of {', '.join(sorted(KINDS))}")
    return KINDS[key]


def validate(definition: Definition) -> None:
    get_kind(definition).validate(definition)


def variant(definition: Definition, seed: int | str) -> dict[str, Any]:
    return get_kind(definition).variant(definition, seed)


def check(definition: Definition, variant: Variant, reply: Reply) -> Result:
    return get_kind(definition).check(definition, variant, reply)


def correct_reply(definition: Definition, variant: Variant) -> dict[str, Any]:
    return get_kind(definition).correct_reply(definition, variant)


# --------------------------------------------------------------------------
# Content kinds
# --------------------------------------------------------------------------


@register
class TextStep(StepKind):
    """``{"kind": "text", "body": str}`` -- reading material (or a GIFT description)."""

    key = "text"
    graded = False
    auto_graded = False

    def validate(self, definition: Definition) -> None:
        _check_common(definition, self.key, frozenset({"body"}))
        _require_str(definition, "body", "")


@register
class VideoStep(StepKind):
    """``{"kind": "video", "url": "https://…", "duration_seconds": int > 0 (optional),
    "captions": {language code: "https://…"} (optional), "transcript": str (optional)}``;
    an uploaded video has ``"storage_key": str`` (the stored file) instead of ``url``."""

    key = "video"
    graded = False
    auto_graded = False

    def validate(self, definition: Definition) -> None:
        _check_common(
            definition,
            self.key,
            frozenset({"url", "storage_key", "duration_seconds", "captions", "transcript"}),
        )
        if "storage_key" in definition:
            if "url" in definition:
                raise _fail("url", "both_sources", "give an address or a file, not both")
            _require_str(definition, "storage_key", "")
        else:
            url = _require_str(definition, "url", "")
            if not url.startswith("https://"):
                raise _fail("url", "not_https", "must be an https:// address")
        _optional_str(definition, "transcript", "")
        duration = definition.get("duration_seconds")
        if duration is not None and (
            isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0
        ):
            raise _fail("duration_seconds", "not_positive", "must be a positive whole number")
        captions = definition.get("captions")
        if captions is not None:
            for lang, cap in _require_mapping(captions, "captions").items():
                if not isinstance(cap, str) or not cap.startswith("https://"):
                    raise _fail(f"captions.{lang}", "not_https", "must be an https:// address")


@register
class FileStep(StepKind):
    """``{"kind": "file", "name": str, "storage_key": str, "size": int >= 0,
    "media_type": str}`` -- a downloadable file kept in the file storage."""

    key = "file"
    graded = False
    auto_graded = False

    def validate(self, definition: Definition) -> None:
        _check_common(
            definition, self.key, frozenset({"name", "storage_key", "size", "media_type"})
        )
        _require_str(definition, "name", "")
        _require_str(definition, "storage_key", "")
        size = definition.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise _fail("size", "not_size", "must be a whole number of bytes")
        media = _require_str(definition, "media_type", "")
        if "/" not in media:
            raise _fail("media_type", "not_media_type", "must look like type/subtype")


# --------------------------------------------------------------------------
# Quiz kinds
# --------------------------------------------------------------------------

_OPTION_KEYS: Final = frozenset({"text", "weight", "feedback"})


def _options(definition: Definition, default_weight: float) -> list[tuple[str, float, str | None]]:
    raw = _require_list(definition, "options", "", 2)
    out = []
    seen: set[str] = set()
    for i, opt in enumerate(raw):
        path = f"options[{i}]"
        opt = _require_mapping(opt, path)
        _check_keys(opt, _OPTION_KEYS, path)
        text = _require_str(opt, "text", path)
        key = normalise_text(text, case_sensitive=True)
        if key in seen:
            raise _fail(f"{path}.text", "duplicate", "repeats another option")
        seen.add(key)
        out.append((text, _weight(opt, path, default_weight), _optional_str(opt, "feedback", path)))
    return out


@register
class SingleChoice(StepKind):
    """One option to pick.

    Definition: ``{"kind": "single_choice", "prompt": str, "options": [{"text":
    str, "weight": percent -100..100 (default 0), "feedback": str?}, …] (>= 2),
    "shuffle": bool (default true)}``; at least one option has weight 100 (the
    correct one); partial weights give partial credit (GIFT ``~%50%``),
    negative ones score 0. Variant: ``{"order": [original index, …]}``.
    Reply: ``{"choice": display position}``.
    """

    key = "single_choice"

    def validate(self, definition: Definition) -> None:
        _check_common(definition, self.key, frozenset({"prompt", "options", "shuffle"}))
        _require_str(definition, "prompt", "", empty=True)
        if not isinstance(definition.get("shuffle", True), bool):
            raise _fail("shuffle", "not_bool", "must be true or false")
        if not any(w == 100.0 for _, w, _ in _options(definition, 0.0)):
            raise _fail("options", "no_correct", "needs an option with weight 100")

    def variant(self, definition: Definition, seed: int | str) -> dict[str, Any]:
        n = len(definition["options"])
        return {"order": _permutation(n, seed, shuffle=definition.get("shuffle", True))}

    def check(self, definition: Definition, variant: Variant, reply: Reply) -> Result:
        options = definition["options"]
        order = _order(variant, "order", len(options))
        r = _reply_mapping(reply, frozenset({"choice"}))
        chosen = options[order[_position(r["choice"], len(options), "choice")]]
        weight = float(chosen.get("weight", 0))
        fb = chosen.get("feedback") or definition.get("feedback")
        return _result(weight / 100.0, fb)

    def correct_reply(self, definition: Definition, variant: Variant) -> dict[str, Any]:
        order = _order(variant, "order", len(definition["options"]))
        for pos, i in enumerate(order):
            if float(definition["options"][i].get("weight", 0)) == 100.0:
                return {"choice": pos}
        raise VariantError("no correct option")


@register
class MultipleChoice(StepKind):
    """Any number of options to tick (GIFT multiple answers).

    Definition as :class:`SingleChoice` with ``"kind": "multiple_choice"``;
    the positive weights must sum to 100 (within 0.01, Moodle's rule) and
    weights lie in -100..100. Score: the sum of the ticked weights over the
    sum of the positive weights, clamped to [0, 1] -- negative weights take
    back credit from wrong ticks, so ticking everything does not pay. Reply: ``{"choices": [display
    position, …]}`` (no repeats; may be empty).
    """

    key = "multiple_choice"

    def validate(self, definition: Definition) -> None:
        _check_common(definition, self.key, frozenset({"prompt", "options", "shuffle"}))
        _require_str(definition, "prompt", "")
        if not isinstance(definition.get("shuffle", True), bool):
            raise _fail("shuffle", "not_bool", "must be true or false")
        options = _options(definition, 0.0)
        positive = sum(w for _, w, _ in options if w > 0)
        if positive == 0:
            raise _fail("options", "no_correct", "needs at least one option with a positive weight")
        if abs(positive - 100.0) > WEIGHT_TOLERANCE:
            raise _fail(
                "options", "weights_sum", f"positive weights sum to {positive:g}, not to 100"
            )

    def variant(self, definition: Definition, seed: int | str) -> dict[str, Any]:
        n = len(definition["options"])
        return {"order": _permutation(n, seed, shuffle=definition.get("shuffle", True))}

    def check(self, definition: Definition, variant: Variant, reply: Reply) -> Result:
        options = definition["options"]
        n = len(options)
        order = _order(variant, "order", n)
        r = _reply_mapping(reply, frozenset({"choices"}))
        if not isinstance(r["choices"], list):
            raise ReplyError("choices", "must be a list")
        chosen = [order[_position(c, n, f"choices[{k}]")] for k, c in enumerate(r["choices"])]
        if len(set(chosen)) != len(chosen):
            raise ReplyError("choices", "must not repeat an option")
        picked = set(chosen)
        total = 0.0
        parts = []
        feedback = []
        for i, opt in enumerate(options):
            w = float(opt.get("weight", 0))
            if i in picked:
                total += w
                if opt.get("feedback"):
                    feedback.append(opt["feedback"])
            ok = (i in picked) == (w > 0)
            parts.append(Part(key=str(i), score=1.0 if ok else 0.0, correct=ok))
        fb = "\n".join(feedback) or definition.get("feedback")
        # Divide by the positive total (100 within WEIGHT_TOLERANCE), so that
        # thirds written 33.33333 still give exactly 1 for the right ticks.
        positive = sum(float(o.get("weight", 0)) for o in options if float(o.get("weight", 0)) > 0)
        return _result(total / positive, fb, parts)

    def correct_reply(self, definition: Definition, variant: Variant) -> dict[str, Any]:
        order = _order(variant, "order", len(definition["options"]))
        return {
            "choices": [
                pos
                for pos, i in enumerate(order)
                if float(definition["options"][i].get("weight", 0)) > 0
            ]
        }


@register
class TrueFalse(StepKind):
    """``{"kind": "true_false", "prompt": str, "answer": bool,
    "feedback_correct": str?, "feedback_wrong": str?}``. No variant.
    Reply: ``{"value": bool}``."""

    key = "true_false"

    def validate(self, definition: Definition) -> None:
        _check_common(
            definition,
            self.key,
            frozenset({"prompt", "answer", "feedback_correct", "feedback_wrong"}),
        )
        _require_str(definition, "prompt", "")
        if not isinstance(definition.get("answer"), bool):
            raise _fail("answer", "not_bool", "must be true or false")
        _optional_str(definition, "feedback_correct", "")
        _optional_str(definition, "feedback_wrong", "")

    def check(self, definition: Definition, variant: Variant, reply: Reply) -> Result:
        r = _reply_mapping(reply, frozenset({"value"}))
        if not isinstance(r["value"], bool):
            raise ReplyError("value", "must be true or false")
        ok = r["value"] is definition["answer"]
        fb = definition.get("feedback_correct" if ok else "feedback_wrong")
        return _result(1.0 if ok else 0.0, fb or definition.get("feedback"))

    def correct_reply(self, definition: Definition, variant: Variant) -> dict[str, Any]:
        return {"value": definition["answer"]}


_ANSWER_KEYS: Final = frozenset({"text", "weight", "feedback"})


@register
class ShortText(StepKind):
    """A typed word or phrase compared after :func:`normalise_text`.

    Definition: ``{"kind": "short_text", "prompt": str, "answers": [{"text":
    str, "weight": percent 0..100 (default 100), "feedback": str?}, …] (>= 1),
    "case_sensitive": bool (default false)}``; at least one answer has weight
    100; the others are accepted alternatives with partial credit. No variant.
    Reply: ``{"text": str}``; the best-matching alternative counts.
    """

    key = "short_text"

    def validate(self, definition: Definition) -> None:
        _check_common(definition, self.key, frozenset({"prompt", "answers", "case_sensitive"}))
        _require_str(definition, "prompt", "", empty=True)
        self._validate_answers(definition, "")

    @staticmethod
    def _validate_answers(definition: Mapping[str, Any], path: str) -> None:
        case = definition.get("case_sensitive", False)
        if not isinstance(case, bool):
            raise _fail(f"{path}case_sensitive", "not_bool", "must be true or false")
        answers = _require_list(definition, "answers", path.rstrip("."), 1)
        best = 0.0
        for i, a in enumerate(answers):
            p = f"{path}answers[{i}]"
            a = _require_mapping(a, p)
            _check_keys(a, _ANSWER_KEYS, p)
            text = _require_str(a, "text", p)
            if not normalise_text(text, case_sensitive=case):
                raise _fail(f"{p}.text", "empty", "must not be empty")
            best = max(best, _weight(a, p, 100.0, low=0.0))
            _optional_str(a, "feedback", p)
        if best != 100.0:
            raise _fail(f"{path}answers", "no_correct", "needs an answer with weight 100")

    def check(self, definition: Definition, variant: Variant, reply: Reply) -> Result:
        r = _reply_mapping(reply, frozenset({"text"}))
        if not isinstance(r["text"], str):
            raise ReplyError("text", "must be a string")
        case = definition.get("case_sensitive", False)
        given = normalise_text(r["text"], case_sensitive=case)
        best: tuple[float, str | None] | None = None
        for a in definition["answers"]:
            if normalise_text(a["text"], case_sensitive=case) == given:
                w = float(a.get("weight", 100))
                if best is None or w > best[0]:
                    best = (w, a.get("feedback"))
        if best is None:
            return _result(0.0, definition.get("feedback"))
        return _result(best[0] / 100.0, best[1] or definition.get("feedback"))

    def correct_reply(self, definition: Definition, variant: Variant) -> dict[str, Any]:
        for a in definition["answers"]:
            if float(a.get("weight", 100)) == 100.0:
                return {"text": a["text"]}
        raise VariantError("no correct answer")


_NUMBER_RE: Final = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def parse_number(text: str) -> float | None:
    """A typed number (a decimal comma is accepted), or None."""

    text = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if not _NUMBER_RE.fullmatch(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


@register
class NumberStep(StepKind):
    """A typed number.

    Definition: ``{"kind": "number", "prompt": str, "answers": [{"value":
    number, "tolerance": number >= 0} or {"min": number, "max": number}, plus
    "weight": percent 0..100 (default 100) and "feedback": str?] (>= 1)}``.
    Every answer states its tolerance (0 for an exact answer) or its range;
    at least one has weight 100. No variant. Reply: ``{"value": number or
    str}`` (a string may use a decimal comma); the best-scoring answer counts.
    """

    key = "number"

    def validate(self, definition: Definition) -> None:
        _check_common(definition, self.key, frozenset({"prompt", "answers"}))
        _require_str(definition, "prompt", "", empty=True)
        self._validate_answers(definition, "")

    @staticmethod
    def _validate_answers(definition: Mapping[str, Any], path: str) -> None:
        answers = _require_list(definition, "answers", path.rstrip("."), 1)
        best = 0.0
        for i, a in enumerate(answers):
            p = f"{path}answers[{i}]"
            a = _require_mapping(a, p)
            _check_keys(a, frozenset({"value", "tolerance", "min", "max", "weight", "feedback"}), p)
            if "value" in a:
                _number(a["value"], f"{p}.value")
                if "tolerance" not in a:
                    raise _fail(
                        f"{p}.tolerance", "no_tolerance", "is required (0 for an exact answer)"
                    )
                if _number(a["tolerance"], f"{p}.tolerance") < 0:
                    raise _fail(f"{p}.tolerance", "negative", "must not be negative")
                if "min" in a or "max" in a:
                    raise _fail(p, "value_and_range", "gives both a value and a range")
            elif "min" in a or "max" in a:
                low = _number(a.get("min"), f"{p}.min")
                high = _number(a.get("max"), f"{p}.max")
                if low > high:
                    raise _fail(f"{p}.max", "empty_range", "must not be below min")
            else:
                raise _fail(p, "no_tolerance", "needs a value with a tolerance, or a min and max")
            best = max(best, _weight(a, p, 100.0, low=0.0))
            _optional_str(a, "feedback", p)
        if best != 100.0:
            raise _fail(f"{path}answers", "no_correct", "needs an answer with weight 100")

    @staticmethod
    def _bounds(a: Mapping[str, Any]) -> tuple[float, float]:
        if "value" in a:
            v, t = float(a["value"]), float(a["tolerance"])
            return v - t, v + t
        return float(a["min"]), float(a["max"])

    def check(self, definition: Definition, variant: Variant, reply: Reply) -> Result:
        r = _reply_mapping(reply, frozenset({"value"}))
        raw = r["value"]
        if isinstance(raw, str):
            value = parse_number(raw)
            if value is None:
                raise ReplyError("value", "is not a number")
        elif isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
            value = float(raw)
        else:
            raise ReplyError("value", "must be a number")
        best: tuple[float, str | None] | None = None
        for a in definition["answers"]:
            low, high = self._bounds(a)
            # A relative slack of 1e-12 absorbs binary rounding (0.1 + 0.2).
            slack = 1e-12 * max(1.0, abs(low), abs(high))
            if low - slack <= value <= high + slack:
                w = float(a.get("weight", 100))
                if best is None or w > best[0]:
                    best = (w, a.get("feedback"))
        if best is None:
            return _result(0.0, definition.get("feedback"))
        return _result(best[0] / 100.0, best[1] or definition.get("feedback"))

    def correct_reply(self, definition: Definition, variant: Variant) -> dict[str, Any]:
        for a in definition["answers"]:
            if float(a.get("weight", 100)) == 100.0:
                low, high = self._bounds(a)
                return {"value": (low + high) / 2}
        raise VariantError("no correct answer")


def _distinct_texts(items: list[Any], path: str, minimum: int) -> list[str]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise _fail(f"{path}[{i}]", "empty", "must be a non-empty string")
        key = normalise_text(item, case_sensitive=True)
        if key in seen:
            raise _fail(f"{path}[{i}]", "duplicate", "repeats another item")
        seen.add(key)
    if len(items) < minimum:
        raise _fail(path, "too_few", f"needs at least {minimum} items")
    return items


@register
class Matching(StepKind):
    """Match each left item to a right item.

    Definition: ``{"kind": "matching", "prompt": str, "left": [str, …],
    "right": [str, …]}`` where ``right[i]`` is the match of ``left[i]``;
    both sides have the same length (>= 2) and no repeats. Variant:
    ``{"left": [original index, …], "right": [original index, …]}`` (both
    columns shuffled). Reply: ``{"matches": [right display position or null
    for each left display position]}``. Score: the share of left items
    matched correctly (each pair is one part).
    """

    key = "matching"

    def validate(self, definition: Definition) -> None:
        _check_common(definition, self.key, frozenset({"prompt", "left", "right"}))
        _require_str(definition, "prompt", "", empty=True)
        left = _require_list(definition, "left", "", 0)
        right = _require_list(definition, "right", "", 0)
        _distinct_texts(left, "left", 2)
        _distinct_texts(right, "right", 2)
        if len(left) != len(right):
            raise _fail("right", "unequal_sides", "must have as many items as left")

    def variant(self, definition: Definition, seed: int | str) -> dict[str, Any]:
        n = len(definition["left"])
        return {"left": _permutation(n, seed, "left"), "right": _permutation(n, seed, "right")}

    def check(self, definition: Definition, variant: Variant, reply: Reply) -> Result:
        n = len(definition["left"])
        lo, ro = _order(variant, "left", n), _order(variant, "right", n)
        r = _reply_mapping(reply, frozenset({"matches"}))
        matches = r["matches"]
        if not isinstance(matches, list) or len(matches) != n:
            raise ReplyError("matches", f"must be a list of {n} items")
        parts = []
        for pos, m in enumerate(matches):
            i = lo[pos]
            ok = m is not None and ro[_position(m, n, f"matches[{pos}]")] == i
            parts.append(Part(key=str(i), score=1.0 if ok else 0.0, correct=ok))
        parts.sort(key=lambda p: int(p.key))
        return _result(sum(p.score for p in parts) / n, definition.get("feedback"), parts)

    def correct_reply(self, definition: Definition, variant: Variant) -> dict[str, Any]:
        n = len(definition["left"])
        lo, ro = _order(variant, "left", n), _order(variant, "right", n)
        return {"matches": [ro.index(i) for i in lo]}


@register
class Ordering(StepKind):
    """Put items in order.

    Definition: ``{"kind": "ordering", "prompt": str, "items": [str, …]}`` in
    the correct order (>= 2, no repeats). Variant: ``{"order": [original
    index, …]}``, never the correct order itself. Reply: ``{"order":
    [display position, …]}``, a permutation giving the learner's order.
    Score: the share of items in their correct position (one part each).
    """

    key = "ordering"

    def validate(self, definition: Definition) -> None:
        _check_common(definition, self.key, frozenset({"prompt", "items"}))
        _require_str(definition, "prompt", "", empty=True)
        _distinct_texts(_require_list(definition, "items", "", 0), "items", 2)

    def variant(self, definition: Definition, seed: int | str) -> dict[str, Any]:
        order = _permutation(len(definition["items"]), seed)
        if order == sorted(order):
            order = order[1:] + order[:1]
        return {"order": order}

    def check(self, definition: Definition, variant: Variant, reply: Reply) -> Result:
        n = len(definition["items"])
        order = _order(variant, "order", n)
        r = _reply_mapping(reply, frozenset({"order"}))
        given = r["order"]
        if not isinstance(given, list) or len(given) != n:
            raise ReplyError("order", f"must be a list of {n} positions")
        originals = [order[_position(p, n, f"order[{k}]")] for k, p in enumerate(given)]
        if len(set(originals)) != n:
            raise ReplyError("order", "must name every item once")
        parts = [
            Part(key=str(k), score=1.0 if i == k else 0.0, correct=i == k)
            for k, i in enumerate(originals)
        ]
        return _result(sum(p.score for p in parts) / n, definition.get("feedback"), parts)

    def correct_reply(self, definition: Definition, variant: Variant) -> dict[str, Any]:
        order = _order(variant, "order", len(definition["items"]))
        return {"order": [order.index(i) for i in range(len(order))]}


#: Kinds a gap of a fill-the-gaps item may take.
GAP_KINDS: Final = ("short_text", "single_choice", "number")


@register
class FillGaps(StepKind):
    """Text with gaps (cloze).

    Definition: ``{"kind": "fill_gaps", "segments": [str or gap, …]}``
    where a gap is ``{"gap": {a short_text, single_choice or number
    definition without "prompt"}, "weight": number > 0 (default 1)}``; at
    least one gap. Gap weights are relative: the score is the weighted mean
    of the gap scores. Variant: ``{"gaps": [variant of each gap]}``. Reply:
    ``{"gaps": [reply of each gap's kind]}``; each gap is one part.
    """

    key = "fill_gaps"

    @staticmethod
    def _gaps(definition: Definition) -> list[tuple[Mapping[str, Any], float]]:
        return [
            (seg["gap"], float(seg.get("weight", 1)))
            for seg in definition["segments"]
            if isinstance(seg, Mapping)
        ]

    @staticmethod
    def _gap_definition(gap: Mapping[str, Any]) -> dict[str, Any]:
        return {"prompt": "", **gap}

    def validate(self, definition: Definition) -> None:
        _check_common(definition, self.key, frozenset({"segments"}))
        segments = _require_list(definition, "segments", "", 1)
        gaps = 0
        for i, seg in enumerate(segments):
            path = f"segments[{i}]"
            if isinstance(seg, str):
                continue
            seg = _require_mapping(seg, path)
            _check_keys(seg, frozenset({"gap", "weight"}), path)
            gap = _require_mapping(seg.get("gap"), f"{path}.gap")
            if not gap:
                raise _fail(f"{path}.gap", "empty_gap", "is empty")
            if gap.get("kind") not in GAP_KINDS:
                raise _fail(
                    f"{path}.gap.kind", "unknown_kind", f"must be one of {', '.join(GAP_KINDS)}"
                )
            if "prompt" in gap:
                raise _fail(f"{path}.gap.prompt", "unknown_key", "is not a known field")
            try:
                KINDS[gap["kind"]].validate(self._gap_definition(gap))
            except StepDefinitionError as exc:
                raise _fail(f"{path}.gap.{exc.path}", exc.code, exc.reason) from exc
            if "weight" in seg and _number(seg["weight"], f"{path}.weight") <= 0:
                raise _fail(f"{path}.weight", "not_positive", "must be above 0")
            gaps += 1
        if gaps == 0:
            raise _fail("segments", "no_gap", "needs at least one gap")

    def variant(self, definition: Definition, seed: int | str) -> dict[str, Any]:
        return {
            "gaps": [
                KINDS[g["kind"]].variant(self._gap_definition(g), variant_seed(seed, "gap", k))
                for k, (g, _) in enumerate(self._gaps(definition))
            ]
        }

    def check(self, definition: Definition, variant: Variant, reply: Reply) -> Result:
        gaps = self._gaps(definition)
        variants = variant.get("gaps") if isinstance(variant, Mapping) else None
        if not isinstance(variants, list) or len(variants) != len(gaps):
            raise VariantError("variant 'gaps' does not fit the definition")
        r = _reply_mapping(reply, frozenset({"gaps"}))
        replies = r["gaps"]
        if not isinstance(replies, list) or len(replies) != len(gaps):
            raise ReplyError("gaps", f"must be a list of {len(gaps)} replies")
        parts, total, weights, feedback = [], 0.0, 0.0, []
        for k, ((gap, w), v, rep) in enumerate(zip(gaps, variants, replies, strict=True)):
            try:
                res = KINDS[gap["kind"]].check(self._gap_definition(gap), v, rep)
            except ReplyError as exc:
                raise ReplyError(
                    f"gaps[{k}]{'.' + exc.path if exc.path else ''}", exc.reason
                ) from exc
            parts.append(Part(key=str(k), score=res.score, correct=res.correct))
            total += w * res.score
            weights += w
            if res.feedback and res.feedback != gap.get("feedback"):
                feedback.append(res.feedback)
        fb = "\n".join(feedback) or definition.get("feedback")
        return _result(total / weights, fb, parts)

    def correct_reply(self, definition: Definition, variant: Variant) -> dict[str, Any]:
        variants = variant["gaps"]
        return {
            "gaps": [
                KINDS[g["kind"]].correct_reply(self._gap_definition(g), v)
                for (g, _), v in zip(self._gaps(definition), variants, strict=True)
            ]
        }


@register
class FreeText(StepKind):
    """An essay a person grades (GIFT ``{}``): not auto-graded.

    Definition: ``{"kind": "free_text", "prompt": str, "min_words": int >= 0
    (optional)}``. Reply: ``{"text": str}``. :func:`check` only checks the
    reply and returns score 0 with ``needs_review=True``.
    """

    key = "free_text"
    auto_graded = False

    def validate(self, definition: Definition) -> None:
        _check_common(definition, self.key, frozenset({"prompt", "min_words"}))
        _require_str(definition, "prompt", "")
        mw = definition.get("min_words")
        if mw is not None and (isinstance(mw, bool) or not isinstance(mw, int) or mw < 0):
            raise _fail("min_words", "not_count", "must be a whole number, 0 or more")

    def check(self, definition: Definition, variant: Variant, reply: Reply) -> Result:
        r = _reply_mapping(reply, frozenset({"text"}))
        if not isinstance(r["text"], str):
            raise ReplyError("text", "must be a string")
        words = len(r["text"].split())
        if words < int(definition.get("min_words") or 0):
            raise ReplyError("text", f"needs at least {definition['min_words']} words")
        return Result(
            score=0.0, correct=False, feedback=definition.get("feedback"), needs_review=True
        )

    def correct_reply(self, definition: Definition, variant: Variant) -> dict[str, Any]:
        raise ReplyError("", "an essay has no single correct reply")
