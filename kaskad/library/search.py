"""Full-text search of the library on PostgreSQL and on SQLite, with the same pipeline.

Index side (:func:`index_material`): the title, description and extracted text go through
``normalise.tokens_for_index`` (folding, Kazakh exact + loose stems, Snowball for Russian and
English) and are stored as space-separated tokens in ``search_title``, ``search_description``
and ``search_body``. PostgreSQL builds ``search_vector`` from them with the ``simple``
configuration (no further stemming) and weights A, B and C; SQLite keeps the same three
columns in the FTS5 table ``library_material_fts`` (rowid = material id).

Query side (:func:`build_query`): ``normalise.tokens_for_query`` gives, per word, the
alternatives to OR; words are ANDed. Every token is letters and digits only, quoted as a
phrase, so no operator character can reach either engine.

Ranking: ``ts_rank`` with weights {C: 0.4, B: 0.6, A: 1.0} on PostgreSQL, ``bm25`` with column
weights 10/4/1 on SQLite; ties broken by the rating, then the publication date, then the id.
Typos, only when the words match nothing (:func:`corrected_query`): the lexicon
``library_lexicon`` holds every distinct word of the folded titles (kept up by
:func:`write_engine_rows`, filled by migration 0003; words are never removed, so a word whose
materials are gone only costs a correction that matches nothing). Each query word that is not
in it is ORed with its closest lexicon words (:func:`lexicon_neighbours`: candidates from
``pg_trgm``'s ``%`` on a GIN trigram index, or from the FTS5 ``trigram`` table
``library_lexicon_trgm`` of padded words; the similarity, pg_trgm's, and its cut are computed
in Python, so both engines pick the same words) and the ordinary word search runs again; its
matches are ordered by the share of the corrected query's trigrams their title holds, newest
first. The page shows the corrected query (``SearchResult.corrected``). When no correction
matches either, titles are matched by the share of the query's trigrams they hold
(:func:`typo_matching`: ``pg_trgm``'s ``<%`` on the GIN index of ``title_folded``, or the FTS5
``trigram`` table of titles), the last resort.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Max, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kaskad.library.models import LexiconWord, Material, MaterialGrade
from kaskad.library.normalise import MAX_QUERY_TERMS, fold, tokens_for_index, tokens_for_query

# Only so much of a document's text is indexed (the same on both engines).
BODY_INDEX_CHARS = 100_000
TRIGRAM_THRESHOLD = 0.5
TRIGRAM_CANDIDATES = 200
FTS_TABLE = "library_material_fts"
TRIGRAM_TABLE = "library_title_trgm"
# The lexicon of folded title words (typo correction) and, on SQLite, its trigram table.
LEXICON_TABLE = "library_lexicon"
LEXICON_TRIGRAM_TABLE = "library_lexicon_trgm"
LEXICON_MIN_WORD = 3
LEXICON_MAX_WORD = 64
# A misspelled query word is replaced by up to CORRECTIONS lexicon words whose
# trigram_similarity to it is at least CORRECTION_THRESHOLD.
CORRECTION_THRESHOLD = 0.4
CORRECTIONS = 5
_TOKEN_JUNK = re.compile(r"[\W_]+")
# PostgreSQL's ts_rank weights, in the order {D, C, B, A}.
PG_WEIGHTS = [0.1, 0.4, 0.6, 1.0]
SQLITE_WEIGHTS = "10.0, 4.0, 1.0"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _clean_token(token: str) -> str:
    return _TOKEN_JUNK.sub("", token)


def index_tokens(text: str, language: str) -> str:
    """The index form of a text: its tokens, letters and digits only, space-separated."""
    tokens = (_clean_token(t) for t in tokens_for_index(text, language))
    return " ".join(t for t in tokens if t)


def query_groups(text: str) -> list[tuple[str, ...]]:
    """Per query word, the alternatives to OR (empty when the text has no word at all)."""
    groups: list[tuple[str, ...]] = []
    for alternatives in tokens_for_query(text or ""):
        cleaned = tuple(dict.fromkeys(t for t in (_clean_token(a) for a in alternatives) if t))
        if cleaned:
            groups.append(cleaned)
    return groups


def pg_tsquery(groups: list[tuple[str, ...]], *, any_word: bool = False) -> str:
    joiner = " | " if any_word else " & "
    return joiner.join("(" + " | ".join(f"'{t}'" for t in group) + ")" for group in groups)


def fts5_query(groups: list[tuple[str, ...]], *, any_word: bool = False) -> str:
    joiner = " OR " if any_word else " AND "
    return joiner.join("(" + " OR ".join(f'"{t}"' for t in group) + ")" for group in groups)


# --- Indexing --------------------------------------------------------------------------------


def material_texts(material: Material) -> tuple[str, str, str]:
    """Title and description in every language given, and the current files' text."""
    titles = [getattr(material, f"title_{code}", "") or "" for code in ("kk", "ru", "en")]
    descriptions = [
        getattr(material, f"description_{code}", "") or "" for code in ("kk", "ru", "en")
    ]
    body = "\n".join(
        f.text for f in material.files.filter(current=True, searchable=True).only("text")
    )
    return (
        "\n".join(dict.fromkeys(t for t in titles if t)),
        "\n".join(dict.fromkeys(d for d in descriptions if d)),
        body[:BODY_INDEX_CHARS],
    )


