"""Search on the engine the suite runs on (SQLite FTS5 or PostgreSQL): word forms, folding,
ranking, facets, typos, and hostile queries. The same expectations hold on both engines."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaskad.library import search
from kaskad.library.models import LexiconWord, Material
from kaskad.library.search import SearchFilters, query_groups, run_search, snippet
from kaskad.library.selectors import published
from kaskad.library.tests.factories import editor, material, teacher

pytestmark = pytest.mark.django_db


def titles(q: str, **filters: object) -> list[str]:
    result = run_search(published(), SearchFilters(q=q, **filters))  # type: ignore[arg-type]
    return [m.title for m in result.materials]


@pytest.fixture
def collection() -> dict[str, Material]:
    by = editor()
    return {
        "school": material(
            "Мектептегі сабақ жоспары",
            "Біздің мектептерімізде оқушылар жобалық жұмыспен айналысады.",
            by=by,
        ),
        "teacher_kk": material(
            "Бағалау туралы",
            "Мұғалімдердің кәсіби дамуы және критериалды бағалау.",
            by=by,
            subject="pedagogy",
            grades=[7, 8],
        ),
        "teacher_ru": material(
            "Методические рекомендации для учителей",
            "Рекомендации по формативному оцениванию на уроках.",
            by=by,
            language="ru",
            subject="pedagogy",
            type="recommendation",
        ),
        "yolka": material(
            "Новогодняя ёлка в начальной школе",
            "Сценарий праздника для первого класса.",
            by=by,
            language="ru",
            subject="primary",
            grades=[1],
        ),
        "body_only": material(
            "Жаратылыстану",
            "Сабақ мақсаты: мектеп ауласындағы өсімдіктерді зерттеу.",
            by=by,
            subject="biology",
        ),
    }


def test_kazakh_word_forms(collection: dict[str, Material]) -> None:
    assert "Мектептегі сабақ жоспары" in titles("мектеп")
    assert titles("мұғалім") == ["Бағалау туралы"]


def test_kazakh_typed_with_russian_letters_and_latin(collection: dict[str, Material]) -> None:
    assert titles("мугалимдердин") == ["Бағалау туралы"]
    assert titles("mugalim") == ["Бағалау туралы"]
    assert titles("mugalimderdin") == ["Бағалау туралы"]


def test_russian_word_forms_and_yo(collection: dict[str, Material]) -> None:
    assert titles("учитель") == ["Методические рекомендации для учителей"]
    assert titles("елка") == ["Новогодняя ёлка в начальной школе"]
    assert titles("ёлки") == ["Новогодняя ёлка в начальной школе"]


def test_title_match_ranks_above_body_match(collection: dict[str, Material]) -> None:
    found = titles("мектеп")
    assert found[0] == "Мектептегі сабақ жоспары"
    assert "Жаратылыстану" in found


def test_filters_combine_with_query_and_facets_count(collection: dict[str, Material]) -> None:
    assert titles("мектеп", subject="biology") == ["Жаратылыстану"]
    result = run_search(published(), SearchFilters(q="мектеп"))
    assert dict(result.facets["subject"]) == {"mathematics": 1, "biology": 1}
    assert dict(result.facets["grade"]) == {5: 2}
    assert dict(result.facets["language"]) == {"kk": 2}
    grade = run_search(published(), SearchFilters(grade=1))
    assert [m.title for m in grade.materials] == ["Новогодняя ёлка в начальной школе"]


def test_misspelled_russian_words_are_corrected(collection: dict[str, Material]) -> None:
    result = run_search(published(), SearchFilters(q="Методичиские рекамендации"))
    assert result.typo
    assert result.corrected == "методические рекомендации"
    assert [m.title for m in result.materials] == ["Методические рекомендации для учителей"]


def test_misspelled_kazakh_word_is_corrected(collection: dict[str, Material]) -> None:
    result = run_search(published(), SearchFilters(q="сабақ жоспвры"))
    assert (result.typo, result.corrected, result.total) == (True, "сабақ жоспары", 1)
    assert [m.title for m in result.materials] == ["Мектептегі сабақ жоспары"]
    # The correction's words are marked in the snippet like any match.
    assert "<mark>" in snippet("Мектептегі сабақ жоспары", result.groups, "kk")


def test_correction_lists_the_same_on_both_engines(collection: dict[str, Material]) -> None:
    material("Бағалы қағаздар, бағалап көру", "Мәтін.", subject="other")
    # Similarity 0.5, then 0.455 twice (ties by the word); «бағалаушы» 0.385 is too far.
    assert search.lexicon_neighbours("бағалпу") == ["бағалы", "бағалап", "бағалау"]
    assert search.lexicon_neighbours("жоспвры") == ["жоспары"]
    result = run_search(published(), SearchFilters(q="бағалпу"))
    assert result.corrected == "бағалы"
    assert [m.title for m in result.materials] == [
        "Бағалы қағаздар, бағалап көру",
        "Бағалау туралы",
    ]


def test_typo_falls_back_to_title_trigrams_without_correction(
    collection: dict[str, Material],
) -> None:
    # «учит» is too far from every title word to be corrected; the title trigrams still
    # find the title that holds it.
    result = run_search(published(), SearchFilters(q="рекомендации учитк"))
    assert (result.typo, result.corrected) == (True, "")
    assert [m.title for m in result.materials] == ["Методические рекомендации для учителей"]


def test_random_letters_find_nothing(collection: dict[str, Material]) -> None:
    result = run_search(published(), SearchFilters(q="щжфъэю ыхцчшщ"))
    assert (result.total, result.materials, result.corrected) == (0, [], "")


def test_correction_never_shows_a_word_of_an_unpublished_material(
    collection: dict[str, Material],
) -> None:
    hidden = material("Құпия зертханалық жұмыс", "Мәтін.", subject="chemistry")
    Material.objects.filter(pk=hidden.pk).update(status="draft")
    assert "зертханалық" in set(LexiconWord.objects.values_list("word", flat=True))
    result = run_search(published(), SearchFilters(q="зертханплық"))
    assert (result.total, result.corrected) == (0, "")


def test_lexicon_grows_when_a_material_is_published(collection: dict[str, Material]) -> None:
    words = set(LexiconWord.objects.values_list("word", flat=True))
    assert {"мектептегі", "сабақ", "жоспары", "методические", "елка"} <= words
    assert "жаңашыл" not in words
    material("Жаңашыл ұстаз", "Мәтін.", subject="other")
    assert {"жаңашыл", "ұстаз"} <= set(LexiconWord.objects.values_list("word", flat=True))
    assert titles("жаңашвл ұстаз") == ["Жаңашыл ұстаз"]


class _Editor:
    """What the migration's functions use of a schema editor (SQLite's cannot be opened
    inside the test's transaction)."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_migration_fills_the_lexicon(collection: dict[str, Material]) -> None:
    migration = importlib.import_module("kaskad.library.migrations.0003_lexicon")
    words = set(LexiconWord.objects.values_list("word", flat=True))
    editor = _Editor()
    migration.backward(django_apps, editor)
    LexiconWord.objects.all().delete()
    migration.forward(django_apps, editor)
    assert set(LexiconWord.objects.values_list("word", flat=True)) == words
    assert titles("Методичиские рекамендации") == ["Методические рекомендации для учителей"]


