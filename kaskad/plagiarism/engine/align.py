"""Passage alignment between a checked text and one candidate source.

Seeds are the word n-grams the two texts share (every n-gram, not only the winnowed ones, so
passage edges are exact). Seeds on the same diagonal (source position - checked position) with
small gaps form runs (vectorised); runs close on both sides are then merged into passages (a
little Python over the runs only). Passages shorter than `min_tokens` words are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AlignParams:
    n: int = 5
    gap: int = 12  # largest gap, in words, bridged inside one passage (both sides)
    min_tokens: int = 30  # shortest passage kept, in words of the checked text
    max_repeat: int = 4  # an n-gram repeated more than this on one side seeds nothing
    source_gap: int = 0  # largest source-side distance between merged runs (0: gap + n);
    # larger values keep reordered sentences of one passage together


@dataclass
class Passage:
    q_start: int  # token range in the checked text, [start, end)
    q_end: int
    s_start: int  # token range in the source
    s_end: int
    seeds: int
    similarity: float


def seeds(
    q_ngrams: np.ndarray,
    s_ngrams: np.ndarray,
    q_allowed: np.ndarray | None,
    max_repeat: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (checked position, source position) of equal n-grams."""
    if len(q_ngrams) == 0 or len(s_ngrams) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.argsort(s_ngrams, kind="stable")
    ss = s_ngrams[order]
    lo = np.searchsorted(ss, q_ngrams, side="left")
    hi = np.searchsorted(ss, q_ngrams, side="right")
    cnt = hi - lo
    ok = (cnt > 0) & (cnt <= max_repeat)
    if q_allowed is not None:
        ok &= q_allowed
    qpos = np.flatnonzero(ok)
    cnt = cnt[qpos]
    lo = lo[qpos]
    total = int(cnt.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    qi = np.repeat(qpos, cnt)
    starts = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt)
    si = order[starts + np.arange(total)]
    return qi.astype(np.int64), si.astype(np.int64)


def align(
    q_ngrams: np.ndarray,
    s_ngrams: np.ndarray,
    params: AlignParams,
    q_allowed: np.ndarray | None = None,
) -> list[Passage]:
    """Passages shared by the two texts, as token ranges on both sides."""
    n = params.n
    qi, si = seeds(q_ngrams, s_ngrams, q_allowed, params.max_repeat)
    if len(qi) == 0:
        return []
    diag = si - qi
    order = np.lexsort((qi, diag))
    qi, si, diag = qi[order], si[order], diag[order]
    brk = np.ones(len(qi), dtype=np.bool_)
    brk[1:] = (diag[1:] != diag[:-1]) | (qi[1:] - qi[:-1] > params.gap)
    run_start = np.flatnonzero(brk)
    run_end = np.append(run_start[1:], len(qi)) - 1
    runs = sorted(
        zip(
            qi[run_start].tolist(),
            qi[run_end].tolist(),
            si[run_start].tolist(),
            si[run_end].tolist(),
            (run_end - run_start + 1).tolist(),
            strict=True,
        )
    )
    # Merge runs into passages: [q_first, q_last, s_first, s_last, seeds] (n-gram positions).
    passages: list[list[int]] = []
    gap = params.gap + n
    source_gap = params.source_gap or gap
    for qf, ql, sf, sl, cnt in runs:
        best = -1
        best_d = 1 << 60
        for k in range(len(passages) - 1, max(-1, len(passages) - 65), -1):
            p = passages[k]
            dq = qf - p[1]
            if dq > gap:
                continue
            ds = max(0, sf - p[3], p[2] - sl)
            if ds > source_gap:
                continue
            d = max(dq, 0) + ds
            if d < best_d:
                best, best_d = k, d
        if best >= 0:
            p = passages[best]
            p[1] = max(p[1], ql)
            p[2] = min(p[2], sf)
            p[3] = max(p[3], sl)
            p[4] += cnt
        else:
            passages.append([qf, ql, sf, sl, cnt])
    out: list[Passage] = []
    for qf, ql, sf, sl, cnt in passages:
        q_len = ql + n - qf
        if q_len < params.min_tokens:
            continue
        out.append(Passage(qf, ql + n, sf, sl + n, cnt, 0.0))
    if not out:
        return []
    # Similarity: share of the passage's words covered by seeds.
    cover = np.zeros(len(q_ngrams) + n + 1, dtype=np.int32)
    np.add.at(cover, qi, 1)
    np.add.at(cover, qi + n, -1)
    covered = np.cumsum(cover) > 0
    for psg in out:
        psg.similarity = float(covered[psg.q_start : psg.q_end].mean())
    out.sort(key=lambda p: p.q_start)
    return out
