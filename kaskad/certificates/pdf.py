"""The certificate as a PDF: an HTML template rendered in the certificate's language and
printed by WeasyPrint (A4 landscape), with a QR code of the public verification link.

Fonts: Noto Serif / Noto Sans (DejaVu as the fallback), both with every Kazakh letter
(ә ғ қ ң ө ұ ү һ і). The QR code is an inline PNG data URI made by segno, so nothing is
fetched over the network while printing.
"""

from __future__ import annotations

import hashlib
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kaskad.assessment.models import Rating
from kaskad.certificates.models import Certificate
from kaskad.formats.ranges import date_range

TEMPLATE = "certificates/certificate_pdf.html"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"

# Fonts shared by every rendering in this process (WeasyPrint caches faces per config).
_font_config: Any = None


def public_base_url() -> str:
    """The site's public address (setting KASKAD_PUBLIC_URL), without a trailing slash."""
    return str(getattr(settings, "KASKAD_PUBLIC_URL", DEFAULT_PUBLIC_URL) or DEFAULT_PUBLIC_URL)[
        :200
    ].rstrip("/")


def verification_url(token: str) -> str:
    """The absolute link in the QR code: the public verification page of one certificate."""
    return public_base_url() + reverse("certificates:verify_token", kwargs={"token": token})


def verification_page_url() -> str:
    return public_base_url() + reverse("certificates:verify")


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as a PNG data URI (error correction M, no quiet zone: the
    template gives it room). A PNG, not SVG: WeasyPrint draws an SVG code module by module,
    which made it a third of the time of the whole certificate; 10 pixels per module print
    sharply at the 24 mm the template gives it."""
    qr = segno.make(url, error="m", micro=False)
    return str(qr.png_data_uri(scale=10, border=0, dark="#1c2b4a"))


# Results of an online course (kaskad.learning): completed, or with distinction.
COURSE_RESULTS = {
    "passed": _("completed"),
    "distinction": _("completed with distinction"),
}


def result_label(result: str) -> str:
    if result in COURSE_RESULTS:
        return str(COURSE_RESULTS[result])
    try:
        return str(Rating(result).label)
    except ValueError:
        return result


def certificate_context(certificate: Certificate) -> dict[str, Any]:
    """What the template shows; call under `translation.override(certificate.language)`."""
    branch = certificate.branch
    return {
        "certificate": certificate,
        "branch_name": branch.name,
        "branch_city": branch.city,
        "result_label": result_label(certificate.result),
        "starts_on": date_format(certificate.starts_on, "DATE_FORMAT"),
        "ends_on": date_format(certificate.ends_on, "DATE_FORMAT"),
        # "11–22 January 2027": the year (and month) once.
        "dates": date_range(certificate.starts_on, certificate.ends_on),
        "issued_on": date_format(certificate.issued_on, "DATE_FORMAT"),
        "qr": qr_data_uri(verification_url(certificate.token)),
        "verify_page": verification_page_url(),
        "language": certificate.language,
    }


def certificate_html(certificate: Certificate) -> str:
    with translation.override(certificate.language):
        return render_to_string(TEMPLATE, certificate_context(certificate))


def html_to_pdf(html: str) -> bytes:
    """Print HTML with WeasyPrint (imported here: it is heavy, and only printing needs it)."""
    global _font_config
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _font_config is None:
        _font_config = FontConfiguration()
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        font_config=_font_config
    )
    return pdf


def render_certificate_pdf(certificate: Certificate) -> bytes:
    return html_to_pdf(certificate_html(certificate))


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
