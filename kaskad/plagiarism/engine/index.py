"""The persisted fingerprint index and the check of one text against it.

Layout in memory: an inverted index of winnowed n-gram fingerprints as parallel numpy arrays
sorted by hash (`keys` uint64, `docs` int32 document numbers, `pos` int32 first position) — a
main segment plus an append-only delta segment that takes new documents without touching the
main one; the delta is merged into the main segment when it grows past a quarter of it.
Removed documents are tombstoned and dropped at the next merge.

Layout on disk (a directory): `index.sqlite3` holds the documents (id, group, alive flag,
zlib-compressed text), the templates and a manifest naming the current segment files
(`seg-<generation>-{keys,docs,pos}.npy`). `save()` writes new segment files under fresh
names, then switches the manifest and the documents in one SQLite transaction: a crash leaves
either the old or the new state, never a mix. Old segment files are removed afterwards.

A check: fingerprint the text; n-grams that belong to a template, or whose fingerprint is in
more than `max_df` documents (boilerplate), are suppressed and never evidence; candidates are
the documents sharing enough of the remaining fingerprints (containment: counted against the
checked text's own fingerprints, so a short copy inside a long text is found); each candidate
is aligned passage by passage (align.py); passages inside quotation marks or followed by a
citation are "quoted" and not scored.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from kaskad.plagiarism.engine.align import AlignParams, align
from kaskad.plagiarism.engine.fingerprints import Fingerprints, fingerprint, unique_first
from kaskad.plagiarism.engine.quotes import QuoteFinder
from kaskad.plagiarism.engine.types import (
    CROSS_DONE,
    CROSS_SKIPPED,
    CROSS_UNAVAILABLE,
    KIND_COPY,
    KIND_QUOTED,
    Match,
    Report,
    covered_chars,
)

DB_NAME = "index.sqlite3"


@dataclass(frozen=True)
class EngineParams:
    """Tunables. `n` and `w` are fixed per index (stored in it); the rest apply per check."""

    n: int = 5  # words per n-gram
    w: int = 4  # winnowing window (n-grams); keep w <= n so boilerplate runs stay contiguous
    gap: int = 20  # largest gap in words bridged inside one passage
    min_tokens: int = 30  # shortest reported passage, in words (about two sentences)
    source_gap: int = 40  # source-side distance bridged when merging (reordered sentences)
    max_df: int = 25  # a fingerprint in more documents than this is boilerplate
    min_shared: int = 3  # a candidate shares at least this many fingerprints ...
    min_containment: float = 0.0  # ... and at least this share of the checked text's
    max_candidates: int = 30  # candidates aligned per check
    max_cross_language_docs: int = 200  # sources handed to the cross-language step
    merge_min: int = 2_000_000  # delta postings before a merge is considered
    text_level: int = 1  # zlib level for stored texts

    def align_params(self) -> AlignParams:
        return AlignParams(
            n=self.n, gap=self.gap, min_tokens=self.min_tokens, source_gap=self.source_gap
        )


@dataclass
class Prepared:
    """What a document contributes to the index; picklable, so workers can build it."""

    hashes: np.ndarray  # uint64, distinct winnowed fingerprints, sorted
    positions: np.ndarray  # int32, first n-gram position of each
    text_z: bytes  # zlib-compressed UTF-8 text


def prepare(text: str, params: EngineParams) -> Prepared:
    fp = fingerprint(text, params.n, params.w)
    h, p = unique_first(fp.hashes, fp.selected)
    return Prepared(h, p.astype(np.int32), zlib.compress(text.encode("utf-8"), params.text_level))


@dataclass
class _Segment:
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    docs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    pos: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def build(cls, keys: np.ndarray, docs: np.ndarray, pos: np.ndarray) -> _Segment:
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], docs[order], pos[order])

    def ranges(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo = np.searchsorted(self.keys, q, side="left")
        hi = np.searchsorted(self.keys, q, side="right")
        return lo, hi


def _gather(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    cnt = hi - lo
    total = int(cnt.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    return np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(total)


_STOPS = ".!?…"


def _with_final_stop(text: str, end: int) -> int:
    """A passage that ends a sentence keeps its full stop."""
    if end < len(text) and text[end] in _STOPS:
        return end + 1
    return end


class Index:
    """Fingerprint index over documents; see the module docstring."""

    def __init__(self, path: Path | None, params: EngineParams) -> None:
        self.path = path
        self.params = params
        self._main = _Segment()
        self._delta = _Segment()
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_postings = 0
        self._doc_ids: list[str] = []
        self._num_of: dict[str, int] = {}
        self._group_ids: dict[str, int] = {}
        self._groups = np.zeros(0, dtype=np.int32)
        self._alive = np.zeros(0, dtype=np.bool_)
        self._n_docs = 0
        self._texts_z: dict[int, bytes] = {}  # not yet saved
        self._groups_of: dict[int, str] = {}  # not yet saved
        self._removed: set[int] = set()  # not yet saved
        self._saved_docs = 0
        self._templates: dict[str, str] = {}
        self._template_hashes = np.zeros(0, dtype=np.uint64)
        self._templates_dirty = False
        self._main_dirty = False
        self._generation = 0
        self._main_file = ""
        self._delta_file = ""
        self._conn: sqlite3.Connection | None = None
        self._conn_pid = 0

    # ---------------------------------------------------------------- opening and saving
    @classmethod
    def open(cls, path: str | Path | None, params: EngineParams | None = None) -> Index:
        """Load the index at `path` (a directory), or create an empty one there.

        `path=None` gives an in-memory index (save() is then a no-op)."""
        params = params or EngineParams()
        if path is None:
            return cls(None, params)
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        index = cls(path, params)
        index._load()
        return index

    def _db(self) -> sqlite3.Connection:
        assert self.path is not None
        if self._conn is None or self._conn_pid != os.getpid():
            self._conn = sqlite3.connect(self.path / DB_NAME, isolation_level=None)
            self._conn_pid = os.getpid()
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.executescript(
                """
                CREATE TABLE IF NOT EXISTS docs (
                    num INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, grp TEXT NOT NULL,
                    alive INTEGER NOT NULL, text BLOB);
                CREATE TABLE IF NOT EXISTS templates (key TEXT PRIMARY KEY, text TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """
            )
        return self._conn

    def _load(self) -> None:
        db = self._db()
        manifest = dict(db.execute("SELECT key, value FROM manifest").fetchall())
        if "params" in manifest:
            stored = json.loads(manifest["params"])
            # n and w shape the stored fingerprints: the index's own values win.
            self.params = replace(self.params, n=int(stored["n"]), w=int(stored["w"]))
        self._generation = int(manifest.get("generation", "0"))
        rows = db.execute("SELECT num, doc_id, grp, alive FROM docs ORDER BY num").fetchall()
        n_docs = rows[-1][0] + 1 if rows else 0
        self._doc_ids = [""] * n_docs
        self._groups = np.full(n_docs, -1, dtype=np.int32)
        self._alive = np.zeros(n_docs, dtype=np.bool_)
        for num, doc_id, grp, alive in rows:
            self._doc_ids[num] = doc_id
            self._groups[num] = self._group_id(grp)
            if alive:
                self._alive[num] = True
                self._num_of[doc_id] = num
        self._n_docs = n_docs
        self._saved_docs = n_docs
        for key, text in db.execute("SELECT key, text FROM templates").fetchall():
            self._templates[key] = text
        self._rebuild_templates()
        self._templates_dirty = False
        self._main_file = manifest.get("main", "")
        self._delta_file = manifest.get("delta", "")
        if self._main_file:
            self._main = self._read_segment(self._main_file)
        if self._delta_file:
            self._delta = self._read_segment(self._delta_file)

    def _read_segment(self, stem: str) -> _Segment:
        assert self.path is not None
        return _Segment(
            np.load(self.path / f"{stem}-keys.npy"),
            np.load(self.path / f"{stem}-docs.npy"),
            np.load(self.path / f"{stem}-pos.npy"),
        )

    def _write_segment(self, stem: str, seg: _Segment) -> None:
        assert self.path is not None
        for part, arr in (("keys", seg.keys), ("docs", seg.docs), ("pos", seg.pos)):
            tmp = self.path / f"{stem}-{part}.npy.tmp"
            with open(tmp, "wb") as fh:
                np.save(fh, arr)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path / f"{stem}-{part}.npy")

    def save(self) -> None:
        """Persist everything atomically (see the module docstring)."""
        if self.path is None:
            return
        self._flush_pending()
        db = self._db()
        gen = self._generation + 1
        main_file = self._main_file
        if self._main_dirty or not main_file:
            main_file = f"seg-{gen}-main"
            self._write_segment(main_file, self._main)
        delta_file = f"seg-{gen}-delta"
        self._write_segment(delta_file, self._delta)
        db.execute("BEGIN IMMEDIATE")
        try:
            new_nums = range(self._saved_docs, self._n_docs)
            db.executemany(
                "INSERT OR REPLACE INTO docs (num, doc_id, grp, alive, text) VALUES (?,?,?,?,?)",
                (
                    (
                        num,
                        self._doc_ids[num],
                        self._groups_of.get(num, ""),
                        int(self._alive[num]),
                        self._texts_z.get(num) if self._alive[num] else None,
                    )
                    for num in new_nums
                ),
            )
            db.executemany(
                "UPDATE docs SET alive = 0, text = NULL WHERE num = ?",
                ((num,) for num in sorted(self._removed) if num < self._saved_docs),
            )
            if self._templates_dirty:
                db.execute("DELETE FROM templates")
                db.executemany(
                    "INSERT INTO templates (key, text) VALUES (?, ?)", self._templates.items()
                )
            manifest = {
                "params": json.dumps(asdict(self.params)),
                "generation": str(gen),
                "main": main_file,
                "delta": delta_file,
            }
            db.executemany(
                "INSERT OR REPLACE INTO manifest (key, value) VALUES (?, ?)", manifest.items()
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        old = {self._main_file, self._delta_file} - {main_file, delta_file, ""}
        self._generation = gen
        self._main_file, self._delta_file = main_file, delta_file
        self._main_dirty = False
        self._templates_dirty = False
        self._saved_docs = self._n_docs
        self._texts_z.clear()
        self._groups_of.clear()
        self._removed.clear()
        for stem in old:
            for part in ("keys", "docs", "pos"):
                (self.path / f"{stem}-{part}.npy").unlink(missing_ok=True)

    # ---------------------------------------------------------------- documents
    def __len__(self) -> int:
        return len(self._num_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._num_of

    def doc_ids(self) -> list[str]:
        return list(self._num_of)

    def _group_id(self, group: str) -> int:
        if not group:
            return -1
        gid = self._group_ids.get(group)
        if gid is None:
            gid = len(self._group_ids)
            self._group_ids[group] = gid
        return gid

    def add(self, doc_id: str, text: str, *, group: str = "") -> None:
        """Index a document; re-adding a doc_id replaces it. Same-group documents never match."""
        self.add_prepared(doc_id, prepare(text, self.params), group=group)

    def add_prepared(self, doc_id: str, prep: Prepared, *, group: str = "") -> None:
        if doc_id in self._num_of:
            self.remove(doc_id)
        num = self._n_docs
        self._n_docs += 1
        if num >= len(self._alive):
            size = max(1024, 2 * len(self._alive))
            self._alive = np.concatenate([self._alive, np.zeros(size, dtype=np.bool_)])
            self._groups = np.concatenate([self._groups, np.full(size, -1, dtype=np.int32)])
        self._doc_ids.append(doc_id)
        self._num_of[doc_id] = num
        self._alive[num] = True
        self._groups[num] = self._group_id(group)
        self._groups_of[num] = group
        self._texts_z[num] = prep.text_z
        k = len(prep.hashes)
        if k:
            self._pending.append((prep.hashes, np.full(k, num, dtype=np.int32), prep.positions))
            self._pending_postings += k

    def remove(self, doc_id: str) -> None:
        num = self._num_of.pop(doc_id, None)
        if num is None:
            return
        self._alive[num] = False
        self._texts_z.pop(num, None)
        self._removed.add(num)

    def text_of(self, doc_id: str) -> str:
        num = self._num_of.get(doc_id)
        if num is None:
            raise KeyError(doc_id)
        return self._text_by_num(num)

    def _text_by_num(self, num: int) -> str:
        blob = self._texts_z.get(num)
        if blob is None and self.path is not None:
            row = self._db().execute("SELECT text FROM docs WHERE num = ?", (num,)).fetchone()
            blob = row[0] if row else None
        if blob is None:
            raise KeyError(self._doc_ids[num])
        return zlib.decompress(blob).decode("utf-8")

    # ---------------------------------------------------------------- templates
    def add_template(self, key: str, text: str) -> None:
        """A programme-provided template: its n-grams are never evidence."""
        self._templates[key] = text
        self._templates_dirty = True
        self._rebuild_templates()

    def remove_template(self, key: str) -> None:
        if self._templates.pop(key, None) is not None:
            self._templates_dirty = True
            self._rebuild_templates()

    def _rebuild_templates(self) -> None:
        parts = [
            fingerprint(t, self.params.n, self.params.w).ngrams for t in self._templates.values()
        ]
        self._template_hashes = (
            np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint64)
        )

    # ---------------------------------------------------------------- segments
    def _flush_pending(self) -> None:
        """Move pending postings into the sorted delta; merge the delta when it is large."""
        if self._pending:
            keys = np.concatenate([self._delta.keys] + [p[0] for p in self._pending])
            docs = np.concatenate([self._delta.docs] + [p[1] for p in self._pending])
            pos = np.concatenate([self._delta.pos] + [p[2] for p in self._pending])
            self._pending = []
            self._pending_postings = 0
            self._delta = _Segment.build(keys, docs, pos)
        if len(self._delta) > max(self.params.merge_min, len(self._main) // 4):
            self.merge()

    def merge(self) -> None:
        """Fold the delta into the main segment, dropping removed documents."""
        keys = np.concatenate([self._main.keys, self._delta.keys])
        docs = np.concatenate([self._main.docs, self._delta.docs])
        pos = np.concatenate([self._main.pos, self._delta.pos])
        live = self._alive[docs]
        if not live.all():
            keys, docs, pos = keys[live], docs[live], pos[live]
        self._main = _Segment.build(keys, docs, pos)
        self._delta = _Segment()
        self._main_dirty = True

    def maybe_flush(self) -> None:
        """Cheap to call after each add in bulk loads: flushes in large batches only."""
        if self._pending_postings > max(self.params.merge_min, len(self._main) // 4):
            self._flush_pending()

    @property
    def postings(self) -> int:
        return len(self._main) + len(self._delta) + self._pending_postings

    # ---------------------------------------------------------------- checking
    def check(
        self,
        text: str,
        *,
        doc_id: str | None = None,
        group: str = "",
        cross_language: bool = False,
    ) -> Report:
        """Check `text` against every document except `doc_id` itself and its group."""
        p = self.params
        fp = fingerprint(text, p.n, p.w)
        exclude = {self._num_of[doc_id]} if doc_id is not None and doc_id in self._num_of else set()
        gid = self._group_ids.get(group, -2) if group else -2
        allowed, template_chars, _, ranges = self._suppression(fp)
        matches: list[Match] = []
        cand = self._candidates(fp, allowed, ranges, exclude, gid)
        quotes = QuoteFinder(text)
        for num in cand:
            src_text = self._text_by_num(num)
            sfp = fingerprint(src_text, p.n, p.w)
            matches.extend(
                self._matches_with(fp, sfp, allowed, self._doc_ids[num], src_text, quotes)
            )
        status = CROSS_SKIPPED
        if cross_language:
            status = self._cross_language(text, exclude, gid, matches)
        matches.sort(key=lambda m: (m.start, m.end, m.source_id))
        score = covered_chars(matches) / len(text) if text else 0.0
        return Report(
            similarity=min(1.0, score),
            matches=matches,
            template_chars=template_chars,
            cross_language=status,
        )

    def _suppression(
        self, fp: Fingerprints
    ) -> tuple[np.ndarray, int, np.ndarray, tuple[np.ndarray, ...]]:
        """Which n-gram positions may be evidence, template/boilerplate characters, and for
        the distinct selected fingerprints: the hashes' posting ranges in both segments."""
        self._flush_pending()
        n = self.params.n
        ngr = fp.ngrams
        m = len(ngr)
        uniq, inverse = np.unique(fp.hashes, return_inverse=True)
        lo_m, hi_m = self._main.ranges(uniq)
        lo_d, hi_d = self._delta.ranges(uniq)
        df_u = (hi_m - lo_m) + (hi_d - lo_d)
        bad = np.zeros(m, dtype=np.bool_)
        th = self._template_hashes
        if len(th) and m:
            at = np.minimum(np.searchsorted(th, ngr), len(th) - 1)
            bad |= th[at] == ngr
        bad[fp.selected[df_u[inverse] > self.params.max_df]] = True
        ranges = (uniq, inverse, df_u, lo_m, hi_m, lo_d, hi_d)
        if m == 0 or not bad.any():
            return np.ones(m, dtype=np.bool_), 0, bad, ranges
        # Words covered by a suppressed n-gram; an n-gram made only of such words is suppressed.
        ntok = len(fp.tokens)
        cover = np.zeros(ntok + 1, dtype=np.int32)
        idx = np.flatnonzero(bad)
        np.add.at(cover, idx, 1)
        np.add.at(cover, idx + n, -1)
        tok_bad = np.cumsum(cover[:ntok]) > 0
        csum = np.concatenate([[0], np.cumsum(tok_bad)])
        allowed = (csum[n : n + m] - csum[:m]) != n
        # Characters of suppressed runs of words.
        starts, ends = fp.tokens.starts, fp.tokens.ends
        edges = np.diff(np.concatenate([[0], tok_bad.astype(np.int8), [0]]))
        rs = np.flatnonzero(edges == 1)
        re_ = np.flatnonzero(edges == -1)
        chars = int((ends[re_ - 1] - starts[rs]).sum()) if len(rs) else 0
        return allowed, chars, bad, ranges

    def _candidates(
        self,
        fp: Fingerprints,
        allowed: np.ndarray,
        ranges: tuple[np.ndarray, ...],
        exclude: set[int],
        gid: int,
    ) -> list[int]:
        p = self.params
        uniq, inverse, df_u, lo_m, hi_m, lo_d, hi_d = ranges
        if len(uniq) == 0:
            return []
        # A distinct fingerprint is evidence when at least one of its positions is allowed.
        ok_u = np.zeros(len(uniq), dtype=np.bool_)
        ok_u[inverse[allowed[fp.selected]]] = True
        n_q = max(1, int(ok_u.sum()))
        ok_u &= (df_u > 0) & (df_u <= p.max_df)
        if not ok_u.any():
            return []
        docs = np.concatenate(
            [
                self._main.docs[_gather(lo_m[ok_u], hi_m[ok_u])],
                self._delta.docs[_gather(lo_d[ok_u], hi_d[ok_u])],
            ]
        )
        if len(docs) == 0:
            return []
        nums, counts = np.unique(docs, return_counts=True)
        keep = self._alive[nums] & (counts >= p.min_shared)
        keep &= counts >= p.min_containment * n_q
        if gid >= 0:
            keep &= self._groups[nums] != gid
        nums, counts = nums[keep], counts[keep]
        if exclude:
            mask = ~np.isin(nums, list(exclude))
            nums, counts = nums[mask], counts[mask]
        order = np.argsort(-counts, kind="stable")[: p.max_candidates]
        ranked: list[int] = nums[order].tolist()
        return ranked

    def _matches_with(
        self,
        fp: Fingerprints,
        sfp: Fingerprints,
        allowed: np.ndarray,
        source_id: str,
        src_text: str,
        quotes: QuoteFinder,
    ) -> list[Match]:
        out: list[Match] = []
        qt, st = fp.tokens, sfp.tokens
        fp_text = quotes.text
        for psg in align(fp.ngrams, sfp.ngrams, self.params.align_params(), allowed):
            start = int(qt.starts[psg.q_start])
            end = _with_final_stop(fp_text, int(qt.ends[psg.q_end - 1]))
            s_start = int(st.starts[psg.s_start])
            s_end = _with_final_stop(src_text, int(st.ends[psg.s_end - 1]))
            sim = round(psg.similarity, 4)
            if quotes.inside_quotes(start, end):
                out.append(Match(source_id, start, end, s_start, s_end, KIND_QUOTED, sim))
                continue
            cited = quotes.cited_from(start, end)
            if cited is None:
                out.append(Match(source_id, start, end, s_start, s_end, KIND_COPY, sim))
                continue
            if cited > start:
                # A long passage with a citation at its end: only the last sentence is cited.
                ratio = (cited - start) / max(1, end - start)
                s_cut = s_start + round(ratio * (s_end - s_start))
                out.append(Match(source_id, start, cited, s_start, s_cut, KIND_COPY, sim))
                out.append(Match(source_id, cited, end, s_cut, s_end, KIND_QUOTED, sim))
            else:
                out.append(Match(source_id, start, end, s_start, s_end, KIND_QUOTED, sim))
        return out

    def _cross_language(self, text: str, exclude: set[int], gid: int, matches: list[Match]) -> str:
        try:
            from kaskad.plagiarism.engine import crosslingual
        except ImportError:
            return CROSS_UNAVAILABLE
        try:
            if not crosslingual.available():
                return CROSS_UNAVAILABLE
        except Exception:
            return CROSS_UNAVAILABLE
        candidates: dict[str, str] = {}
        for num in reversed(range(self._n_docs)):
            if len(candidates) >= self.params.max_cross_language_docs:
                break
            if not self._alive[num] or num in exclude:
                continue
            if gid >= 0 and self._groups[num] == gid:
                continue
            candidates[self._doc_ids[num]] = self._text_by_num(num)
        if candidates:
            # Declared templates are never evidence, in any language.
            matches.extend(
                crosslingual.find_cross_language(
                    text, candidates, templates=list(self._templates.values())
                )
            )
        return CROSS_DONE

    def stats(self) -> dict[str, Any]:
        return {
            "documents": len(self),
            "postings": self.postings,
            "main": len(self._main),
            "delta": len(self._delta),
            "templates": len(self._templates),
        }
