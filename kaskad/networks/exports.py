"""The support reports as an XLSX workbook: one sheet per table, the data behind each chart."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from kaskad.core.cells import text_workbook


def report_workbook(
    *, year: str, events: dict[str, Any], coverage: list[list[Any]], requests: dict[str, Any]
) -> bytes:
    buffer = io.BytesIO()
    book = text_workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})

    def sheet(name: str, header: list[str], rows: list[list[Any]]) -> None:
        ws = book.add_worksheet(name[:31])
        ws.write_row(0, 0, header, bold)
        for index, row in enumerate(rows, start=1):
            ws.write_row(index, 0, row)
        ws.set_column(0, 0, 48)
        ws.set_column(1, len(header), 16)

    sheet(
        _("Summary"),
        [_("Academic year"), year],
        [
            [_("Events"), events["total"]],
            [_("Participants (incl. counted)"), events["participants"]],
            [_("Teachers reached (distinct people)"), events["reached"]],
            [_("Requests"), requests["total"]],
            [_("Median time to answer, hours"), requests["median_hours"]],
            [_("Answered within the SLA, %"), requests["within_sla"]],
        ],
    )
    counts = [_("Events"), _("Participants")]
    sheet(_("Events by type"), [_("Type"), *counts], events["by_kind"])
    sheet(_("Events by topic"), [_("Topic area"), *counts], events["by_topic"])
    sheet(_("Events by branch"), [_("Branch"), *counts], events["by_branch"])
    sheet(_("Events by month"), [_("Month"), *counts], events["by_month"])
    sheet(
        _("Partner coverage"),
        [_("Term"), _("Partner schools"), _("With an event"), _("Share, %")],
        coverage,
    )
    sheet(_("Requests by topic"), [_("Topic"), _("Requests")], requests["by_topic"])
    sheet(_("Requests by branch"), [_("Branch"), _("Requests")], requests["by_branch"])
    sheet(_("Requests by month"), [_("Month"), _("Requests")], requests["by_month"])
    book.close()
    return buffer.getvalue()
