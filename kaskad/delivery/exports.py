"""Spreadsheets of delivery, in the reader's language: the cohort list (with the list's filters),
and a cohort's roster, attendance register and completion. Each as XLSX (XlsxWriter, real
numbers) or CSV for Excel as the ministry opens it: UTF-8 with a byte-order mark, fields
separated by ";".

The tables are built from the same selectors as the pages, so an export never holds more than
the page shows (IINs masked the same way)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kaskad.accounts.models import User
from kaskad.accounts.scopes import iin_for
from kaskad.core.cells import text_workbook
from kaskad.delivery import permissions, selectors
from kaskad.delivery.messages import outcome_text
from kaskad.delivery.models import Attendance, AttendanceStatus, Cohort

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)


def _percent(hours: Decimal, total: Decimal) -> int | None:
    return int(hours * 100 / total) if total else None


def cohorts_table(cohorts: Any) -> Table:
    table = Table(
        title=_("Cohorts"),
        headers=[
            _("Code"),
            _("Programme"),
            _("Branch"),
            _("Format"),
            _("Language"),
            _("Starts"),
            _("Ends"),
            _("Status"),
            _("Capacity"),
            _("Enrolled"),
            _("Waitlist"),
            _("Trainers"),
        ],
        widths=[22, 40, 22, 14, 12, 12, 12, 14, 10, 10, 10, 36],
    )
    for cohort in cohorts:
        table.rows.append(
            [
                cohort.code,
                str(cohort.version.title),
                str(cohort.branch),
                str(cohort.get_format_display()),
                str(cohort.get_language_display()),
                cohort.starts_on,
                cohort.ends_on,
                str(cohort.get_status_display()),
                cohort.capacity,
                cohort.enrolled_count,
                cohort.waitlist_count,
                ", ".join(t.person.full_name for t in cohort.trainers.all()),
            ]
        )
    return table


def _person_columns() -> list[str]:
    return [_("Surname"), _("Given name"), _("IIN"), _("Organisation")]


def _person_cells(user: User, enrolment: Any) -> list[Any]:
    person = enrolment.person
    return [
        person.surname,
        person.given_name,
        iin_for(user, person),
        str(enrolment.organisation or person.current_organisation or ""),
    ]


def roster_table(*, cohort: Cohort, user: User) -> Table:
    total = selectors.cohort_total_hours(cohort=cohort)
    table = Table(
        title=_("Roster"),
        headers=[
            *_person_columns(),
            _("Status"),
            _("Hours attended"),
            _("Attendance, %"),
        ],
        widths=[22, 18, 15, 40, 16, 12, 12],
    )
    for enrolment in selectors.cohort_roster(cohort=cohort):
        table.rows.append(
            [
                *_person_cells(user, enrolment),
                str(enrolment.get_status_display()),
                enrolment.hours_attended,
                _percent(enrolment.hours_attended, total),
            ]
        )
    return table


def attendance_table(*, cohort: Cohort, user: User) -> Table:
    sessions = list(selectors.cohort_sessions(cohort=cohort))
    roster = list(selectors.cohort_roster(cohort=cohort))
    marks = {
        (enrolment_id, session_id): status
        for enrolment_id, session_id, status in Attendance.objects.filter(
            session__cohort=cohort
        ).values_list("enrolment_id", "session_id", "status")
    }
    labels = dict(AttendanceStatus.choices)
    table = Table(
        title=_("Attendance"),
        headers=[
            *_person_columns(),
            *[f"{date_format(s.date, 'SHORT_DATE_FORMAT')} {s.starts_at:%H:%M}" for s in sessions],
            _("Hours attended"),
        ],
        widths=[22, 18, 15, 40, *[12 for _s in sessions], 12],
    )
    for enrolment in roster:
        table.rows.append(
            [
                *_person_cells(user, enrolment),
                *[str(labels.get(marks.get((enrolment.pk, s.pk), ""), "")) for s in sessions],
                enrolment.hours_attended,
            ]
        )
    return table


def completion_table(*, cohort: Cohort, user: User) -> Table:
    total = selectors.cohort_total_hours(cohort=cohort)
    # The reasons name each participant's assessment outcome: not for analysts (ADR 0002).
    reasons = permissions.sees_results(user, cohort)
    table = Table(
        title=_("Completion"),
        headers=[
            *_person_columns(),
            _("Result"),
            _("Hours attended"),
            _("Attendance, %"),
            *([_("Reason")] if reasons else []),
        ],
        widths=[22, 18, 15, 40, 16, 12, 12, *([60] if reasons else [])],
    )
    for enrolment in selectors.cohort_roster(cohort=cohort):
        table.rows.append(
            [
                *_person_cells(user, enrolment),
                str(enrolment.get_status_display()),
                enrolment.hours_attended,
                _percent(enrolment.hours_attended, total),
                *([outcome_text(enrolment.outcome or [])] if reasons else []),
            ]
        )
    return table


COHORT_TABLES = {
    "roster": roster_table,
    "attendance": attendance_table,
    "completion": completion_table,
}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_xlsx(table: Table) -> bytes:
    buffer = io.BytesIO()
    workbook = text_workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(table.title[:31])
    header = workbook.add_format(
        {"bold": True, "bg_color": "#E6F1F9", "border": 1, "text_wrap": True, "valign": "top"}
    )
    text = workbook.add_format({"border": 1, "valign": "top"})
    day = workbook.add_format({"border": 1, "num_format": "dd.mm.yyyy"})
    for col, label in enumerate(table.headers):
        sheet.write(0, col, label, header)
        if col < len(table.widths):
            sheet.set_column(col, col, table.widths[col])
    for row_number, row in enumerate(table.rows, start=1):
        for col, value in enumerate(row):
            if hasattr(value, "isoformat") and not isinstance(value, str):
                sheet.write_datetime(row_number, col, value, day)
            elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                sheet.write_number(row_number, col, float(value), text)
            else:
                sheet.write_string(row_number, col, str(_cell(value)), text)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(table.rows), 1), max(len(table.headers) - 1, 0))
    workbook.close()
    return buffer.getvalue()


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark and ";" between fields: what Excel in Kazakhstan opens
    with Cyrillic intact and columns split."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(
            [
                date_format(v, "SHORT_DATE_FORMAT")
                if hasattr(v, "isoformat") and not isinstance(v, str)
                else str(_cell(v)).replace(".", ",")
                if isinstance(v, Decimal | float)
                else _cell(v)
                for v in row
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render(table: Table, fmt: str) -> bytes:
    return to_xlsx(table) if fmt == "xlsx" else to_csv(table)