def index_values(material: Material, texts: tuple[str, str, str]) -> dict[str, str]:
    title, description, body = texts
    language = material.language
    return {
        "search_title": index_tokens(title, language),
        "search_description": index_tokens(description, language),
        "search_body": index_tokens(body, language),
        "title_folded": " ".join(fold(title.split("\n")[0], language).split())[:300],
    }


def index_material(material: Material) -> None:
    """Write the search columns of one material and its row in the engine's index."""
    values = index_values(material, material_texts(material))
    Material.objects.filter(pk=material.pk).update(**values)
    for name, value in values.items():
        setattr(material, name, value)
    write_engine_rows([material.pk])


def write_engine_rows(ids: Iterable[int]) -> None:
    """(Re)build the engine's index rows of these materials from their search columns."""
    ids = list(ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "UPDATE library_material SET search_vector ="
                " setweight(to_tsvector('simple', search_title), 'A')"
                " || setweight(to_tsvector('simple', search_description), 'B')"
                " || setweight(to_tsvector('simple', search_body), 'C')"
                " WHERE id = ANY(%s)",
                [ids],
            )
            cursor.execute(
                f"INSERT INTO {LEXICON_TABLE} (word)"  # noqa: S608
                " SELECT DISTINCT w FROM library_material,"
                " regexp_split_to_table(title_folded, ' ') AS w"
                " WHERE id = ANY(%s) AND char_length(w) BETWEEN %s AND %s"
                f" AND NOT EXISTS (SELECT 1 FROM {LEXICON_TABLE} l WHERE l.word = w)"
                " ORDER BY w ON CONFLICT DO NOTHING",
                [ids, LEXICON_MIN_WORD, LEXICON_MAX_WORD],
            )
            return
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)  # noqa: S608
            cursor.execute(f"DELETE FROM {TRIGRAM_TABLE} WHERE rowid IN ({marks})", chunk)  # noqa: S608
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, title, description, body)"  # noqa: S608
                " SELECT id, search_title, search_description, search_body"
                f" FROM library_material WHERE id IN ({marks})",
                chunk,
            )
            cursor.execute(
                f"INSERT INTO {TRIGRAM_TABLE} (rowid, title)"  # noqa: S608
                f" SELECT id, title_folded FROM library_material WHERE id IN ({marks})",
                chunk,
            )
            cursor.execute(
                f"SELECT title_folded FROM library_material WHERE id IN ({marks})",  # noqa: S608
                chunk,
            )
            _sqlite_add_words(cursor, {w for (t,) in cursor.fetchall() for w in lexicon_words(t)})


def lexicon_words(title_folded: str) -> set[str]:
    """The lexicon's words of a folded title (the same rule as the SQL of PostgreSQL and of
    the migration: split on spaces, LEXICON_MIN_WORD to LEXICON_MAX_WORD characters)."""
    return {w for w in title_folded.split(" ") if LEXICON_MIN_WORD <= len(w) <= LEXICON_MAX_WORD}


