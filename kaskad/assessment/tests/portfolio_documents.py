"""Real small documents for the tests: DOCX and ODT built with zipfile, PDFs with WeasyPrint
(and pypdf for metadata, XMP and encryption). Each can carry an author's name in its metadata.

    docx = make_docx(["First paragraph.", "Second."], author="Aigerim Nurlanovna")
    odt = make_odt(["Бірінші абзац."], author="Aigerim Nurlanovna")
    pdf = make_pdf(["Қазақ тілі әғқңөұүһі"], author="Aigerim Nurlanovna")
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

AUTHOR = "Aigerim Nurlanovna Zhaksylykova"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-\
officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-\
package.core-properties+xml"/>
<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-\
officedocument.extended-properties+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/\
relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/\
relationships/metadata/core-properties" Target="docProps/core.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/\
relationships/extended-properties" Target="docProps/app.xml"/>
</Relationships>"""


def w_paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def make_docx(
    paragraphs: list[str] | None = None,
    *,
    body: str = "",
    author: str = "",
    company: str = "",
    footnotes: list[str] | None = None,
    comment_author: str = "",
) -> bytes:
    """A DOCX whose body is `paragraphs` (plain) followed by raw `body` XML."""
    xml_body = "".join(w_paragraph(p) for p in paragraphs or []) + body
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" mc:Ignorable="w14">'
        f"<w:body>{xml_body}<w:sectPr/></w:body></w:document>"
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>Lesson series</dc:title>"
        f"<dc:creator>{escape(author)}</dc:creator>"
        f"<cp:lastModifiedBy>{escape(author)}</cp:lastModifiedBy>"
        "<cp:revision>7</cp:revision>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-03-01T10:00:00Z</dcterms:created>'
        "</cp:coreProperties>"
    )
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>Microsoft Office Word</Application>'
        f"<Company>{escape(company)}</Company><Template>Normal.dotm</Template></Properties>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document)
        archive.writestr("docProps/core.xml", core)
        archive.writestr("docProps/app.xml", app)
        if footnotes:
            notes = "".join(
                f'<w:footnote w:id="{n}">{w_paragraph(text)}</w:footnote>'
                for n, text in enumerate(footnotes, start=1)
            )
            archive.writestr(
                "word/footnotes.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="{_W}">'
                '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
                f"</w:footnote>{notes}</w:footnotes>",
            )
        if comment_author:
            archive.writestr(
                "word/comments.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:comments xmlns:w="{_W}">'
                f'<w:comment w:id="0" w:author="{escape(comment_author)}" w:initials="AN" '
                'w:date="2026-03-01T10:00:00Z">'
                f"{w_paragraph('Check this part.')}</w:comment></w:comments>",
            )
    return out.getvalue()


_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:0.9" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"'
)
_ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" \
manifest:version="1.3">
<manifest:file-entry manifest:full-path="/" \
manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def make_odt(
    paragraphs: list[str] | None = None,
    *,
    body: str = "",
    author: str = "",
    annotation_author: str = "",
    mimetype: str = "application/vnd.oasis.opendocument.text",
) -> bytes:
    xml_body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs or []) + body
    if annotation_author:
        xml_body += (
            f"<text:p>Noted<office:annotation><dc:creator>{escape(annotation_author)}"
            "</dc:creator><text:p>A remark.</text:p></office:annotation></text:p>"
        )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS}>'
        f"<office:body><office:text>{xml_body}</office:text></office:body>"
        "</office:document-content>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODT_NS}><office:meta>'
        f"<meta:initial-creator>{escape(author)}</meta:initial-creator>"
        f"<dc:creator>{escape(author)}</dc:creator>"
        "<meta:editing-cycles>12</meta:editing-cycles>"
        f'<meta:user-defined meta:name="Teacher">{escape(author)}</meta:user-defined>'
        "<dc:title>Lesson series</dc:title>"
        "</office:meta></office:document-meta>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _ODT_MANIFEST, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("meta.xml", meta, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def make_pdf(
    paragraphs: list[str],
    *,
    author: str = "",
    xmp_author: str = "",
    password: str = "",
) -> bytes:
    """A PDF made by WeasyPrint from `paragraphs`, with `author` in its /Info and `xmp_author`
    in an XMP stream; encrypted with `password` when one is given."""
    import weasyprint
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    pdf = weasyprint.HTML(string=f"<html><body>{html}</body></html>").write_pdf()
    assert pdf is not None
    if not (author or xmp_author or password):
        return pdf
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    if author:
        writer.add_metadata({"/Author": author, "/Creator": f"Word for {author}"})
    if xmp_author:
        xmp = StreamObject()
        xmp.set_data(
            (
                '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
                '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
                'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<dc:creator><rdf:Seq><rdf:li>{escape(xmp_author)}</rdf:li></rdf:Seq>"
                "</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
                '<?xpacket end="w"?>'
            ).encode()
        )
        xmp.update({NameObject("/Type"): NameObject("/Metadata")})
        xmp.update({NameObject("/Subtype"): NameObject("/XML")})
        writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    if password:
        writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
