"""A rule-based Kazakh suffix stripper.

Neither Snowball, PostgreSQL nor SQLite ships a Kazakh stemmer, so this module
strips the inflectional endings of Kazakh nouns from the end of the word, in
the reverse of the order in which Kazakh stacks them::

    root + plural + possessive + case + personal (predicate) ending
    мектеп + тер  + іміз       + де                       -> мектеп

Design decisions (each one trades recall for precision on purpose):

* **Slots.** Each of the four slots is stripped at most once, from the end:
  personal ending, case, possessive, plural. Within a slot the longest
  matching suffix wins.
* **Allomorph context.** A suffix is only stripped where Kazakh would use that
  allomorph: ``-тар`` after a voiceless consonant, ``-дар`` after л м н ң з ж,
  ``-лар`` after a vowel or р й у; the pronominal ``-н``-forms (``-на``,
  ``-нда``, ``-нан``, accusative ``-н``) only after the possessive ``-ы/-і``.
  This keeps roots such as *ата*, *қала*, *бала* intact.
* **Vowel harmony.** A suffix with a back vowel (а о ұ ы) is only stripped
  from a back-vowel stem, a front one (ә ө ү і е) from a front-vowel stem; the
  stem's class is that of its last vowel (loanwords such as *мұғалім* follow
  their last vowel, as Kazakh does). After a neutral last vowel (и, у, and
  я ю ё э of loanwords: *терроризмге*, *оқуға*, *пхеньяннің/пхеньянның*)
  both classes are accepted. The instrumental
  ``-мен/-бен/-пен`` has no back form and is exempt.
* **Minimal stem: three letters with a vowel.** Kazakh roots are at least one
  syllable, and the overwhelming majority of noun roots have three letters or
  more. Allowing two-letter stems would cut *ана*, *ата*, *кісі* to stubs that
  collide; the price is that two-letter roots (*су*, *ас*, *ел*) keep their
  inflected forms unstemmed.
* **Consonant alternation.** Native Kazakh words never end in б, г or ғ: those
  are the voiced forms п, к, қ take between vowels (*кітабы* -> *кітап*,
  *сабағы* -> *сабақ*, *жүрегі* -> *жүрек*). The stem's last letter is
  therefore always devoiced, which also keeps loanwords consistent
  (*педагог* and *педагогы* both give *педагок*). Stems are keys, not words.
* **A stem-final -ы/-і after a consonant is dropped.** The bare possessive
  ``-ы/-і`` cannot be told from a root ending in ы/і (*оқушы* "pupil" looks
  like *оқуш* + ы). Dropping it at the end makes every form agree:
  *оқушы*, *оқушысы*, *оқушылар* all give *оқуш*.
* **Not stripped:** the 1st and 2nd person singular possessives (``-ым/-ім/-м``,
  ``-ың/-ің/-ң``) and the dative ``-а/-е`` that follows them. They are rare in
  the formal text of a resource library, and stripping them would cut through
  very common roots (*адам* -> *ада*, *білім* -> *біл*).
* **Derivational endings are kept**: *оқу* (study), *оқушы* (pupil) and
  *оқулық* (textbook) must stay apart, as must *әдістеме* and *әдістемелік*.
  Two exceptions are unavoidable because they are spelt exactly like
  inflections: the adjectival ``-ды/-ді/-ты/-ті`` (*білімді*, "educated")
  reads as the accusative, and the privative ``-сыз/-сіз`` (*білімсіз*)
  reads as the 2nd person polite predicate; both reduce to the root.
* A short list of roots that merely *look* inflected (*алтын*, *қиын*,
  *желі*) is never stripped further, and a slot prefers the shorter suffix
  when it leaves one of them (*соғысы* is *соғыс* + ы, not *соғы* + сы, while
  *баласы* is *бала* + сы: only a lexicon can tell).

``loose=True`` runs the same rules on text folded by :func:`loose_fold`, the
key used for Kazakh typed with Russian letters (see ``normalise``): harmony is
not checked there, because the folding erases it.

Pure Python, no Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ["LOOSE_MAP", "loose_fold", "stem_kazakh"]

# --------------------------------------------------------------------------
# Letters
# --------------------------------------------------------------------------

VOWELS: Final = frozenset("аәоөұүыіеэиуюяё")
BACK: Final = frozenset("аоұы")
FRONT: Final = frozenset("әөүіе")
# Word-final б в г д ғ only occur in loanwords and are pronounced voiceless.
VOICELESS: Final = "пкқтсшщфхцчһбвгдғ"
NASALS: Final = "мнң"
VOICED: Final = "лмнңрйузж"  # vowels are added where a rule allows them
POSSESSIVE_3: Final = "ыі"  # a vowel left by the 3rd person possessive

# Kazakh letter -> the Russian letter people type for it.
LOOSE_MAP: Final[dict[str, str]] = {
    "ә": "а",
    "ғ": "г",
    "қ": "к",
    "ң": "н",
    "ө": "о",
    "ұ": "у",
    "ү": "у",
    "һ": "х",
    "і": "и",
}
_LOOSE_TABLE: Final = str.maketrans(LOOSE_MAP)


def loose_fold(text: str) -> str:
    """Merge every Kazakh-only letter into its Russian look-alike (ә -> а, і -> и...).

    Irreversible and idempotent: ``loose_fold(loose_fold(x)) == loose_fold(x)``.
    """
    return text.translate(_LOOSE_TABLE)


_V: Final = "".join(sorted(VOWELS))

# Slot tables: (suffix, letters allowed right before it). Harmony is checked
# separately. Ordered from the end of the word inwards.
_PERSONAL: Final[list[tuple[str, str]]] = [
    ("сыңдар", ""),
    ("сіңдер", ""),
    ("сыздар", ""),
    ("сіздер", ""),
    # 1sg "-мын" after ы/і is left alone: *білімін* is білім + і + н.
    ("мын", "аәоөұүеэиуюяё" + "лрйумнң"),
    ("мін", "аәоөұүеэиуюяё" + "лрйумнң"),
    ("бын", "зж"),
    ("бін", "зж"),
    ("пын", VOICELESS),
    ("пін", VOICELESS),
    ("сың", ""),
    ("сің", ""),
    ("сыз", ""),
    ("сіз", ""),
]

_CASE: Final[list[tuple[str, str]]] = [
    # ablative
    ("дан", _V + "лрйузж"),
    ("ден", _V + "лрйузж"),
    ("тан", VOICELESS),
    ("тен", VOICELESS),
    ("нан", NASALS + POSSESSIVE_3),
    ("нен", NASALS + POSSESSIVE_3),
    # locative + attributive -ғы ("мектептегі", "that is in the school")
    ("дағы", _V + VOICED),
    ("дегі", _V + VOICED),
    ("тағы", VOICELESS),
    ("тегі", VOICELESS),
    ("ндағы", POSSESSIVE_3),
    ("ндегі", POSSESSIVE_3),
    # locative
    ("да", _V + VOICED),
    ("де", _V + VOICED),
    ("та", VOICELESS),
    ("те", VOICELESS),
    ("нда", POSSESSIVE_3),
    ("нде", POSSESSIVE_3),
    # genitive
    ("ның", _V + NASALS),
    ("нің", _V + NASALS),
    ("дың", "лрйузж"),
    ("дің", "лрйузж"),
    ("тың", VOICELESS),
    ("тің", VOICELESS),
    # dative (the bare -а/-е after 1st/2nd person possessives is not stripped)
    ("ға", _V + VOICED),
    ("ге", _V + VOICED),
    ("қа", VOICELESS),
    ("ке", VOICELESS),
    ("на", POSSESSIVE_3),
    ("не", POSSESSIVE_3),
    # accusative
    ("ны", _V),
    ("ні", _V),
    ("ды", VOICED),
    ("ді", VOICED),
    ("ты", VOICELESS),
    ("ті", VOICELESS),
    ("н", POSSESSIVE_3),
    # instrumental
    ("менен", _V + "лрйумнң"),
    ("мен", _V + "лрйумнң"),
    ("бенен", "зж"),
    ("бен", "зж"),
    ("пенен", VOICELESS),
    ("пен", VOICELESS),
]

# у after a vowel is the consonant [w]: бағалау + ы.
_CONSONANTS_NOT_VOWELS: Final = "бвгғджзйклмнңпқрстфхһцчшщу"

_POSSESSIVE: Final[list[tuple[str, str]]] = [
    ("ыңыз", _CONSONANTS_NOT_VOWELS),
    ("іңіз", _CONSONANTS_NOT_VOWELS),
    ("ңыз", _V),
    ("ңіз", _V),
    ("ымыз", _CONSONANTS_NOT_VOWELS),
    ("іміз", _CONSONANTS_NOT_VOWELS),
    ("мыз", _V),
    ("міз", _V),
    ("сы", _V),
    ("сі", _V),
    ("ы", _CONSONANTS_NOT_VOWELS),
    ("і", _CONSONANTS_NOT_VOWELS),
]

_PLURAL: Final[list[tuple[str, str]]] = [
    ("лар", _V + "рйу"),
    ("лер", _V + "рйу"),
    ("дар", "лмнңзж"),
    ("дер", "лмнңзж"),
    ("тар", VOICELESS),
    ("тер", VOICELESS),
]

# Roots whose ending looks like an inflection. Checked before each strip.
PROTECTED: Final = frozenset(
    {
        "алтын",  # gold (not алты + н)
        "қиын",  # difficult
        "жиын",  # gathering
        "түйін",  # knot, summary
        "егін",  # crop
        "келін",  # daughter-in-law
        "ақын",  # poet
        "жақын",  # near
        "тілсіз",
        "ерен",
        "кейін",  # after
        "бейне",  # image, video
        "тарихи",  # historical
        "қазақ",
        # country names in -стан (not -с + ablative -тан)
        "қазақстан",
        "өзбекстан",
        "қырғызстан",
        "түрікменстан",
        "тәжікстан",
        "ауғанстан",
        "пәкістан",
        "балабақша",  # kindergarten (not балабақ + ша)
        "желі",  # network (not жел "wind" + і)
        # roots in -ыс/-іс whose possessive -ы/-і reads as -сы/-сі
        "соғыс",  # war
        "талас",  # dispute
        "жарыс",  # race, competition
        "табыс",  # success, income
        "дыбыс",  # sound
        "қоныс",  # settlement
        "әдіс",  # method
        "іс",  # matter
        "күрес",  # struggle
        "кеңес",  # council, advice
        "жеміс",  # fruit
        "өріс",  # range
    }
)

# The instrumental does not follow vowel harmony (кітаппен, қызбен).
_NO_HARMONY: Final = frozenset({"мен", "менен", "бен", "бенен", "пен", "пенен"})
_DEVOICE: Final = {"б": "п", "г": "к", "ғ": "қ"}
MIN_STEM: Final = 3


def _prepare(table: list[tuple[str, str]], loose: bool) -> list[tuple[str, frozenset[str]]]:
    seen: dict[str, set[str]] = {}
    for suffix, before in table:
        if loose:
            suffix, before = loose_fold(suffix), loose_fold(before)
        seen.setdefault(suffix, set()).update(before)
    # Longest first, so "-ымыз" wins over "-ы".
    return sorted(
        ((suffix, frozenset(before)) for suffix, before in seen.items()),
        key=lambda item: -len(item[0]),
    )


_SLOTS: Final = {
    loose: [_prepare(t, loose) for t in (_PERSONAL, _CASE, _POSSESSIVE, _PLURAL)]
    for loose in (False, True)
}
_PROTECTED: Final = {False: PROTECTED, True: frozenset(loose_fold(w) for w in PROTECTED)}
_LOOSE_VOWELS: Final = frozenset(loose_fold("".join(VOWELS)))


def _harmony(letters: Iterable[str]) -> str | None:
    """Return the class of the last vowel; None when it is neutral or absent."""
    for ch in reversed(list(letters)):
        if ch in BACK:
            return "back"
        if ch in FRONT:
            return "front"
        if ch in VOWELS:
            return None  # и у, or я ю ё э of a loanword: either class is written
    return None


def _fits(stem: str, suffix: str, before: frozenset[str], loose: bool) -> bool:
    if len(stem) < MIN_STEM or not any(ch in VOWELS for ch in stem):
        return False
    if before and stem[-1] not in before:
        return False
    if loose or suffix in _NO_HARMONY:
        return True
    wanted = _harmony(suffix)
    if wanted is None:
        return True
    have = _harmony(stem)
    return have is None or have == wanted


def stem_kazakh(word: str, *, loose: bool = False) -> str:
    """Return the stem of one lower-case Kazakh word (Cyrillic).

    ``stem_kazakh("мектептерімізде") == "мектеп"``; ``stem_kazakh("кітабы") == "кітап"``.
    Words that are not Cyrillic letters come back unchanged. Never raises.
    """
    if not word or not all(ch.isalpha() for ch in word):
        return word
    slots = _SLOTS[loose]
    protected = _PROTECTED[loose]
    current = word
    for table in slots:
        if current in protected:
            return current
        fitting = [
            current[: -len(suffix)]
            for suffix, before in table
            if current.endswith(suffix) and _fits(current[: -len(suffix)], suffix, before, loose)
        ]
        if fitting:
            # The longest suffix wins, unless a shorter one leaves a known
            # root: соғыс + ы, not соғы + сы.
            current = next((stem for stem in fitting if stem in protected), fitting[0])
    if current in protected:
        return current
    vowels = _LOOSE_VOWELS if loose else VOWELS
    # The bare possessive -ы/-і and a root-final ы/і are indistinguishable:
    # drop it so that every form of the word agrees.
    if (
        len(current) > MIN_STEM
        and current[-1] in ("ыи" if loose else "ыі")
        and current[-2] not in vowels
    ):
        current = current[:-1]
    if len(current) >= MIN_STEM and current[-1] in _DEVOICE:
        current = current[:-1] + _DEVOICE[current[-1]]
    return current
