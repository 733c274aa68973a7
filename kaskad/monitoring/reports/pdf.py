"""Individual reports as PDF (WeasyPrint, like the certificates).

Many reports are printed by laying out one HTML document holding a batch of pupils (each
report starting with an anchor ``pupil-<pk>``) and writing each pupil's pages out of the
laid-out document: one template render and one style set-up per batch instead of per pupil
(measured: ~5 % less CPU than one document per pupil; see bench/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

TEMPLATE = "monitoring/individual_pdf.html"
_font_config: Any = None


def _fonts() -> Any:
    global _font_config
    from weasyprint.text.fonts import FontConfiguration

    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


def reports_html(
    reports: Sequence[dict[str, Any]], *, language: str, context: dict[str, Any]
) -> str:
    with translation.override(language):
        return render_to_string(TEMPLATE, {**context, "reports": reports, "language": language})


def render_batch(
    reports: Sequence[dict[str, Any]], *, language: str, context: dict[str, Any]
) -> Iterator[tuple[int, bytes]]:
    """(pupil pk, PDF) for each report of the batch, from one laid-out document."""
    from weasyprint import HTML

    html = reports_html(reports, language=language, context=context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(font_config=_fonts())
    starts: list[tuple[int, int]] = []  # (page index, pupil pk)
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("pupil-"):
                starts.append((index, int(anchor.removeprefix("pupil-"))))
    for n, (first, pk) in enumerate(starts):
        last = starts[n + 1][0] if n + 1 < len(starts) else len(document.pages)
        yield pk, document.copy(document.pages[first:last]).write_pdf()


def html_to_pdf(html: str) -> bytes:
    """One HTML document printed as it is (a class or grade report)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_fonts())
    return pdf


def render_one(report: dict[str, Any], *, language: str, context: dict[str, Any]) -> bytes:
    return next(render_batch([report], language=language, context=context))[1]
