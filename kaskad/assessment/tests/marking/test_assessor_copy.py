"""The assessor's copy is built by allow-list: a corpus of hostile files (the participant's name
and IIN in every metadata field the formats have, JavaScript, actions, embedded files, a JPEG
with EXIF) goes in, and not one identifying byte comes out, while the text is still there.

The search covers the whole output: its raw bytes, every member of an archive unpacked, every
PDF stream decompressed and every PDF string decoded, in UTF-8, UTF-16BE and UTF-16LE."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from typing import Any, cast
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
    TextStringObject,
)

from kaskad.assessment.portfolios.files import clean_jpeg, strip_metadata
from kaskad.assessment.portfolios.services import portfolio_file_add
from kaskad.assessment.tests.hostile_documents import (
    BODY,
    EXTERNAL,
    INSERTED,
    NAME,
    WHO,
    hostile_docx,
    hostile_jpeg,
    hostile_odt,
    hostile_pdf,
    identifying,
)
from kaskad.assessment.tests.portfolio_helpers import participant_case
from kaskad.documents.extract import extract, sniff

_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


def _pdf_blobs(data: bytes) -> list[bytes]:
    """Every stream of a PDF decompressed (found in the bytes, so orphans too), and every
    string, name and stream reachable through its objects, decoded."""
    found: list[bytes] = []
    for raw in _STREAM.findall(data):
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompressobj().decompress(raw))
    reader = PdfReader(io.BytesIO(data))
    stack: list[object] = [reader.trailer]
    for generation in reader.xref.values():
        stack.extend(reader.get_object(idnum) for idnum in generation)
    stack.extend(reader.get_object(idnum) for idnum in reader.xref_objStm)
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, TextStringObject):
            found.append(str(item).encode())
            found.append(item.original_bytes)
        elif isinstance(item, ByteStringObject):
            found.append(bytes(item))
        elif isinstance(item, NameObject):
            found.append(str(item).encode())
        if isinstance(item, StreamObject):
            try:
                found.append(item.get_data())
            except Exception:
                found.append(item._data)
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                found.append(str(key).encode())
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return found


def blobs(data: bytes) -> list[bytes]:
    """The file's bytes and everything packed or compressed inside it."""
    found = [data]
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                found.append(info.filename.encode())
                found.extend(blobs(archive.read(info)))
    elif b"%PDF-" in data[:1024]:
        found.extend(_pdf_blobs(data))
    return found


def leaks(data: bytes) -> list[str]:
    """Which identifying strings are found anywhere in `data`, in any of their spellings."""
    everything = blobs(data)
    found = []
    for text in identifying():
        spellings = [text.encode(), text.encode("utf-16-be"), text.encode("utf-16-le")]
        spellings.append(text.encode("utf-16-be").hex().encode())
        spellings.append(text.encode("utf-16-be").hex().upper().encode())
        if any(spelling in blob for blob in everything for spelling in spellings):
            found.append(text)
    return found


def images_in(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            archive.read(name)
            for name in archive.namelist()
            if name.lower().endswith((".jpeg", ".jpg", ".png"))
        ]


def assert_no_exif(image: bytes) -> None:
    with Image.open(io.BytesIO(image)) as opened:
        opened.load()
        assert not opened.getexif(), "EXIF survived"
        assert "comment" not in opened.info and "xmp" not in opened.info


# --- The corpus is hostile -----------------------------------------------------------------------


@pytest.mark.parametrize("make", [hostile_docx, hostile_odt, hostile_pdf])
def test_the_corpus_names_the_participant_everywhere(make) -> None:  # type: ignore[no-untyped-def]
    assert set(leaks(make())) == set(identifying())


def test_the_search_finds_a_name_hidden_in_a_pdf_string() -> None:
    # pypdf writes a UTF-16 string with octal escapes: only decoding the objects finds it.
    data = hostile_pdf()
    assert NAME.encode("utf-16-be") not in data
    assert NAME in leaks(data)


# --- DOCX ----------------------------------------------------------------------------------------