@pytest.mark.parametrize(
    "q",
    [
        '"мектеп',
        "мектеп*",
        "NEAR(мектеп сабақ)",
        "-мектеп",
        "^мектеп",
        "мектеп:",
        "(мектеп",
    ],
)
def test_operator_characters_are_text(collection: dict[str, Material], q: str) -> None:
    assert "Мектептегі сабақ жоспары" in titles(q)


def test_operator_words_and_sql_are_words(collection: dict[str, Material]) -> None:
    # AND/OR/NOT, column filters and SQL are ordinary words that must all be found.
    assert titles("мектеп AND OR NOT") == []
    assert titles("title:мектеп") == []
    assert titles("мектеп'; DROP TABLE library_material; --") == []
    assert Material.objects.count() == 5
    material("Not and or", "Title: мектеп; drop table library_material", subject="other")
    assert titles("мектеп AND OR NOT") == ["Not and or"]
    assert titles("title:мектеп") == ["Not and or"]
    assert titles("мектеп'; DROP TABLE library_material; --") == ["Not and or"]


@pytest.mark.parametrize("q", ["!!!", "...,,,;;", "\x00", "мектеп\x00", "я" * 2000, "ә " * 1500])
def test_hostile_queries_never_fail(collection: dict[str, Material], q: str) -> None:
    result = run_search(published(), SearchFilters(q=q))
    assert result.total >= 0


def test_punctuation_only_query_lists_everything(collection: dict[str, Material]) -> None:
    assert query_groups("?!...") == []
    assert run_search(published(), SearchFilters(q="?!...")).total == 5


def test_snippet_marks_word_forms_and_escapes() -> None:
    text = "Кіріспе. <b>Біздің</b> мектептерімізде оқушылар жұмыс істейді."
    html = snippet(text, query_groups("мектеп"), "kk")
    assert "<mark>мектептерімізде</mark>" in html
    assert "&lt;b&gt;" in html