def _sqlite_add_words(cursor: Any, words: set[str]) -> None:
    """Add the words the lexicon lacks, with their padded form in the trigram table."""
    ordered = sorted(words)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ",".join("?" * len(chunk))
        cursor.execute(f"SELECT word FROM {LEXICON_TABLE} WHERE word IN ({marks})", chunk)  # noqa: S608
        known = {w for (w,) in cursor.fetchall()}
        new = [w for w in chunk if w not in known]
        if not new:
            continue
        cursor.executemany(f"INSERT INTO {LEXICON_TABLE} (word) VALUES (?)", [(w,) for w in new])  # noqa: S608
        marks = ",".join("?" * len(new))
        cursor.execute(
            f"INSERT INTO {LEXICON_TRIGRAM_TABLE} (rowid, word)"  # noqa: S608
            f" SELECT id, '  ' || word || ' ' FROM {LEXICON_TABLE} WHERE word IN ({marks})",
            new,
        )


def remove_engine_rows(ids: Iterable[int]) -> None:
    ids = list(ids)
    if not ids or is_postgres():
        return
    with connection.cursor() as cursor:
        marks = ",".join("?" * len(ids))
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)  # noqa: S608
        cursor.execute(f"DELETE FROM {TRIGRAM_TABLE} WHERE rowid IN ({marks})", ids)  # noqa: S608


# --- Matching and ranking ---------------------------------------------------------------------


def _pg_query(groups: list[tuple[str, ...]], any_word: bool) -> Any:
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(pg_tsquery(groups, any_word=any_word), search_type="raw", config="simple")


def matching(
    qs: QuerySet[Material], groups: list[tuple[str, ...]], *, any_word: bool = False
) -> QuerySet[Material]:
    """`qs` narrowed to the materials matching the query words (usable as a subquery)."""
    if is_postgres():
        return qs.filter(search_vector=_pg_query(groups, any_word))
    fq = fts5_query(groups, any_word=any_word)
    return qs.filter(
        pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (fq,))  # noqa: S608, S611
    )


def ranked(
    qs: QuerySet[Material], groups: list[tuple[str, ...]], *, any_word: bool = False
) -> QuerySet[Material]:
    """The matching materials of `qs`, best first (top-level query only: not a subquery)."""
    if is_postgres():
        from django.contrib.postgres.search import SearchRank

        query = _pg_query(groups, any_word)
        return (
            qs.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query, weights=PG_WEIGHTS))
            .order_by(*RANKED)
        )
    fq = fts5_query(groups, any_word=any_word)
    return qs.extra(  # noqa: S610
        select={"rank": f"-bm25({FTS_TABLE}, {SQLITE_WEIGHTS})"},
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE}.rowid = library_material.id", f"{FTS_TABLE} MATCH %s"],
        params=[fq],
    ).order_by(*RANKED)


RANKED = ("-rank", "-rating_avg", "-published_at", "-id")


def _trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: per word (letters and digits), padded with two spaces in front
    and one behind, lower case."""
    grams: set[str] = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all distinct trigrams of both."""
    first, second = _trigrams(a), _trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def query_coverage(query: str, title: str) -> float:
    """The share of the query's trigrams found in the title (pg_trgm-style trigrams): how well
    a short query, typo and all, matches somewhere in a long title."""
    return coverage_of(query)(title)


_WORDS = re.compile(r"[^\W_]+")


def coverage_of(query: str) -> Callable[[str], float]:
    """:func:`query_coverage` of this query, as a function of the title. A trigram of the
    query (never holding a NUL) is one of the title's exactly when it occurs in the title's
    padded words joined by NULs, so no trigram set is built per title."""
    wanted = _trigrams(query)

    def coverage(title: str) -> float:
        if not wanted:
            return 0.0
        padded = "\0".join(f"  {w} " for w in _WORDS.findall(title.lower()))
        return sum(1 for g in wanted if g in padded) / len(wanted)

    return coverage


