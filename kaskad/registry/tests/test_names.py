"""Tests for kaskad.registry.names (pure Python, no Django needed)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaskad.registry.names import NameCheck, check_name, fold

# --- fold -----------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ["Әлия Қасымова", "Алия Касымова", "Aliya Kasymova", "Äliya Qasymova"],
        ["Жұмабек", "Zhumabek", "Jumabek", "Жумабек"],
        ["Нұрлан", "Нурлан", "Nurlan"],
        ["Іңкәр", "Инкар", "Inkar"],
        ["Шыңғыс", "Shyngys", "Шынгыс", "Şyñğys"],
        ["Ахметтов", "Ахметов", "Akhmetov", "Axmetov"],
        ["Асель", "Aсель", "Asel"],  # second has a Latin A
        ["Асхат", "Askhat"],
        ["Даулет", "Dawlet", "Daulet"],
        ["Нұрсұлтан", "Ny'rsy'ltan"],  # 2017 apostrophe alphabet: y' = ұ
        ["Шолпан", "S'olpan", "Sholpan"],  # s' = ш
        ["Цой", "Tsoi", "Tsoy"],
        ["Ержан", "Erzhan", "Erjan"],
        ["Бекхан", "Bekhan", "Bekkhan"],
    ],
)
def test_fold_equivalent_spellings(spellings: list[str]) -> None:
    keys = {fold(s) for s in spellings}
    assert len(keys) == 1, dict(zip(spellings, map(fold, spellings), strict=True))


def test_fold_examples() -> None:
    assert fold("Әлия Қасымова") == "alia kasimova"
    assert fold("Жұмабек") == "jumabek"
    assert fold("Шыңғыс") == "shingis"
    assert fold("Чингиз") == "chingiz"
    assert fold("Ахметов") == "ahmetov"


def test_fold_keeps_ch_and_sh_apart() -> None:
    # ш and ч are different sounds; fold does not merge them.
    assert fold("Шыңғыс") != fold("Chingis")
    assert fold("Chingis") == fold("Чингис")


def test_fold_normalises_separators_and_case() -> None:
    assert fold("  Қасымова-Ахметова \t ") == "kasimova ahmetova"
    assert fold("O’Connor") == fold("O'Connor") == fold("OConnor")
    assert fold("ИВАНОВ") == fold("иванов") == "ivanov"
    assert fold("Ёлка Эля") == "elka elia"
    assert fold("Объединённый") == "obedineni"
    assert fold("Ｎｕｒｌａｎ") == "nurlan"  # full-width letters
    assert fold("") == ""
    assert fold("--") == ""


def test_fold_repairs_lookalikes_like_check_name() -> None:
    # Latin P would fold to "p", Cyrillic Р to "r": the word is repaired first.
    assert fold("\u0050ахим") == fold("Рахим") == fold("Rakhim")
    assert fold("Ivan\u043ev") == fold("Ivanov")
    assert fold("Иванов Ivanov") == "ivanov ivanov"


def test_fold_decomposed_input() -> None:
    assert fold(unicodedata.normalize("NFD", "Йошкар Ёлка")) == fold("Йошкар Ёлка")


@given(st.text())
def test_fold_output_alphabet_and_idempotence(text: str) -> None:
    key = fold(text)
    assert all(ch.isascii() and (ch.islower() or ch.isdigit() or ch == " ") for ch in key)
    assert "  " not in key
    assert key == key.strip()
    assert fold(key) == key


# --- check_name -----------------------------------------------------------

LAT_A = "A"  # U+0041
CYR_A = "А"  # U+0410


def test_lookalike_constants_really_differ() -> None:
    assert LAT_A != CYR_A
    assert unicodedata.name(LAT_A).startswith("LATIN")
    assert unicodedata.name(CYR_A).startswith("CYRILLIC")


def test_latin_a_in_cyrillic_word_is_repaired() -> None:
    result = check_name("\u0041сель")
    assert result == NameCheck("Асель", True, None, {"value": "\u0041сель"})
    assert result.value == "\u0410сель"
    assert result.ok


def test_latin_k_and_a_in_cyrillic_word_are_repaired() -> None:
    result = check_name("Kaсымова")  # Latin K, a
    assert result.value == "Касымова"
    assert all(unicodedata.name(ch).startswith("CYRILLIC") for ch in result.value)
    assert result.corrected
    assert result.error is None


def test_cyrillic_o_in_latin_word_is_repaired() -> None:
    result = check_name("Ivan\u043ev")  # Cyrillic о
    assert result.value == "Ivanov"
    assert result.value.isascii()
    assert result.corrected


def test_both_scripts_with_real_letters_is_an_error() -> None:
    result = check_name("Asель")  # Latin A, s; Cyrillic е, л, ь
    assert result.error == "name_mixed_script"
    assert not result.corrected
    assert result.params["word"] == "Asель"


def test_only_lookalikes_from_both_scripts_is_ambiguous() -> None:
    result = check_name("\u0041\u0070\u0430")  # Latin A, p + Cyrillic а
    assert result.error == "name_mixed_script"
    assert result.value == "Apа"
    assert not result.ok


def test_repair_is_per_word() -> None:
    result = check_name("Kaсымова Ivan\u043ev")
    assert result.value == "Касымова Ivanov"
    assert result.corrected


def test_hyphenated_word_uses_whole_word_context() -> None:
    # "Ара" alone would be ambiguous; the rest of the hyphenated word is Cyrillic.
    assert check_name("\u0041\u0070\u0430-Асель").value == "Ара-Асель"


@pytest.mark.parametrize(
    "name",
    [
        "Әлия",
        "Іңкәр",
        "Ұлжан",
        "Қасымова-Ахметова",
        "O’Connor",
        "O'Neil",
        "Aliya Kasymova",
        "Äliya Qasymova",
        "Şyñğys",
        "İlyas",
        "Һарун",
        "Opa",  # only Latin look-alikes: one script, fine
        "Ара",  # only Cyrillic look-alikes: one script, fine
    ],
)
def test_valid_names_unchanged(name: str) -> None:
    assert check_name(name) == NameCheck(name, False, None, {})


def test_whitespace_is_normalised_without_counting_as_correction() -> None:
    assert check_name("  Әлия \t\u00a0 Қасымова ") == NameCheck("Әлия Қасымова", False, None, {})


def test_decomposed_letters_are_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Йошкар")
    assert len(decomposed) == 7
    assert check_name(decomposed) == NameCheck("Йошкар", False, None, {})


@pytest.mark.parametrize("value", ["", "   ", "\t\n", "-", "’ -"])
def test_empty_names(value: str) -> None:
    assert check_name(value).error == "name_empty"


@pytest.mark.parametrize(
    ("value", "char", "position"),
    [
        ("Иван3", "3", "5"),
        ("  Иван  Петров!", "!", "12"),
        ("Ali😀", "😀", "4"),
        ("Anna_Maria", "_", "5"),
        ("Jean.Paul", ".", "5"),
    ],
)
def test_bad_characters(value: str, char: str, position: str) -> None:
    result = check_name(value)
    assert result.error == "name_bad_char"
    assert result.params["char"] == char
    assert result.params["position"] == position
    assert not result.corrected


def test_every_error_code_is_produced() -> None:
    codes = {check_name(v).error for v in ["", "Иван3", "Asель"]}
    assert codes == {"name_empty", "name_bad_char", "name_mixed_script"}


CYRILLIC_LETTERS = (
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯәғқңөұүһіӘҒҚҢӨҰҮҺІ"
)
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäğıñöşūüçÄĞİÑÖŞŪÜÇ"


@given(st.text(alphabet=CYRILLIC_LETTERS, min_size=1))
def test_pure_cyrillic_is_unchanged(name: str) -> None:
    assert check_name(name) == NameCheck(name, False, None, {})


@given(st.text(alphabet=LATIN_LETTERS, min_size=1))
def test_pure_latin_is_unchanged(name: str) -> None:
    assert check_name(name) == NameCheck(name, False, None, {})


@given(st.lists(st.text(alphabet=CYRILLIC_LETTERS + LATIN_LETTERS + "-’'", min_size=1), min_size=1))
def test_result_is_single_script_per_word(words: list[str]) -> None:
    result = check_name(" ".join(words))
    if result.error is not None:
        return
    for word in result.value.split(" "):
        letters = [ch for ch in word if ch.isalpha()]
        assert len({ch in CYRILLIC_LETTERS for ch in letters}) <= 1
    # A repaired name is stable: checking it again changes nothing.
    assert check_name(result.value) == NameCheck(result.value, False, None, {})
