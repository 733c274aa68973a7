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
from xml.sax.saxutils import escape

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
    _ODT_NS,
    BODY,
    EMAIL,
    EXTERNAL,
    IIN,
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
def test_the_corpus_names_the_participant_everywhere(make) -> None:
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


# --- Fields, controls and page keys that carry the name ------------------------------------------

_W_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
_WHO = escape(WHO)


def _docx_with(body: str) -> bytes:
    """A minimal DOCX whose body is `BODY[0]` and then `body`."""
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W_NS}><w:body>'
        f'<w:p><w:r><w:t xml:space="preserve">{escape(BODY[0])}</w:t></w:r></w:p>{body}'
        "</w:body></w:document>"
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def _run(inner: str) -> str:
    return f"<w:r>{inner}</w:r>"


def _fld(kind: str) -> str:
    return _run(f'<w:fldChar w:fldCharType="{kind}"/>')


def _instr(text: str) -> str:
    return _run(f'<w:instrText xml:space="preserve">{escape(text)}</w:instrText>')


def _shown(text: str) -> str:
    return _run(f"<w:t>{escape(text)}</w:t>")


def _complex(*instructions: str, shown: str = WHO) -> str:
    return (
        _fld("begin")
        + "".join(_instr(i) for i in instructions)
        + _fld("separate")
        + _shown(shown)
        + _fld("end")
    )


DOCX_CASES = {
    "instruction split across runs": "<w:p>" + _complex(" AUTH", "OR ") + "</w:p>",
    "AUTHOR nested in IF": (
        "<w:p>"
        + _fld("begin")
        + _instr(' IF 1 = 1 "')
        + _complex(" AUTHOR ")
        + _instr('" "" ')
        + _fld("separate")
        + _shown(WHO)
        + _fld("end")
        + "</w:p>"
    ),
    "DOCVARIABLE": "<w:p>" + _complex(' DOCVARIABLE "Owner" ') + "</w:p>",
    "FILENAME with path": "<w:p>" + _complex(" FILENAME \\p ") + "</w:p>",
    "MERGEFIELD": "<w:p>" + _complex(" MERGEFIELD Teacher ") + "</w:p>",
    "INCLUDETEXT path": (
        "<w:p>" + _complex(f' INCLUDETEXT "C:\\\\Users\\\\{NAME}\\\\a.docx" ', shown=".") + "</w:p>"
    ),
    "simple DOCVARIABLE": (
        f'<w:p><w:fldSimple w:instr=" DOCVARIABLE Owner ">{_shown(WHO)}</w:fldSimple></w:p>'
    ),
    "simple field nested in a simple field": (
        '<w:p><w:fldSimple w:instr=" QUOTE "><w:fldSimple w:instr=" USERNAME ">'
        f"{_shown('x')}</w:fldSimple>{_shown(WHO)}</w:fldSimple></w:p>"
    ),
    "content control alias and tag": (
        f'<w:sdt><w:sdtPr><w:alias w:val="{_WHO}"/><w:tag w:val="{_WHO}"/></w:sdtPr>'
        f"<w:sdtContent><w:p>{_shown(BODY[1])}</w:p></w:sdtContent></w:sdt>"
    ),
    "custom XML element": (
        f'<w:p><w:customXml w:uri="urn:{IIN}" w:element="{IIN}"><w:customXmlPr>'
        f'<w:attr w:name="who" w:val="{_WHO}"/></w:customXmlPr>{_shown(BODY[1])}'
        "</w:customXml></w:p>"
    ),
}


@pytest.mark.parametrize("body", DOCX_CASES.values(), ids=DOCX_CASES.keys())
def test_docx_fields_and_controls_that_name_the_participant(body: str) -> None:
    original = _docx_with(body)
    assert NAME in leaks(original) or IIN in leaks(original)
    copy = strip_metadata(original, "docx")
    assert leaks(copy) == []
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                ET.fromstring(archive.read(name))
    assert BODY[0] in extract(copy, "docx").text
    if BODY[1] in body:
        assert BODY[1] in extract(copy, "docx").text


def _odt_with(body: str) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS}>'
        f"<office:body><office:text><text:p>{escape(BODY[0])}</text:p>{body}"
        "</office:text></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content)
    return out.getvalue()


ODT_CASES = {
    "file name": f"<text:p><text:file-name>C:\\Users\\{_WHO}\\plan.odt</text:file-name></text:p>",
    "template name": f"<text:p><text:template-name>{_WHO}</text:template-name></text:p>",
    "creation date": (
        f'<text:p><text:creation-date text:date-value="2026-03-01">{IIN}</text:creation-date>'
        "</text:p>"
    ),
    "modification date": (
        f"<text:p><text:modification-date>{IIN}</text:modification-date></text:p>"
    ),
    "editing duration": (f"<text:p><text:editing-duration>{IIN}</text:editing-duration></text:p>"),
    "user-defined value attribute": (
        f'<text:p><text:user-defined text:name="x" office:string-value="{_WHO}">'
        "x</text:user-defined></text:p>"
    ),
    "frame name, title and description": (
        f'<text:p><draw:frame draw:name="{_WHO}" svg:width="1cm" svg:height="1cm">'
        f"<svg:title>{_WHO}</svg:title><svg:desc>{_WHO}</svg:desc>"
        "<draw:text-box><text:p>.</text:p></draw:text-box></draw:frame></text:p>"
    ),
    "sender, printer and initials": (
        f"<text:p><text:sender-firstname>{_WHO}</text:sender-firstname>"
        f"<text:sender-email>{EMAIL}</text:sender-email><text:printed-by>{_WHO}</text:printed-by>"
        f"<text:author-initials>{_WHO}</text:author-initials></text:p>"
    ),
    "bookmark names": (
        f'<text:p><text:a xlink:href="#{IIN}">before</text:a>'
        f'<text:bookmark-start text:name="{_WHO}"/>{escape(BODY[1])}'
        f'<text:bookmark-end text:name="{_WHO}"/> '
        f'<text:bookmark text:name="{IIN}"/>'
        f'<text:bookmark-ref text:reference-format="text" text:ref-name="{_WHO}">x'
        f'</text:bookmark-ref> <text:a xlink:href="#{IIN}">link</text:a></text:p>'
    ),
}


