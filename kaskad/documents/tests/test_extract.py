"""The text extractor on real files: the kind judged from the content, the text and its
paragraphs, and every way a file can fail to be read."""

from __future__ import annotations

import io
import zipfile

import pytest

from kaskad.assessment.tests.portfolio_documents import make_docx, make_odt, make_pdf, w_paragraph
from kaskad.documents.extract import (
    MAX_UNCOMPRESSED,
    Extracted,
    ExtractionError,
    extract,
    sniff,
)

KAZAKH = "Оқушылар әғқңөұүһі әріптерін жазады: сәбіз, ағаш, қала, таң, өнер, ұлт, үй, һәм, іс."
LONG = (
    "The lesson series on fractions was planned together with colleagues, and each lesson "
    "ended with a short reflection written by the pupils about what they had understood."
)


def paragraphs_of(result: Extracted) -> list[str]:
    return [result.text[start:end] for start, end in result.paragraphs]


def code_of(data: bytes, kind: str) -> str:
    with pytest.raises(ExtractionError) as caught:
        extract(data, kind)
    return caught.value.code


# --- sniffing ---------------------------------------------------------------------------------


def test_the_kind_comes_from_the_content() -> None:
    assert sniff(make_pdf(["Hello"])) == "pdf"
    assert sniff(make_docx(["Hello"])) == "docx"
    assert sniff(make_odt(["Hello"])) == "odt"
    assert sniff("Сәлем, әлем!\r\nЕкінші жол.".encode()) == "txt"
    assert sniff(b"\xef\xbb\xbfWith a byte order mark") == "txt"
    assert sniff("Привет, мир".encode("cp1251")) == "txt"


def test_what_is_not_one_of_the_four_kinds() -> None:
    assert sniff(b"") is None
    assert sniff(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40) is None
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40) is None  # old .doc
    assert sniff(b"text with a \x00 NUL byte") is None
    spreadsheet = io.BytesIO()
    with zipfile.ZipFile(spreadsheet, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert sniff(spreadsheet.getvalue()) is None
    assert sniff(make_odt(["x"], mimetype="application/vnd.oasis.opendocument.spreadsheet")) is None
    assert sniff(b"PK\x03\x04 but not a zip at all") is None


# --- PDF --------------------------------------------------------------------------------------


def test_a_pdf_with_kazakh_letters() -> None:
    result = extract(make_pdf([KAZAKH, LONG]), "pdf")
    assert result.kind == "pdf"
    assert paragraphs_of(result) == [KAZAKH, LONG]
    assert result.text == f"{KAZAKH}\n\n{LONG}"
    assert result.word_count == len(KAZAKH.split()) + len(LONG.split())


def test_an_encrypted_pdf_is_refused() -> None:
    assert code_of(make_pdf([LONG], password="secret"), "pdf") == "encrypted"


def test_a_pdf_protected_only_by_an_owner_password_is_read() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([LONG]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert extract(out.getvalue(), "pdf").text == LONG


def test_a_corrupt_or_truncated_pdf_is_refused() -> None:
    assert code_of(b"%PDF-1.7\n this is not a PDF at all", "pdf") == "corrupt"
    whole = make_pdf([LONG])
    assert code_of(whole[: len(whole) // 3], "pdf") in ("corrupt", "empty")


def test_a_pdf_without_text_is_empty() -> None:
    assert code_of(make_pdf([]), "pdf") == "empty"


# --- DOCX -------------------------------------------------------------------------------------


def test_docx_paragraphs_tabs_breaks_tables_and_footnotes() -> None:
    body = (
        '<w:p><w:r><w:t>Aim:</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">fractions</w:t>'
        "</w:r><w:r><w:br/><w:t>second line</w:t></w:r></w:p>"
        "<w:p/>"
        "<w:tbl><w:tr><w:tc>"
        + w_paragraph("Cell one")
        + "</w:tc><w:tc>"
        + w_paragraph("Cell two")
        + "</w:tc></w:tr></w:tbl>"
        '<w:p><w:ins w:author="A"><w:r><w:t>Kept</w:t></w:r></w:ins>'
        "<w:del w:author='A'><w:r><w:delText>Deleted</w:delText></w:r></w:del></w:p>"
    )
    result = extract(make_docx([KAZAKH], body=body, footnotes=["A footnote."]), "docx")
    assert paragraphs_of(result) == [
        KAZAKH,
        "Aim: fractions\nsecond line",
        "Cell one",
        "Cell two",
        "Kept",
        "A footnote.",
    ]
    assert "Deleted" not in result.text


def test_a_damaged_docx_is_refused() -> None:
    whole = make_docx([LONG])
    assert code_of(whole[: len(whole) // 2], "docx") == "corrupt"
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><unclosed>")
    assert code_of(broken.getvalue(), "docx") == "corrupt"


def test_a_docx_with_no_words_is_empty() -> None:
    assert code_of(make_docx(["   ", ""]), "docx") == "empty"


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b" " * (MAX_UNCOMPRESSED + 1))
    data = bomb.getvalue()
    assert len(data) < 200_000
    assert sniff(data) == "docx"
    assert code_of(data, "docx") == "too_large"


def test_an_entity_expansion_attack_is_refused() -> None:
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;">]><d>&b;</d>',
        )
    assert code_of(archive_bytes.getvalue(), "docx") == "corrupt"


# --- ODT --------------------------------------------------------------------------------------


def test_odt_headings_lists_spaces_tables_and_notes() -> None:
    body = (
        "<text:h>Тақырып</text:h>"
        "<text:p>One<text:s text:c='3'/>two<text:tab/>three<text:line-break/>four"
        "<text:note><text:note-citation>1</text:note-citation><text:note-body>"
        "<text:p>Ескерту.</text:p></text:note-body></text:note> end</text:p>"
        "<text:list><text:list-item><text:p>Item <text:span>in a span</text:span></text:p>"
        "</text:list-item></text:list>"
        "<table:table><table:table-row><table:table-cell><text:p>Ұяшық</text:p>"
        "</table:table-cell></table:table-row></table:table>"
    )
    result = extract(make_odt([KAZAKH], body=body), "odt")
    assert paragraphs_of(result) == [
        KAZAKH,
        "Тақырып",
        "One two three\nfour end",
        "Item in a span",
        "Ұяшық",
        "Ескерту.",
    ]


def test_odt_annotations_are_not_the_text() -> None:
    result = extract(make_odt([LONG], annotation_author="Someone"), "odt")
    assert "A remark" not in result.text and "Someone" not in result.text


# --- TXT --------------------------------------------------------------------------------------


def test_txt_in_utf8_with_a_bom_and_blank_lines() -> None:
    data = ("\ufeff" + KAZAKH + "\r\n\r\n" + "a wrapped\r\nline\r\n\r\n\r\n  last  ").encode()
    result = extract(data, "txt")
    assert paragraphs_of(result) == [KAZAKH, "a wrapped line", "last"]
    assert result.paragraphs[0] == (0, len(KAZAKH))


def test_txt_without_blank_lines_has_a_paragraph_per_line() -> None:
    result = extract(b"first\nsecond\n\tthird", "txt")
    assert paragraphs_of(result) == ["first", "second", "third"]


def test_txt_in_windows_1251() -> None:
    text = "Урок по математике для 5 класса"
    assert extract(text.encode("cp1251"), "txt").text == text


def test_empty_text_and_binary_data() -> None:
    assert code_of(b" \r\n\t\n", "txt") == "empty"
    assert code_of(b"\x00\x01\x02", "txt") == "corrupt"


def test_an_unknown_kind() -> None:
    assert code_of(b"whatever", "rtf") == "unknown_type"