def test_docx_copy_keeps_the_text_and_nothing_that_names_the_participant() -> None:
    copy = strip_metadata(hostile_docx(), "docx")
    assert leaks(copy) == []
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        for name in names:
            if name.endswith((".xml", ".rels")):
                ET.fromstring(archive.read(name))
        document = archive.read("word/document.xml")
        rels = archive.read("word/_rels/document.xml.rels").decode()
    assert names[0] == "[Content_Types].xml"
    assert set(names) == {
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "word/document.xml",
        "word/_rels/document.xml.rels",
        "word/styles.xml",
        "word/settings.xml",
        "word/media/image1.jpeg",
    }
    # Tracked changes accepted: the insertion stays (by "Participant"), the deletion goes.
    assert b'w:author="Participant"' in document and b"delText" not in document
    assert b"commentReference" not in document and b'mc:Ignorable="w14 w15"' in document
    # The hyperlink a reader follows on purpose stays; the tracking pixel does not.
    assert "https://bilim.example.kz/lesson" in rels and EXTERNAL not in rels
    # Every reference to a relationship points at one that is kept (nothing dangles).
    referenced = set(re.findall(rb'\sr:\w+="([^"]*)"', document))
    kept = set(re.findall(r'Id="([^"]*)"', rels))
    assert referenced and {r.decode() for r in referenced} <= kept
    assert b"OLEObject" not in document
    assert sniff(copy) == "docx"
    text = extract(copy, "docx").text
    assert BODY[0] in text and BODY[1] in text and INSERTED in text
    (image,) = images_in(copy)
    assert_no_exif(image)


# --- ODT -----------------------------------------------------------------------------------------


def test_odt_copy_keeps_the_text_and_nothing_that_names_the_participant() -> None:
    copy = strip_metadata(hostile_odt(), "odt")
    assert leaks(copy) == []
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        for info in infos:
            if info.filename.endswith(".xml"):
                ET.fromstring(archive.read(info))
        content = archive.read("content.xml")
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {info.filename for info in infos} == {
        "mimetype",
        "content.xml",
        "styles.xml",
        "meta.xml",
        "META-INF/manifest.xml",
        "Object 1/content.xml",
        "Pictures/photo.jpg",
        "Pictures/logo.png",
    }
    for gone in (b"office:annotation", b"tracked-changes", b"office:scripts", b"office:forms"):
        assert gone not in content
    assert b'xlink:href="Pictures/photo.jpg"' in content
    assert b'xlink:href="./Object 1"' in content
    assert sniff(copy) == "odt"
    text = extract(copy, "odt").text
    assert BODY[0] in text and BODY[1] in text
    photo, logo = images_in(copy)
    assert_no_exif(photo)
    with Image.open(io.BytesIO(logo)) as opened:
        assert opened.format == "PNG" and opened.size == (16, 16)
        assert not opened.info.get("Author") and not opened.info.get("Comment")


# --- PDF -----------------------------------------------------------------------------------------


def test_pdf_copy_keeps_the_pages_and_nothing_that_names_or_reports() -> None:
    original = hostile_pdf()
    copy = strip_metadata(original, "pdf")
    assert leaks(copy) == []
    for active in (
        b"/JavaScript",
        b"/JS",
        b"/OpenAction",
        b"/AA",
        b"/Annots",
        b"/EmbeddedFile",
        b"/AcroForm",
        b"/Launch",
        b"/URI",
        b"/SubmitForm",
        b"/Outlines",
        b"/Metadata",
        b"/PieceInfo",
    ):
        assert not any(active in blob for blob in blobs(copy)), active
    reader = PdfReader(io.BytesIO(copy))
    assert len(reader.pages) == len(PdfReader(io.BytesIO(original)).pages)
    assert reader.metadata is None
    assert set(cast(DictionaryObject, reader.trailer["/Root"]).keys()) == {"/Type", "/Pages"}
    text = extract(copy, "pdf").text
    assert BODY[0] in text and BODY[1] in text and WHO not in text
    # The photo is still drawn, its JPEG without EXIF.
    resources = cast(DictionaryObject, reader.pages[0]["/Resources"])
    photo = cast(DictionaryObject, resources["/XObject"])["/ImPhoto"].get_object()
    assert isinstance(photo, StreamObject)
    assert_no_exif(photo._data)


# --- JPEG ----------------------------------------------------------------------------------------


def test_clean_jpeg_keeps_the_picture_and_drops_the_metadata() -> None:
    original = hostile_jpeg()
    cleaned = clean_jpeg(original + b"trailing " + WHO.encode())
    assert cleaned is not None and leaks(cleaned) == []
    assert_no_exif(cleaned)
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(cleaned)) as after:
        assert before.size == after.size
        assert before.tobytes() == after.tobytes()  # not re-encoded
    assert clean_jpeg(b"not a jpeg") is None


# --- Through the upload --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make"),
    [("plan.docx", hostile_docx), ("plan.odt", hostile_odt), ("plan.pdf", hostile_pdf)],
)
def test_an_uploaded_hostile_file_is_stored_and_read_without_the_participant(
    name: str, make: Any
) -> None:
    case = participant_case()
    record = portfolio_file_add(
        portfolio=case.portfolio, upload=SimpleUploadedFile(name, make()), by=case.user
    )
    with record.stored.open("rb") as handle:
        stored = handle.read()
    assert leaks(stored) == []
    # The text assessors read on the marking page is the copy's: the work, not the name.
    assert BODY[0] in record.text and BODY[1] in record.text
    assert not any(text in record.text for text in identifying())