@pytest.mark.parametrize("body", ODT_CASES.values(), ids=ODT_CASES.keys())
def test_odt_fields_and_names_that_name_the_participant(body: str) -> None:
    original = _odt_with(body)
    assert leaks(original)
    copy = strip_metadata(original, "odt")
    assert leaks(copy) == []
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        content = archive.read("content.xml")
        ET.fromstring(content)
    assert BODY[0] in extract(copy, "odt").text
    if BODY[1] in body:
        assert BODY[1] in extract(copy, "odt").text


def test_odt_bookmarks_are_renamed_and_their_references_follow() -> None:
    copy = strip_metadata(_odt_with(ODT_CASES["bookmark names"]), "odt")
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        content = archive.read("content.xml").decode()
    assert 'text:bookmark-start text:name="bm1"' in content
    assert 'text:bookmark-end text:name="bm1"' in content
    assert 'text:ref-name="bm1"' in content
    assert 'text:bookmark text:name="bm2"' in content
    assert content.count('xlink:href="#bm2"') == 2


def test_odt_frames_are_renamed_but_the_names_styles_use_stay() -> None:
    body = (
        '<text:p><draw:frame draw:name="A" draw:style-name="fr1"><draw:text-box '
        'draw:chain-next-name="B"><text:p>.</text:p></draw:text-box></draw:frame>'
        '<draw:frame draw:name="B"><draw:text-box><text:p>.</text:p></draw:text-box>'
        "</draw:frame></text:p>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_ODT_NS}>'
        '<office:styles><draw:gradient draw:name="G1" draw:style="linear"/>'
        '<style:style style:name="fr1" style:family="graphic"><style:graphic-properties '
        'draw:fill="gradient" draw:fill-gradient-name="G1"/></style:style></office:styles>'
        "</office:document-styles>"
    )
    original = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_odt_with(body))) as source,
        zipfile.ZipFile(original, "w") as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("styles.xml", styles)
    copy = strip_metadata(original.getvalue(), "odt")
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        content = archive.read("content.xml").decode()
        kept_styles = archive.read("styles.xml").decode()
    assert 'draw:name="frame1"' in content and 'draw:name="frame2"' in content
    assert 'draw:chain-next-name="frame2"' in content
    assert 'draw:name="G1"' in kept_styles and 'draw:fill-gradient-name="G1"' in kept_styles


def _pdf_with_hidden_keys() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(hostile_pdf())))
    page = writer.pages[0]
    page[NameObject("/PTOwner")] = TextStringObject(WHO)
    page[NameObject("/Group")] = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Group"),
            NameObject("/S"): NameObject("/Transparency"),
            NameObject("/CS"): NameObject("/DeviceRGB"),
            NameObject("/Owner"): TextStringObject(IIN),
        }
    )
    resources = cast(DictionaryObject, page["/Resources"].get_object())
    layer = DictionaryObject(
        {NameObject("/Type"): NameObject("/OCG"), NameObject("/Name"): TextStringObject(WHO)}
    )
    resources[NameObject("/Properties")] = DictionaryObject(
        {NameObject("/L1"): writer._add_object(layer)}
    )
    resources[NameObject("/Owner")] = TextStringObject(WHO)
    for font in cast(DictionaryObject, resources["/Font"].get_object()).values():
        font.get_object()[NameObject("/Owner")] = TextStringObject(IIN)
    xobjects = cast(DictionaryObject, resources["/XObject"].get_object())
    photo = cast(DictionaryObject, xobjects["/ImPhoto"].get_object())
    photo[NameObject("/Name")] = NameObject("/" + IIN)
    photo[NameObject("/Owner")] = TextStringObject(WHO)
    postscript = StreamObject()
    postscript.set_data(f"({WHO}) show".encode())
    postscript[NameObject("/Type")] = NameObject("/XObject")
    postscript[NameObject("/Subtype")] = NameObject("/PS")
    xobjects[NameObject("/PS1")] = writer._add_object(postscript)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_page_keys_resources_and_layers_that_name_the_participant() -> None:
    original = _pdf_with_hidden_keys()
    assert set(leaks(original)) == set(identifying())
    copy = strip_metadata(original, "pdf")
    assert leaks(copy) == []
    reader = PdfReader(io.BytesIO(copy))
    page = reader.pages[0]
    assert "/PTOwner" not in page
    assert set(cast(DictionaryObject, page["/Group"]).keys()) == {"/Type", "/S", "/CS"}
    resources = cast(DictionaryObject, page["/Resources"])
    assert "/Owner" not in resources
    layer = cast(DictionaryObject, cast(DictionaryObject, resources["/Properties"])["/L1"])
    assert layer["/Type"] == "/OCG" and layer["/Name"] == "Layer 1"
    text = extract(copy, "pdf").text
    assert BODY[0] in text and BODY[1] in text
    photo = cast(DictionaryObject, cast(DictionaryObject, resources["/XObject"])["/ImPhoto"])
    assert "/Name" not in photo and photo["/Subtype"] == "/Image"
    assert "/PS1" not in cast(DictionaryObject, resources["/XObject"])