def typo_matching(qs: QuerySet[Material], text: str) -> list[tuple[int, float]]:
    """(material id, score) of titles that hold the folded query's trigrams, best first.

    Candidates come from the engine's trigram index (PostgreSQL: the `<%` word-similarity
    operator of pg_trgm on the GIN index; SQLite: the FTS5 trigram table), and are scored the
    same way on both (:func:`query_coverage`), so both engines give the same answer."""
    folded = " ".join(fold(text).split())[:300]
    if not folded:
        return []
    if is_postgres():
        with connection.cursor() as cursor:
            # Candidates wider than the final cut, which is the same on both engines.
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', '0.3', false)")
        candidates = list(
            qs.extra(
                where=["%s <%% library_material.title_folded"],
                params=[folded],
                select={"ws": "word_similarity(%s, library_material.title_folded)"},
                select_params=[folded],
            )
            .order_by("-ws", "-id")
            .values_list("id", "title_folded")[:TRIGRAM_CANDIDATES]
        )
    else:
        grams = sorted(
            {g for g in (g.strip() for g in _trigrams(folded)) if len(g) == 3 and " " not in g}
        )
        if not grams:
            return []
        query = " OR ".join(f'"{g}"' for g in grams)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, title FROM {TRIGRAM_TABLE} WHERE {TRIGRAM_TABLE} MATCH %s"  # noqa: S608
                f" ORDER BY bm25({TRIGRAM_TABLE}) LIMIT 2000",
                [query],
            )
            found = cursor.fetchall()
        allowed = set(qs.filter(pk__in=[pk for pk, _t in found]).values_list("pk", flat=True))
        candidates = [(pk, title) for pk, title in found if pk in allowed]
    coverage = coverage_of(folded)
    scored = [(pk, coverage(title)) for pk, title in candidates]
    scored = [(pk, s) for pk, s in scored if s >= TRIGRAM_THRESHOLD]
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored[:TRIGRAM_CANDIDATES]


def lexicon_neighbours(word: str) -> list[str]:
    """Up to CORRECTIONS lexicon words whose :func:`trigram_similarity` to `word` is at least
    CORRECTION_THRESHOLD, most similar first (ties by the word).

    Candidates come from each engine's trigram index and always include every word that
    passes (PostgreSQL: pg_trgm's `%` at a lower threshold; SQLite: the FTS5 trigram table
    of padded words, asked for the word's trigrams); the similarity and the cut are computed
    here, so both engines give the same words."""
    wanted = _trigrams(word)
    if not wanted:
        return []
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, false)",
                [str(CORRECTION_THRESHOLD - 0.1)],
            )
            cursor.execute(f"SELECT word FROM {LEXICON_TABLE} WHERE word %% %s", [word])  # noqa: S608
            found = [w for (w,) in cursor.fetchall()]
        else:
            # A passing word shares at least `needed` of the word's trigrams, so any
            # `needed` - 1 of them may be left out of the question and it is still found:
            # the padded ones are left out first (a first letter, the first two, the last
            # two are shared by many words), as many as that allows.
            needed = math.ceil(CORRECTION_THRESHOLD * len(wanted) - 1e-9)
            padded = sorted((g for g in wanted if " " in g), key=lambda g: (-g.count(" "), g))
            left_out = set(padded[: max(0, needed - 1)])
            grams = sorted(g for g in wanted if g not in left_out)
            query = " OR ".join('"' + g.replace('"', "") + '"' for g in grams)
            cursor.execute(
                f"SELECT word FROM {LEXICON_TRIGRAM_TABLE}"  # noqa: S608
                f" WHERE {LEXICON_TRIGRAM_TABLE} MATCH %s",
                [query],
            )
            found = [w.strip() for (w,) in cursor.fetchall()]
    scored = [(w, trigram_similarity(word, w)) for w in found if w != word]
    passing = [(w, sim) for w, sim in scored if sim >= CORRECTION_THRESHOLD]
    passing.sort(key=lambda item: (-item[1], item[0]))
    return [w for w, _sim in passing[:CORRECTIONS]]


def any_matching(qs: QuerySet[Material], groups: list[tuple[str, ...]]) -> bool:
    """Whether a material of `qs` matches the words. PostgreSQL: from the GIN bitmap only
    (a word it has no statistics for is estimated in 0.15 % of the rows, so `LIMIT 1` would
    pick a sequential scan that reads every tsvector when nothing matches)."""
    query = matching(qs, groups)
    if not is_postgres():
        return query.exists()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off")
        found = query.exists()
        cursor.execute("SET LOCAL enable_indexscan TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT")
    return found


def has_unknown_word(text: str) -> bool:
    """Whether a word of the query is in no title (not in the lexicon): a possible typo."""
    words = {w for w in fold(text).split() if query_groups(w)}
    if not words:
        return False
    return LexiconWord.objects.filter(word__in=words).count() < len(words)


