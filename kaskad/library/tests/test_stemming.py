"""Tests for the Kazakh suffix stripper and the stem() dispatch (pure Python)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaskad.library.kazakh_stemmer import loose_fold, stem_kazakh
from kaskad.library.normalise import fold
from kaskad.library.stemming import SNOWBALL_AVAILABLE, stem

# --- the requirement's own examples ------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("мектептерімізде", "мектеп"),
        ("мұғалімдердің", "мұғалім"),
        ("кітабы", "кітап"),
        ("сабағы", "сабақ"),
        ("жүрегі", "жүрек"),
    ],
)
def test_required_examples(word, expected):
    assert stem_kazakh(word) == expected
    assert stem(word, "kk") == expected


# --- every form of one lemma conflates ---------------------------------------

# lemma stem -> forms (plural, possessive, case, predicate endings), both harmonies.
LEMMAS: dict[str, list[str]] = {
    # front, stem-final п <-> б
    "мектеп": [
        "мектеп",
        "мектептер",
        "мектептерімізде",
        "мектебі",
        "мектебіміз",
        "мектебімізде",
        "мектепке",
        "мектепте",
        "мектептен",
        "мектептің",
        "мектепті",
        "мектептегі",
        "мектебіне",
        "мектебінде",
        "мектебінен",
        "мектебінің",
        "мектебін",
        "мектептеріңізде",
        "мектеппен",
    ],
    # front loanword, stem-final nasal
    "мұғалім": [
        "мұғалім",
        "мұғалімдер",
        "мұғалімдердің",
        "мұғалімге",
        "мұғалімнен",
        "мұғалімнің",
        "мұғалімді",
        "мұғалімде",
        "мұғалімі",
        "мұғалімдеріміз",
        "мұғаліммен",
        "мұғаліммін",
        "мұғалімсіз",
    ],
    # back, stem-final vowel ы (dropped: оқушы = оқуш + ы to the rules)
    "оқуш": [
        "оқушы",
        "оқушылар",
        "оқушыларға",
        "оқушылардың",
        "оқушысы",
        "оқушылары",
        "оқушыға",
        "оқушыда",
        "оқушыдан",
        "оқушының",
        "оқушыны",
        "оқушымен",
        "оқушыларымыз",
    ],
    # back, п <-> б
    "кітап": ["кітап", "кітабы", "кітаптар", "кітаптарын", "кітапқа", "кітапты", "кітабымыз"],
    # back, қ <-> ғ
    "сабақ": [
        "сабақ",
        "сабағы",
        "сабақтар",
        "сабақтарда",
        "сабаққа",
        "сабақта",
        "сабақтың",
        "сабағына",
        "сабағында",
    ],
    # front, к <-> г
    "жүрек": ["жүрек", "жүрегі", "жүрекке", "жүректің", "жүрегіміз"],
    # back, stem-final vowel а, 3rd person -сы
    "бағдарлама": [
        "бағдарлама",
        "бағдарламасы",
        "бағдарламалары",
        "бағдарламаға",
        "бағдарламада",
        "бағдарламаның",
        "бағдарламасын",
        "бағдарламасына",
        "бағдарламасында",
        "бағдарламамыз",
    ],
    # verbal noun in -у: у after a vowel acts as a consonant
    "бағалау": ["бағалау", "бағалауы", "бағалауға", "бағалаудың", "бағалауын", "бағалауда"],
    # front, nasal
    "білім": ["білім", "білімі", "білімнің", "білімге", "білімін", "білімді", "білімімізді"],
    # front, stem-final vowel е, 3rd person -сі
    "тәрбие": ["тәрбие", "тәрбиесі", "тәрбиеге", "тәрбиенің", "тәрбиесінде", "тәрбиелер"],
    # derivation -лық/-лік is kept, its inflections are not
    "әдістемелік": ["әдістемелік", "әдістемеліктің", "әдістемелікке"],
    "оқулық": ["оқулық", "оқулығы", "оқулықтар", "оқулықтарда", "оқулыққа"],
    "әдістеме": ["әдістеме", "әдістемесі", "әдістемелер", "әдістемені"],
    # plural -дар/-дер after л, з
    "қыз": ["қыз", "қыздар", "қыздарға", "қызы", "қызымыз", "қызбен"],
    "жол": ["жол", "жолдар", "жолы", "жолда", "жолдың", "жолмен"],
    # root in -ыс that reads like -сы
    "соғыс": ["соғыс", "соғысы", "соғысының", "соғыста"],
    "сынып": ["сынып", "сыныбы", "сыныптар", "сыныпта", "сыныбында", "сыныптағы"],
}


@pytest.mark.parametrize("lemma", sorted(LEMMAS))
def test_all_forms_of_a_lemma_share_its_stem(lemma):
    stems = {form: stem_kazakh(form) for form in LEMMAS[lemma]}
    assert stems == dict.fromkeys(LEMMAS[lemma], lemma)


def test_there_are_enough_forms():
    assert sum(len(forms) for forms in LEMMAS.values()) >= 64


# --- different lemmas stay apart (precision) ---------------------------------

DISTINCT = [
    "мектеп",
    "мұғалім",
    "оқушы",
    "оқу",
    "оқулық",
    "оқыту",
    "білім",
    "біліктілік",
    "әдіс",
    "әдістеме",
    "әдістемелік",
    "сабақ",
    "бағдарлама",
    "бағалау",
    "баға",
    "бала",
    "балабақша",
    "ата",
    "ана",
    "адам",
    "қала",
    "қазақ",
    "қазақстан",
    "жел",
    "желі",
    "алты",
    "алтын",
    "тіл",
    "тілек",
    "жер",
    "жерлес",
    "қыз",
    "қызмет",
    "соғыс",
    "сынып",
    "сынақ",
    "кітап",
    "кітапхана",
]


def test_distinct_lemmas_get_distinct_stems():
    stems: dict[str, list[str]] = {}
    for lemma in DISTINCT:
        stems.setdefault(stem_kazakh(lemma), []).append(lemma)
    collisions = {stem: lemmas for stem, lemmas in stems.items() if len(lemmas) > 1}
    assert collisions == {}


# --- the guards --------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    ["ата", "ана", "әке", "бала", "қала", "мен", "біз", "сен", "адам", "су", "ел"],
)
def test_short_and_suffix_like_roots_are_kept(word):
    # Three letters minimum; -м/-ң (1st/2nd singular possessive) are not stripped.
    assert stem_kazakh(word) == word


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # the harmony of the stem picks the allomorph: a back suffix is not
        # stripped from a front stem and vice versa
        ("мектептар", "мектептар"),
        ("кітаптер", "кітаптер"),
        # and the consonant before it: -тар only after a voiceless consonant
        ("баладар", "баладар"),
    ],
)
def test_wrong_allomorphs_are_not_stripped(word, expected):
    assert stem_kazakh(word) == expected


@pytest.mark.parametrize("word", ["", "123", "abc", "мектеп-2", "x", "ң"])
def test_non_words_come_back_unchanged(word):
    assert stem_kazakh(word) == word


def test_loose_stemming_conflates_kazakh_typed_with_russian_letters():
    proper = ["мұғалімдердің", "мұғалімге", "мұғалім"]
    typed = ["мугалимдердин", "мугалимге", "мугалим"]
    keys = {stem_kazakh(loose_fold(word), loose=True) for word in proper + typed}
    assert keys == {"мугалим"}
    assert stem_kazakh(loose_fold("сабағы"), loose=True) == stem_kazakh("сабак", loose=True)


@given(st.text(max_size=80))
def test_stemmer_never_raises_and_never_grows(text):
    for loose in (False, True):
        result = stem_kazakh(text, loose=loose)
        assert len(result) <= len(text)


# --- dispatch ----------------------------------------------------------------


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        stem("haus", "de")


@pytest.mark.skipif(
    not SNOWBALL_AVAILABLE,
    reason="snowballstemmer (pure Python) is not installed: Russian and English stemming "
    "returns words unchanged until it is added to the requirements",
)
@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("ru", ["учитель", "учителя", "учителей", "учителями"]),
        ("ru", ["школа", "школы", "школе", "школами"]),
        ("en", ["teacher", "teachers"]),
        ("en", ["assessment", "assessments"]),
    ],
)
def test_snowball_conflates_russian_and_english_forms(language, forms):
    assert len({stem(form, language) for form in forms}) == 1


@pytest.mark.skipif(SNOWBALL_AVAILABLE, reason="only meaningful without snowballstemmer")
def test_without_snowball_words_come_back_unchanged():
    assert stem("учителями", "ru") == "учителями"
    assert stem("teachers", "en") == "teachers"


# --- a real corpus -----------------------------------------------------------

CORPUS = Path("/work/shared/datasets/parallel-kk-ru-en")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the kk-ru-en parallel corpus is not present")
def test_corpus_vocabulary_shrinks_without_runaway_groups():
    # Word types of the Kazakh side of NTREX-128, FLORES-200 and Tatoeba
    # (about 19,800). See scripts/kazakh_stem_coverage.py for the listing.
    words: set[str] = set()
    for path in sorted(CORPUS.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle, delimiter="\t")
            next(rows, None)
            for row in rows:
                words.update(w for w in fold(row[0], "kk").split() if w.isalpha())
    groups: dict[str, set[str]] = {}
    for word in words:
        groups.setdefault(stem_kazakh(word), set()).add(word)
    assert len(words) > 15_000
    assert 1 - len(groups) / len(words) > 0.35  # the inflections do collapse
    # ... into plausible paradigms: no stem swallows more than a noun's worth of forms
    assert max(len(forms) for forms in groups.values()) < 40
    # ... and the stems of the loanwords and names are not cut below three letters
    assert all(len(stem) >= 3 for stem, forms in groups.items() if len(forms) > 1)
    assert groups["мұғалім"] >= {"мұғалім", "мұғалімдер", "мұғалімдерінен", "мұғалімнің"}
    assert groups["мектеп"] >= {"мектебі", "мектебіндегі", "мектептердегі", "мектепке"}
