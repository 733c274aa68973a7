"""The plagiarism engine on small real texts (no Django involved)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from kaskad.plagiarism.engine import KIND_COPY, KIND_QUOTED, EngineParams, Index, Report
from kaskad.plagiarism.engine.fingerprints import ngram_hashes, winnow
from kaskad.plagiarism.engine.normalise import tokenize

KK = (
    "Мұғалімнің кәсіби дамуы – білім беру сапасын арттырудың негізгі шарты. Біз сабақта "
    "оқушылардың өзіндік жұмысын ұйымдастыру үшін топтық тапсырмаларды қолдандық. Әр топ "
    "өз шешімін қорғап, басқа топтардың жұмысына кері байланыс берді. Нәтижесінде "
    "оқушылардың сыни тұрғыдан ойлау дағдылары айтарлықтай жақсарды, ал сабаққа деген "
    "қызығушылығы өсті. Келесі тоқсанда біз осы тәсілді математика және жаратылыстану "
    "пәндерінде де қолдануды жоспарлап отырмыз. Ата-аналармен жүргізілген сауалнама да "
    "оқушылардың үй тапсырмасын өз бетінше орындауға ынтасы артқанын көрсетті. Һәм "
    "мектеп әкімшілігі бұл тәжірибені басқа сыныптарға таратуды ұсынды."
)
KK_LATIN = (
    "Muǵalimniń kásibi damýy – bilim berý sapasyn arttyrýdyń negizgi sharty. Biz sabaqta "
    "oqýshylardyń ózindik jumysyn uıymdastyrý úshin toptyq tapsyrmalardy qoldandyq. Ár top "
    "óz sheshimin qorǵap, basqa toptardyń jumysyna keri baılanys berdi. Nátıjesinde "
    "oqýshylardyń syni turǵydan oılaý daǵdylary aıtarlyqtaı jaqsardy, al sabaqqa degen "
    "qyzyǵýshylyǵy ósti. Kelesi toqsanda biz osy tásildi matematıka jáne jaratylystaný "
    "pánderinde de qoldanýdy josparlap otyrmyz. Ata-analarmen júrgizilgen saýalnama da "
    "oqýshylardyń úı tapsyrmasyn óz betinshe oryndaýǵa yntasy artqanyn kórsetti. Hám "
    "mektep ákimshiligi bul tájirıbeni basqa synyptarǵa taratýdy usyndy."
)
RU = (
    "Профессиональное развитие учителя является ключевым условием повышения качества "
    "образования. На уроке мы организовали самостоятельную работу учащихся с помощью "
    "групповых заданий. Каждая группа защищала своё решение и давала обратную связь другим "
    "группам. В результате навыки критического мышления заметно улучшились, а интерес к "
    "предмету вырос. В следующей четверти мы планируем применять этот подход на уроках "
    "математики и естествознания. Анкетирование родителей также показало, что у детей "
    "возросло желание выполнять домашние задания самостоятельно."
)
EN = (
    "Formative assessment gives teachers timely evidence about what pupils understand. "
    "During the lesson study cycle we planned a sequence of tasks, observed three focus "
    "pupils and discussed the results with colleagues after every lesson. The most useful "
    "change was asking pupils to explain their reasoning to a partner before writing the "
    "answer, which made misconceptions visible early. We also replaced grades on drafts "
    "with short written comments and saw that pupils read and used the feedback far more "
    "often than before. Next term the department will extend the approach to the lower "
    "secondary classes and compare the results with last year."
)


def filler(n_words: int, seed: int) -> str:
    """Real words of the three texts above in a random order, with full stops."""
    rng = random.Random(seed)
    vocab = [w.strip(".,–") for w in (KK + " " + RU + " " + EN).split() if len(w) > 2]
    words = rng.choices(vocab, k=n_words)
    for i in range(9, n_words, 11):
        words[i] += "."
    return " ".join(words)


def words_of(text: str) -> list[str]:
    toks = tokenize(text)
    return [text[s:e] for s, e in zip(toks.starts.tolist(), toks.ends.tolist(), strict=True)]


# ---------------------------------------------------------------- normalisation
def test_tokens_keep_offsets_into_the_original_text() -> None:
    text = "Қазақстан  «Республикасының» Президенті; don't  ﬁnal école"
    assert words_of(text) == [
        "Қазақстан",
        "Республикасының",
        "Президенті",
        "don't",
        "ﬁnal",
        "école",
    ]


def test_kazakh_letters_are_distinct_from_plain_cyrillic() -> None:
    # әғқңөұүһі are letters of the words, not separators.
    assert words_of("әке ғылым қала өңір ұл үй һәм іні") == [
        "әке",
        "ғылым",
        "қала",
        "өңір",
        "ұл",
        "үй",
        "һәм",
        "іні",
    ]


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        (
            "Қазақстан Республикасының Президенті шешім қабылдады",
            "Qazaqstan Respýblıkasynyń Prezıdenti sheshim qabyldady",
        ),
        (
            "Қазақстан Республикасының Президенті шешім қабылдады",
            "Qazaqstan Respublikasynyñ Prezidenti şeşim qabyldady",
        ),
        ("Мұғалімдер жүйесі өте жақсы", "Muǵalimder júıesi óte jaqsy"),
        ("Мұғалімдер ғылым", "Mug'alimder g'ylym"),
        ("Привет, как дела? Щука и жизнь", "Privet, kak dela? Shchuka i zhizn'"),
    ],
)
def test_latin_and_cyrillic_spellings_hash_alike(cyrillic: str, latin: str) -> None:
    assert tokenize(cyrillic).hashes.tolist() == tokenize(latin).hashes.tolist()


def test_look_alike_letters_are_folded() -> None:
    # Latin p, o, a, e, c hidden inside Russian words, and Cyrillic ones in English words.
    assert (
        tokenize("речь о процессе").hashes.tolist() == tokenize("pечь o пpоцессе").hashes.tolist()
    )
    assert tokenize("copy paper").hashes.tolist() == tokenize("соpу рaреr").hashes.tolist()
    # Case, NFKC and combining marks.
    assert tokenize("ФИНАЛ Final").hashes.tolist() == tokenize("финал ﬁnal").hashes.tolist()
    assert tokenize("й ё").hashes.tolist() == tokenize("и\u0306 е\u0308").hashes.tolist()


def test_different_words_hash_differently() -> None:
    h = tokenize("қала кала дала тала").hashes
    assert len(set(h.tolist())) == 4


def test_winnowing_guarantees_a_fingerprint_per_window() -> None:
    toks = tokenize(filler(400, 1))
    ngr = ngram_hashes(toks.hashes, 5)
    sel = winnow(ngr, 4)
    assert len(ngr) == len(toks) - 4
    # Every window of 4 consecutive n-grams contains a selected position.
    gaps = np.diff(np.concatenate([[-1], sel, [len(ngr)]]))
    assert gaps.max() <= 4
    assert 0.3 < len(sel) / len(ngr) < 0.6


# ---------------------------------------------------------------- index and check
@pytest.fixture
def index(tmp_path) -> Index:
    return Index.open(tmp_path / "idx")


def test_three_languages_exact_copies_found(index: Index) -> None:
    index.add("kk", filler(300, 1) + "\n\n" + KK)
    index.add("ru", RU + "\n\n" + filler(300, 2))
    index.add("en", filler(200, 3) + " " + EN + " " + filler(200, 4))
    for doc, source in ((KK, "kk"), (RU, "ru"), (EN, "en")):
        checked = filler(500, 10) + "\n\n" + doc + "\n\n" + filler(500, 11)
        report = index.check(checked)
        assert {m.source_id for m in report.matches} == {source}
        (m,) = report.matches
        assert m.kind == KIND_COPY
        assert checked[m.start : m.end].rstrip(".") == doc.rstrip(".")
        assert index.text_of(source)[m.source_start : m.source_end].rstrip(".") == doc.rstrip(".")
        assert report.similarity == pytest.approx(len(doc) / len(checked), abs=0.01)


def test_latin_script_copy_of_a_cyrillic_passage_is_found(index: Index) -> None:
    index.add("cyr", filler(400, 5) + "\n" + KK + "\n" + filler(400, 6))
    checked = "Kirispe. " + KK_LATIN + " Qorytyndy."
    report = index.check(checked)
    (m,) = report.matches
    assert m.source_id == "cyr"
    assert checked[m.start : m.end].startswith("Muǵalimniń kásibi")
    assert checked[m.start : m.end].endswith("usyndy.")
    assert index.text_of("cyr")[m.source_start : m.source_end] == KK
    assert report.similarity > 0.9


def test_300_word_copy_inside_a_4000_word_portfolio(index: Index) -> None:
    source_text = filler(1500, 20)
    words = source_text.split(" ")
    copied = " ".join(words[600:900])  # 300 words
    index.add("source", source_text)
    for k in range(5):
        index.add(f"other-{k}", filler(2000, 100 + k))
    head, tail = filler(1900, 30), filler(1800, 31)
    checked = head + " " + copied + " " + tail
    assert 3900 < len(checked.split()) < 4100
    report = index.check(checked)
    (m,) = report.matches
    assert m.source_id == "source"
    start = len(head) + 1
    assert (m.start, m.end) == (start, start + len(copied))
    s_start = source_text.index(copied)
    assert (m.source_start, m.source_end) == (s_start, s_start + len(copied))
    assert m.similarity == 1.0
    assert report.similarity == pytest.approx(len(copied) / len(checked))


def test_template_text_is_not_evidence(index: Index) -> None:
    template = (
        "Раздел 1. Анализ урока. Опишите цель урока, ожидаемые результаты обучения и критерии "
        "оценивания. Раздел 2. Рефлексия. Опишите, что получилось, что не получилось и почему, "
        "и какие изменения вы внесёте в следующий урок по итогам наблюдения коллег."
    )
    index.add_template("programme-7", template)
    index.add("teacher-a", template + "\n" + filler(600, 40))
    report = index.check(template + "\n" + filler(600, 41))
    assert report.matches == []
    assert report.similarity == 0.0
    assert report.template_chars >= len(template) - 20
    # Own copied text next to the template is still found.
    report = index.check(template + "\n" + filler(600, 40))
    assert [m.source_id for m in report.matches] == ["teacher-a"]


def test_boilerplate_in_more_than_max_df_documents_is_suppressed(tmp_path) -> None:
    index = Index.open(tmp_path / "idx", EngineParams(max_df=5))
    boiler = EN
    for k in range(8):
        index.add(f"doc-{k}", filler(300, 200 + k) + " " + boiler + " " + filler(300, 300 + k))
    report = index.check(filler(300, 400) + " " + boiler)
    assert report.matches == []
    assert report.template_chars > len(boiler) * 0.9
    # The same passage in only 3 documents is evidence.
    small = Index.open(tmp_path / "small", EngineParams(max_df=5))
    for k in range(3):
        small.add(f"doc-{k}", filler(300, 200 + k) + " " + boiler)
    assert {m.source_id for m in small.check(filler(300, 400) + " " + boiler).matches} == {
        "doc-0",
        "doc-1",
        "doc-2",
    }


def test_quoted_and_cited_passages_are_reported_but_not_scored(index: Index) -> None:
    index.add("book", filler(300, 50) + " " + EN + " " + filler(300, 51))
    quoted = "As the handbook says, «" + EN + "» We agree."
    report = index.check(quoted)
    (m,) = report.matches
    assert m.kind == KIND_QUOTED
    assert report.similarity == 0.0
    two_sentences = EN[: EN.index("every lesson.") + len("every lesson.")]
    assert 30 < len(two_sentences.split()) < 60
    cited = "Intro. " + two_sentences + " (Smith, 2019). Our own words."
    (m,) = index.check(cited).matches
    assert m.kind == KIND_QUOTED
    bracket = "Intro. " + two_sentences + " [12] Our own words."
    (m,) = index.check(bracket).matches
    assert m.kind == KIND_QUOTED
    # A long copy with a citation at its end: only the last sentence counts as cited.
    long_cited = "Intro. " + EN + " (Smith, 2019). Our own words."
    rep = index.check(long_cited)
    assert [m.kind for m in rep.matches] == [KIND_COPY, KIND_QUOTED]
    copy, cite = rep.matches
    assert long_cited[cite.start : cite.end].startswith("Next term the department")
    assert copy.end <= cite.start
    assert rep.similarity > 0.5
    plain = "Intro. " + EN + " Our own words."
    rep = index.check(plain)
    assert [m.kind for m in rep.matches] == [KIND_COPY]
    assert rep.similarity > 0.8


def test_same_group_and_self_are_excluded(index: Index) -> None:
    draft = filler(200, 60) + " " + RU + " " + filler(200, 61)
    index.add("draft", draft, group="participant-1")
    final = RU + " " + filler(300, 62)
    assert index.check(final, group="participant-1").matches == []
    assert [m.source_id for m in index.check(final, group="participant-2").matches] == ["draft"]
    # Checking a document that is itself in the index: it never matches itself.
    assert index.check(draft, doc_id="draft").matches == []


def test_persistence_round_trip(tmp_path) -> None:
    path = tmp_path / "idx"
    index = Index.open(path)
    index.add("a", KK, group="g1")
    index.add("b", RU)
    index.add_template("t", EN)
    index.save()
    again = Index.open(path)
    assert len(again) == 2
    assert again.text_of("a") == KK
    assert again.text_of("b") == RU
    report = again.check("Кіріспе. " + KK)
    assert [m.source_id for m in report.matches] == ["a"]
    assert again.check(KK, group="g1").matches == []
    assert again.check(EN + " " + filler(100, 1)).template_chars > 0
    assert Report.from_dict(report.to_dict()) == report


def test_incremental_add_without_rebuild(tmp_path) -> None:
    path = tmp_path / "idx"
    index = Index.open(path)
    for k in range(20):
        index.add(f"doc-{k}", filler(400, 500 + k))
    index.save()
    index.merge()
    index.save()
    main_before = index._main.keys  # the main segment's array
    index = Index.open(path)
    main_before = index._main.keys
    index.add("new", filler(100, 1) + " " + EN)
    report = index.check(EN)
    assert [m.source_id for m in report.matches] == ["new"]
    # The new document went to the delta segment; the main one was not rebuilt.
    assert index._main.keys is main_before
    assert len(index._delta) > 0
    index.save()
    main_files = sorted(p.name for p in path.glob("*-main-keys.npy"))
    again = Index.open(path)
    assert len(again) == 21
    assert [m.source_id for m in again.check(EN).matches] == ["new"]
    assert sorted(p.name for p in path.glob("*-main-keys.npy")) == main_files


def test_remove_and_replace(tmp_path) -> None:
    path = tmp_path / "idx"
    index = Index.open(path)
    index.add("a", filler(100, 1) + " " + EN)
    index.add("b", filler(100, 2) + " " + RU)
    index.save()
    index.remove("a")
    assert index.check(EN).matches == []
    with pytest.raises(KeyError):
        index.text_of("a")
    index.save()
    again = Index.open(path)
    assert len(again) == 1
    assert again.check(EN).matches == []
    # Re-adding an id replaces the document.
    again.add("b", KK)
    assert again.check(RU).matches == []
    assert [m.source_id for m in again.check(KK).matches] == ["b"]
    again.merge()
    assert [m.source_id for m in again.check(KK).matches] == ["b"]


def test_cross_language_status() -> None:
    index = Index.open(None)
    index.add("a", EN)
    assert index.check(EN).cross_language == "skipped"
    assert index.check(EN, cross_language=True).cross_language in {"done", "unavailable"}


def test_empty_and_tiny_texts() -> None:
    index = Index.open(None)
    index.add("empty", "")
    index.add("tiny", "бір екі")
    report = index.check("")
    assert report.similarity == 0.0 and report.matches == []
    assert index.check("бір екі").matches == []


def test_reordered_sentences_are_one_passage(index: Index) -> None:
    sentences = [s.strip() + "." for s in EN.split(".") if s.strip()]
    assert len(sentences) == 5
    index.add("src", filler(300, 70) + " " + EN + " " + filler(300, 71))
    shuffled = " ".join(sentences[k] for k in (2, 0, 4, 1, 3))
    checked = filler(200, 72) + " " + shuffled + " " + filler(200, 73)
    report = index.check(checked)
    (m,) = report.matches
    start = checked.index(shuffled)
    assert abs(m.start - start) <= 1 and abs(m.end - (start + len(shuffled))) <= 1


def test_lightly_edited_copy_is_one_passage(index: Index) -> None:
    words = EN.split()
    edited = list(words)
    for k in range(5, len(edited), 10):  # every tenth word replaced
        edited[k] = "banana"
    index.add("src", filler(300, 80) + " " + EN)
    report = index.check(filler(200, 81) + " " + " ".join(edited))
    (m,) = report.matches
    assert m.source_id == "src"
    assert 0.5 < m.similarity < 1.0