def corrected_query(qs: QuerySet[Material], text: str) -> tuple[list[tuple[str, ...]], str] | None:
    """The query with each word that no title holds (not in the lexicon) replaced by its
    closest lexicon words, ORed in its place with the word itself (which may match a
    description or a text); and the query as shown to the user, each such word replaced by
    its closest correction that matches a material of `qs` (so a word of a material the
    user may not see is never shown). None when no word has such a correction."""
    words = list(dict.fromkeys(fold(text).split()))[:MAX_QUERY_TERMS]
    if not words:
        return None
    known = set(LexiconWord.objects.filter(word__in=words).values_list("word", flat=True))
    groups: list[tuple[str, ...]] = []
    shown: list[str] = []
    changed = False
    for word in words:
        own = query_groups(word)
        if not own:
            continue
        if word in known:
            groups.extend(own)
            shown.append(word)
            continue
        merged = list(own[0])
        best = ""
        for candidate in lexicon_neighbours(word):
            theirs = query_groups(candidate)
            if not theirs:
                continue
            merged.extend(t for group in theirs for t in group)
            if not best and any_matching(qs, theirs):
                best = candidate
        groups.append(tuple(dict.fromkeys(merged)))
        shown.append(best or word)
        changed = changed or bool(best)
    if not changed:
        return None
    return list(dict.fromkeys(groups)), " ".join(shown)


# --- Snippets -----------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
SNIPPET_CHARS = 240
SNIPPET_SCAN = 20_000


@lru_cache(maxsize=50_000)
def _word_tokens(word: str, language: str) -> frozenset[str]:
    return frozenset(_clean_token(t) for t in tokens_for_index(word, language))


def snippet(text: str, groups: list[tuple[str, ...]], language: str) -> SafeString:
    """A short passage of `text` around the first words that match the query, with them
    marked (`<mark>`); the start of the text when nothing matches. Escaped."""
    text = text[:SNIPPET_SCAN]
    wanted = {t for group in groups for t in group}
    spans: list[tuple[int, int]] = []
    if wanted:
        for match in _WORD.finditer(text):
            if _word_tokens(match.group().lower(), language) & wanted:
                spans.append(match.span())
                if len(spans) >= 12:
                    break
    if not spans:
        head = " ".join(text[: SNIPPET_CHARS + 40].split())
        cut = head[:SNIPPET_CHARS]
        return mark_safe(escape(cut) + ("…" if len(head) > SNIPPET_CHARS else ""))  # noqa: S308
    start = max(0, spans[0][0] - 60)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + SNIPPET_CHARS)
    pieces: list[str] = ["…"] if start else []
    cursor = start
    for left, right in spans:
        if left < cursor or right > end:
            continue
        pieces.append(escape(text[cursor:left]))
        pieces.append(f"<mark>{escape(text[left:right])}</mark>")
        cursor = right
    pieces.append(escape(text[cursor:end]))
    if end < len(text):
        pieces.append("…")
    return mark_safe(" ".join("".join(pieces).split()))  # noqa: S308


# --- The search --------------------------------------------------------------------------------

FACETS = ("grade", "subject", "type", "language")
MAX_QUERY_CHARS = 2000


@dataclass
class SearchFilters:
    q: str = ""
    grade: int | None = None
    subject: str = ""
    type: str = ""
    language: str = ""


@dataclass
class SearchResult:
    materials: list[Material]
    total: int
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)
    # The words matched nothing: the results are for the corrected query (`corrected`, its
    # words folded) or, when no correction matched either, titles spelled similarly.
    typo: bool = False
    corrected: str = ""
    groups: list[tuple[str, ...]] = field(default_factory=list)
    # The facet counts cover the newest CANDIDATES materials only: lower bounds ("N+").
    capped: bool = False
    # More than CANDIDATES matched the words: only the newest CANDIDATES were ranked, and
    # `total` (= CANDIDATES) is a lower bound ("N+").
    more: bool = False


def filtered(qs: QuerySet[Material], filters: SearchFilters) -> QuerySet[Material]:
    if filters.grade:
        qs = qs.filter(grade_rows__grade=filters.grade)
    if filters.subject:
        qs = qs.filter(subject=filters.subject)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.language:
        qs = qs.filter(language=filters.language)
    return qs


# Ranking, counting and facet counts read every matching row (PostgreSQL detoasts each
# tsvector, SQLite reads each bm25 row); a very common word («және», «что», «в») matches
# half of the collection. So all three work over a bounded candidate set: the newest
# CANDIDATES matching materials (by id, which both engines can walk from the primary key
# and stop early; a rare word comes from the full-text index and is sorted in memory).
# When more match, only the candidates are ranked and paged, and the total and the facet
# counts are lower bounds, shown as "N+".
CANDIDATES = 200
FACET_FIELDS = ("subject", "type", "language")