@pytest.fixture
def many_lessons() -> list[Material]:
    """Four materials sharing the word «сабақ», the newest last; the oldest in history."""
    by = editor()
    made = []
    for title in ("Бірінші", "Екінші", "Үшінші", "Төртінші"):
        made.append(material(f"{title} сабақ", f"{title} сабақ жоспары.", by=by, subject="biology"))
    Material.objects.filter(pk=made[0].pk).update(subject="history")
    return made


def test_a_query_matching_more_than_the_candidates_ranks_a_bounded_set(
    many_lessons: list[Material], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "CANDIDATES", 2)
    result = run_search(published(), SearchFilters(q="сабақ"))
    assert result.capped and result.more
    assert result.total == 2  # a lower bound: "2+"
    # Only the two newest were ranked, and only they can be paged to.
    assert sorted(m.title for m in result.materials) == ["Төртінші сабақ", "Үшінші сабақ"]
    assert run_search(published(), SearchFilters(q="сабақ"), offset=2).materials == []
    # Facet counts cover those two only: lower bounds, shown as "N+".
    assert dict(result.facets["subject"]) == {"biology": 2}
    assert dict(result.facets["language"]) == {"kk": 2}


def test_a_filter_narrows_before_the_cap(
    many_lessons: list[Material], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "CANDIDATES", 2)
    result = run_search(published(), SearchFilters(q="сабақ", subject="history"))
    assert not result.capped and not result.more
    assert [m.title for m in result.materials] == ["Бірінші сабақ"]


def test_under_the_cap_everything_is_ranked_and_counted(many_lessons: list[Material]) -> None:
    result = run_search(published(), SearchFilters(q="сабақ"))
    assert not result.capped and not result.more
    assert result.total == 4
    assert len(result.materials) == 4
    assert dict(result.facets["subject"]) == {"biology": 3, "history": 1}


def test_listing_without_words_keeps_an_exact_total_and_caps_the_facets(
    many_lessons: list[Material], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "CANDIDATES", 3)
    result = run_search(published(), SearchFilters())
    assert result.total == 4 and not result.more
    assert result.capped
    assert dict(result.facets["subject"]) == {"biology": 3}


def test_the_search_page_marks_capped_counts_with_a_plus(
    many_lessons: list[Material], monkeypatch: pytest.MonkeyPatch, client: Client
) -> None:
    monkeypatch.setattr(search, "CANDIDATES", 2)
    client.force_login(teacher())
    page = client.get(reverse("library:search"), {"q": "сабақ"}).content.decode()
    assert '<span class="muted">2+</span>' in page
    assert '<span class="muted small">2+ ' in page  # the total: "2+ materials"
    monkeypatch.setattr(search, "CANDIDATES", 1000)
    page = client.get(reverse("library:search"), {"q": "сабақ"}).content.decode()
    assert '<span class="muted">3</span>' in page
    assert '<span class="muted small">4 ' in page
    assert "+</span>" not in page


@pytest.mark.parametrize(
    "layout",
    [
        "alternate",  # the word in every other material: found in the first window of ids
        "oldest",  # the word only in the oldest half: the window finds none, all are read
    ],
)
def test_candidates_from_windows_of_ids_are_the_newest_matches(
    layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL looks for a frequent word's newest matches among the newest ids first; the
    rows must be exactly those of a plain newest-first read, whichever window finds them."""
    by = editor()
    for i in range(40):
        hit = i % 2 == 0 if layout == "alternate" else i < 20
        word = "сабақ" if hit else "кітап"
        material(f"Тақырып {i} {word}", f"{word} мәтіні, нұсқа {i}.", by=by)
    monkeypatch.setattr(search, "CANDIDATES", 3)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE library_material")  # the estimate the window is sized by
    matched = search.matching(published(), query_groups("сабақ"))
    with CaptureQueriesContext(connection) as run:
        rows, capped = search.candidates(matched, words=True)
    if connection.vendor == "postgresql":
        bound = '"library_material"."id" >'
        assert [q for q in run.captured_queries if bound in q["sql"]], "no window was tried"
    plain = list(matched.order_by("-id").values_list("id", *search.FACET_FIELDS)[:4])
    assert rows == plain[:3]
    assert capped


def test_the_search_page_shows_the_corrected_query_in_the_users_language(
    collection: dict[str, Material], client: Client
) -> None:
    client.force_login(teacher())
    url = reverse("library:search")
    page = client.get(url, {"q": "Методичиские рекамендации"}).content.decode()
    assert "«методические рекомендации» бойынша нәтижелер көрсетілген" in page
    assert "Методические рекомендации для учителей" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(url, {"q": "сабақ жоспвры"}).content.decode()
    assert "показаны результаты по запросу «сабақ жоспары»" in page
    page = client.get(url, {"q": "<b>щжфъэю</b>"}).content.decode()
    assert "показаны результаты" not in page and "<b>щжфъэю" not in page
