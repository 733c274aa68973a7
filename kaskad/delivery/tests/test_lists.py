"""Coordinators' lists of IINs: reading them and the result of every line."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from kaskad.core.errors import NotFoundError, StateConflict
from kaskad.delivery.lists import ListLine, ListProblem, lines_from_text, lines_from_upload
from kaskad.delivery.services.enrolment import enrolment_request, enrolment_request_list
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_cohort,
    make_teacher,
    make_version,
)
from kaskad.registry.tests.factories import unique_iin

pytestmark = pytest.mark.django_db


# --- reading ------------------------------------------------------------------------------------


def test_text_lists_take_the_first_cell_and_skip_a_header_and_blank_lines() -> None:
    text = "ИИН;ФИО\n871008401427;Қасымова Әлия\n\n  760212350620  \n800416300257,x\n"
    assert lines_from_text(text) == [
        ListLine(2, "871008401427"),
        ListLine(4, "760212350620"),
        ListLine(5, "800416300257"),
    ]


def test_a_header_is_only_skipped_when_it_has_no_digits() -> None:
    assert lines_from_text("12345\n871008401427") == [
        ListLine(1, "12345"),
        ListLine(2, "871008401427"),
    ]


def test_windows_1251_files_are_read() -> None:
    data = "ИИН\n871008401427\n".encode("cp1251")
    assert lines_from_upload(data) == [ListLine(2, "871008401427")]


def test_excel_lists_get_back_the_leading_zero_excel_dropped() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["IIN", "Name"])
    sheet.append([61211600012, "Омарова"])  # typed as a number: 061211600012
    sheet.append(["871008401427", "Қасымова"])
    sheet.append([None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert lines_from_upload(buffer.getvalue()) == [
        ListLine(2, "061211600012"),
        ListLine(3, "871008401427"),
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old_excel"),
        (b"%PDF-1.7 ...", "not_a_list"),
        (b"PK\x03\x04broken", "xlsx_damaged"),
    ],
)
def test_files_that_are_not_lists_are_refused_with_a_reason(data: bytes, code: str) -> None:
    with pytest.raises(ListProblem) as exc:
        lines_from_upload(data)
    assert exc.value.code == code


def test_too_long_lists_are_refused() -> None:
    with pytest.raises(ListProblem) as exc:
        lines_from_text("\n".join(["871008401427"] * 2001))
    assert exc.value.code == "list_too_long"


# --- results ------------------------------------------------------------------------------------


def test_every_line_gets_its_result() -> None:
    coordinator = coordinator_of("ALA")
    version = make_version(audience_positions=["teacher"])
    cohort = make_cohort(version=version, capacity=2, status="open")
    a, b, c = make_teacher(), make_teacher(), make_teacher()
    outsider = make_teacher(branch_code="AST")
    director = make_teacher(position="director")
    already = make_teacher()
    other = make_cohort(version=version, status="open", code="OTHER-1")
    enrolment_request(cohort=other, person=already, by=coordinator)
    lines = [
        ListLine(1, str(a.iin)),
        ListLine(2, str(b.iin)),
        ListLine(3, "871008401420"),  # wrong check digit
        ListLine(4, str(c.iin)),
        ListLine(5, unique_iin()),  # valid but unknown
        ListLine(6, str(a.iin)),
        ListLine(7, str(outsider.iin)),
        ListLine(8, str(director.iin)),
        ListLine(9, str(already.iin)),
        ListLine(10, "12345"),
    ]
    results = enrolment_request_list(cohort=cohort, lines=lines, by=coordinator)
    summary = [(r.line, r.outcome, r.code, r.waitlist_position) for r in results]
    assert summary == [
        (1, "enrolled", "", None),
        (2, "enrolled", "", None),
        (3, "refused", "iin_checksum", None),
        (4, "waitlisted", "", 1),
        (5, "refused", "unknown_iin", None),
        (6, "refused", "duplicate_line", None),
        (7, "refused", "unknown_iin", None),  # registered in another branch
        (8, "refused", "not_in_audience", None),
        (9, "refused", "already_enrolled", None),
        (10, "refused", "iin_length", None),
    ]
    messages = {r.line: r.message for r in results}
    assert "check digit" in messages[3]
    assert messages[6] == "Listed twice: see line 1."
    # Out of scope is indistinguishable from unknown: same code, same message, no name.
    assert messages[7] == messages[5]
    assert results[6].person is None
    assert "OTHER-1" in messages[9]
    cohort.refresh_from_db()
    assert (cohort.enrolled_count, cohort.waitlist_count) == (2, 1)


def test_a_list_for_a_closed_cohort_is_refused_as_a_whole() -> None:
    cohort = make_cohort(status="closed")
    with pytest.raises(StateConflict) as exc:
        enrolment_request_list(
            cohort=cohort, lines=[ListLine(1, str(make_teacher().iin))], by=coordinator_of("ALA")
        )
    assert exc.value.code == "cohort_not_open"


def test_only_the_cohorts_coordinators_send_lists() -> None:
    cohort = make_cohort(status="open")
    with pytest.raises(NotFoundError):
        enrolment_request_list(
            cohort=cohort, lines=[ListLine(1, str(make_teacher().iin))], by=coordinator_of("AST")
        )