# PostgreSQL reads the rows of a word's matches from the GIN index's bitmap: a word in a
# sixth of 174,100 materials is ~29,000 heap pages read to keep 201 of them (~300 ms). So the
# newest candidates are looked for among the newest ids first: a window of ids sized from the
# planner's estimate of the matches' share, joined to the word's bitmap (a BitmapAnd of the
# primary key and the GIN index, no tsvector read), widened from the share actually found
# when it holds too few, and the whole table at last. The rows are the same whatever the path.
WINDOW_MARGIN = 1.5
WINDOW_TRIES = 3


def pg_estimated_rows(qs: QuerySet[Material]) -> tuple[float, float]:
    """The planner's estimate of the rows `qs` holds, and of all the materials (statistics of
    ANALYZE, the tsvector's most common words among them; no row is read)."""
    plan = json.loads(qs.order_by().explain(format="json"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'library_material'::regclass")
        rows = float(cursor.fetchone()[0] or 0)
    return float(plan[0]["Plan"]["Plan Rows"]), rows


def _pg_bitmap_rows(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    with transaction.atomic(), connection.cursor() as cursor:
        # The GIN bitmap (and the primary key's, for a window): no B-tree walk evaluating
        # every row's tsvector, no sequential scan.
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off")
        rows = list(query)
        cursor.execute("SET LOCAL enable_indexscan TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT")
    return rows


def candidates(
    qs: QuerySet[Material], *, words: bool = False, extra: tuple[str, ...] = ()
) -> tuple[list[tuple[Any, ...]], bool]:
    """Up to CANDIDATES rows (id, subject, type, language, then the `extra` fields) of `qs`,
    newest first, and whether more exist. The rows are the same whatever the plan; `words`
    (`qs` is matched on query words) lets PostgreSQL look among the newest ids first."""
    query = qs.order_by("-id").values_list("id", *FACET_FIELDS, *extra)
    if not (words and is_postgres()):
        rows = list(query[: CANDIDATES + 1])
        return rows[:CANDIDATES], len(rows) > CANDIDATES
    matches, materials = pg_estimated_rows(qs)
    top = Material.objects.aggregate(top=Max("id"))["top"] or 0
    share = matches / materials if materials > 0 else 0.0
    for _try in range(WINDOW_TRIES):
        window = int(WINDOW_MARGIN * (CANDIDATES + 1) / share) if share > 0 else top
        if window >= top:
            break
        rows = _pg_bitmap_rows(query.filter(id__gt=top - window)[: CANDIDATES + 1])
        if len(rows) > CANDIDATES:
            return rows[:CANDIDATES], True
        # Too few in the window: the words are rarer among these filters than estimated.
        share = len(rows) / window / 2
    rows = _pg_bitmap_rows(query[: CANDIDATES + 1])
    return rows[:CANDIDATES], len(rows) > CANDIDATES


def facet_counts(rows: list[tuple[Any, ...]]) -> dict[str, list[tuple[Any, int]]]:
    """Counts per value of each facet over these (id, subject, type, language) rows."""
    facets: dict[str, list[tuple[Any, int]]] = {}
    for position, name in enumerate(FACET_FIELDS, start=1):
        counted = Counter(row[position] for row in rows)
        facets[name] = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    ids = [row[0] for row in rows]
    grades = (
        MaterialGrade.objects.filter(material_id__in=ids)
        .values_list("grade")
        .annotate(n=Count("material_id"))
        .order_by("grade")
        if ids
        else []
    )
    facets["grade"] = [(value, n) for value, n in grades]
    return facets


def run_search(
    base: QuerySet[Material],
    filters: SearchFilters,
    *,
    offset: int = 0,
    limit: int = 20,
    with_facets: bool = True,
) -> SearchResult:
    """Search the materials of `base` (already scoped to what the user may see)."""
    text = (filters.q or "")[:MAX_QUERY_CHARS]
    groups = query_groups(text)
    qs = filtered(base, filters)
    if not groups:
        ordered = qs.order_by("-published_at", "-id")
        materials = list(ordered[offset : offset + limit])
        rows, capped = candidates(qs) if with_facets else ([], False)
        return SearchResult(
            materials=materials,
            total=qs.count() if capped or not with_facets else len(rows),
            facets=facet_counts(rows) if with_facets else {},
            capped=capped,
        )
    rows, capped = candidates(matching(qs, groups), words=True)
    if rows:
        return _words_result(qs, groups, rows, capped, offset, limit, with_facets)
    correction = corrected_query(qs, text)
    if correction is not None:
        fixed, shown = correction
        rows, capped = candidates(matching(qs, fixed), words=True, extra=("title_folded",))
        if rows:
            return _corrected_result(fixed, shown, rows, capped, offset, limit, with_facets)
    if not has_unknown_word(text):
        # Every word is one some title holds: nothing to correct, and the trigrams of all the
        # titles (the slowest path, ~0.3 s at 174,100 materials) would not find a typo.
        return SearchResult(materials=[], total=0, groups=groups)
    similar = typo_matching(qs, text)
    ids = [pk for pk, _sim in similar]
    page_ids = ids[offset : offset + limit]
    by_id = {m.pk: m for m in Material.objects.filter(pk__in=page_ids)}
    materials = [by_id[pk] for pk in page_ids if pk in by_id]
    return SearchResult(
        materials=materials,
        total=len(ids),
        facets=facet_counts(list(qs.filter(pk__in=ids).values_list("id", *FACET_FIELDS)))
        if with_facets and ids
        else {},
        typo=True,
        groups=groups,
    )


def _words_result(
    qs: QuerySet[Material],
    groups: list[tuple[str, ...]],
    rows: list[tuple[Any, ...]],
    capped: bool,
    offset: int,
    limit: int,
    with_facets: bool,
) -> SearchResult:
    """The page of the materials matching `groups`, ranked, from their candidate rows."""
    pool = Material.objects.filter(pk__in=[row[0] for row in rows]) if capped else qs
    return SearchResult(
        materials=list(ranked(pool, groups)[offset : offset + limit]),
        total=len(rows),
        facets=facet_counts(rows) if with_facets else {},
        groups=groups,
        capped=capped,
        more=capped,
    )


def _corrected_result(
    groups: list[tuple[str, ...]],
    shown: str,
    rows: list[tuple[Any, ...]],  # candidates with the folded title
    capped: bool,
    offset: int,
    limit: int,
    with_facets: bool,
) -> SearchResult:
    """The page of the materials matching the corrected query, ordered like the title
    fallback: by the share of the corrected query's trigrams their title holds
    (:func:`query_coverage`), newest first among equals (a misspelled query was most likely
    aimed at a title; the measured alternative, the usual rank among equals, did worse)."""
    coverage = coverage_of(shown)
    title = len(FACET_FIELDS) + 1
    order = sorted(rows, key=lambda row: (-coverage(row[title]), -row[0]))
    page_ids = [row[0] for row in order[offset : offset + limit]]
    by_id = Material.objects.in_bulk(page_ids)
    return SearchResult(
        materials=[by_id[pk] for pk in page_ids if pk in by_id],
        total=len(rows),
        facets=facet_counts(rows) if with_facets else {},
        typo=True,
        corrected=shown,
        groups=groups,
        capped=capped,
        more=capped,
    )


def similar_to(base: QuerySet[Material], material: Material, *, limit: int = 5) -> list[Material]:
    """Materials like this one: any of the most frequent words of its title and description,
    ranked the same way, the material itself left out; the same subject first."""
    counts = Counter(material.search_title.split() * 3 + material.search_description.split())
    words = [w for w, _n in counts.most_common(12)]
    if not words:
        return []
    groups: list[tuple[str, ...]] = [(w,) for w in words]
    qs = base.exclude(pk=material.pk)
    same = list(ranked(qs.filter(subject=material.subject), groups, any_word=True)[:limit])
    if len(same) < limit:
        others = ranked(qs.exclude(subject=material.subject), groups, any_word=True)
        same += list(others[: limit - len(same)])
    return same


def any_match(qs: QuerySet[Material], q: str) -> QuerySet[Material]:
    """`qs` narrowed to the materials matching `q` (all when `q` has no word): for staff lists."""
    groups = query_groups(q[:MAX_QUERY_CHARS])
    if not groups:
        return qs
    return matching(qs, groups)


__all__ = [
    "FACETS",
    "SearchFilters",
    "SearchResult",
    "index_material",
    "run_search",
    "similar_to",
    "snippet",
]
