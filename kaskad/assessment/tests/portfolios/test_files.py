"""Metadata stripping: the author's name put in a file's metadata is gone from the copy
assessors download, and the copy still opens with the same text."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader

from kaskad.assessment.portfolios.files import strip_metadata
from kaskad.assessment.tests.portfolio_documents import (
    AUTHOR,
    make_docx,
    make_odt,
    make_pdf,
    w_paragraph,
)
from kaskad.documents.extract import (
    MAX_PAGES,
    MAX_UNCOMPRESSED,
    ExtractionError,
    extract,
    sniff,
)

KAZAKH = "Сабақ жоспары: әғқңөұүһі әріптері бар мәтін."
COMPANY = "School No. 17 of Aktobe"


def spellings(name: str) -> list[bytes]:
    """The ways a name can sit in a file's bytes: UTF-8, and UTF-16 (PDF strings)."""
    return [name.encode(), name.encode("utf-16-be"), name.encode("utf-16-le")]


def assert_gone(data: bytes, *names: str) -> None:
    for name in names:
        for spelling in spellings(name):
            assert spelling not in data, f"{name!r} is still in the stored copy"


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_pdf_info_and_xmp_are_removed() -> None:
    original = make_pdf([KAZAKH], author=AUTHOR, xmp_author=AUTHOR)
    reader = PdfReader(io.BytesIO(original))
    assert reader.metadata is not None and reader.metadata.author == AUTHOR
    assert AUTHOR.encode() in original  # the XMP stream holds it in plain bytes
    stripped = strip_metadata(original, "pdf")
    assert_gone(stripped, AUTHOR)
    copy = PdfReader(io.BytesIO(stripped))
    assert copy.metadata is None or not copy.metadata.get("/Author")
    assert copy.xmp_metadata is None
    assert extract(stripped, "pdf").text == KAZAKH


def test_a_pdf_without_metadata_stays_readable() -> None:
    stripped = strip_metadata(make_pdf([KAZAKH]), "pdf")
    assert sniff(stripped) == "pdf" and extract(stripped, "pdf").text == KAZAKH


def test_docx_properties_and_comments_are_left_behind() -> None:
    original = make_docx([KAZAKH], author=AUTHOR, company=COMPANY, comment_author=AUTHOR)
    assert AUTHOR.encode() in members(original)["docProps/core.xml"]
    stripped = strip_metadata(original, "docx")
    assert_gone(stripped, AUTHOR, COMPANY, "Lesson series")
    parts = members(stripped)
    for name, content in parts.items():
        assert AUTHOR.encode() not in content, name
    # A blank core part instead of the original; no app part, no comments.
    assert b"<dc:" not in parts["docProps/core.xml"]
    assert "docProps/app.xml" not in parts and "word/comments.xml" not in parts
    assert next(iter(parts)) == "[Content_Types].xml"
    # The namespace prefixes Word relies on are untouched.
    assert b'mc:Ignorable="w14"' in parts["word/document.xml"]
    assert sniff(stripped) == "docx" and extract(stripped, "docx").text == KAZAKH


def test_tracked_changes_authors_are_anonymised() -> None:
    body = (
        f'<w:p><w:ins w:id="1" w:author="{AUTHOR}" w:date="2026-03-01T10:00:00Z">'
        "<w:r><w:t>Inserted</w:t></w:r></w:ins></w:p>"
    )
    stripped = strip_metadata(make_docx([KAZAKH], body=body), "docx")
    assert_gone(stripped, AUTHOR)
    assert "Inserted" in extract(stripped, "docx").text


def test_odt_meta_and_annotations_are_left_behind() -> None:
    original = make_odt([KAZAKH], author=AUTHOR, annotation_author=AUTHOR)
    stripped = strip_metadata(original, "odt")
    assert_gone(stripped, AUTHOR, "Lesson series", "A remark.")
    parts = members(stripped)
    assert next(iter(parts)) == "mimetype"
    with zipfile.ZipFile(io.BytesIO(stripped)) as archive:
        assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    assert b"<office:meta/>" in parts["meta.xml"]
    assert b"office:annotation" not in parts["content.xml"]
    assert sniff(stripped) == "odt"
    assert extract(stripped, "odt").paragraph_texts() == [KAZAKH, "Noted"]


def test_txt_is_stored_as_it_is() -> None:
    data = KAZAKH.encode()
    assert strip_metadata(data, "txt") == data


def test_a_zip_bomb_is_not_rewritten() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"a" * (MAX_UNCOMPRESSED + 10))
    with pytest.raises(ExtractionError) as caught:
        strip_metadata(bomb.getvalue(), "docx")
    assert caught.value.code == "too_large"


def test_an_encrypted_pdf_cannot_be_stripped() -> None:
    with pytest.raises(ExtractionError) as caught:
        strip_metadata(make_pdf([KAZAKH], password="secret"), "pdf")
    assert caught.value.code == "encrypted"


def test_a_property_field_without_a_result_does_not_empty_the_text_after_it() -> None:
    def field(instruction: str, result: str = "") -> str:
        separate = (
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{result}</w:t></w:r>'
            if result
            else ""
        )
        return (
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f"<w:r><w:instrText>{instruction}</w:instrText></w:r>{separate}"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )

    body = field(" AUTHOR ") + field(" PAGE ", "7") + field(" AUTHOR ", AUTHOR)
    stripped = strip_metadata(make_docx([KAZAKH], body=body + w_paragraph("After.")), "docx")
    assert_gone(stripped, AUTHOR)
    text = extract(stripped, "docx").text
    assert KAZAKH in text and "7" in text and "After." in text


def test_a_pdf_with_too_many_pages_is_not_rebuilt() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(MAX_PAGES + 1):
        writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ExtractionError) as caught:
        strip_metadata(out.getvalue(), "pdf")
    assert caught.value.code == "too_large"
