"""Spreadsheets of the cohort list (with its filters) and of a cohort's roster, attendance and
completion: real XLSX files and CSV as Excel opens it (BOM, ";"), in the reader's language."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kaskad.delivery.models import Enrolment
from kaskad.delivery.services.attendance import attendance_save
from kaskad.delivery.services.cohorts import cohort_set_status
from kaskad.delivery.services.enrolment import enrolment_request
from kaskad.delivery.tests.factories import (
    add_session,
    coordinator_of,
    make_cohort,
    make_teacher,
    national_admin,
)

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "en") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _finished_cohort() -> Any:
    admin = national_admin()
    cohort = make_cohort(status="open", by=admin)
    first = add_session(cohort, day=0, by=admin)
    add_session(cohort, day=1, by=admin)
    for surname in ("Яковлева", "Әмірова"):
        enrolment_request(cohort=cohort, person=make_teacher(surname=surname), by=admin)
    marks = {e.pk: "present" for e in Enrolment.objects.filter(cohort=cohort)}
    attendance_save(session=first, marks=marks, by=admin)
    cohort = cohort_set_status(cohort=cohort, status="running", by=admin)
    return cohort_set_status(cohort=cohort, status="finished", by=admin)


def test_the_cohort_list_exports_with_its_filters() -> None:
    admin = national_admin()
    opened = make_cohort(status="open", by=admin)
    planned = make_cohort(by=admin)
    client = _client(coordinator_of("ALA"))
    url = reverse("delivery:cohort_list_export", args=["xlsx"])
    response = client.get(url, {"status": "open"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response.content)
    assert rows[0][:2] == ("Code", "Programme")
    codes = [row[0] for row in rows[1:]]
    assert opened.code in codes and planned.code not in codes
    page = client.get(reverse("delivery:cohort_list"), {"status": "open"}).content.decode()
    assert f"{url}?status=open" in page


def test_csv_has_a_byte_order_mark_semicolons_and_the_reader_s_language() -> None:
    cohort = _finished_cohort()
    client = _client(coordinator_of("ALA"), language="ru")
    url = reverse("delivery:cohort_export", args=[cohort.pk, "roster", "csv"])
    content = client.get(url).content
    assert content.startswith("\ufeff".encode())
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:2] == ["Фамилия", "Имя"]
    assert [line.split(";")[0] for line in lines[1:]] == ["Әмірова", "Яковлева"]


def test_the_attendance_register_and_completion_of_a_cohort() -> None:
    cohort = _finished_cohort()
    client = _client(coordinator_of("ALA"))
    register = _rows(
        client.get(
            reverse("delivery:cohort_export", args=[cohort.pk, "attendance", "xlsx"])
        ).content
    )
    assert len(register[0]) == 4 + 2 + 1  # person columns, two sessions, hours
    assert register[1][4] == "present" and not register[1][5]
    completion = _rows(
        client.get(
            reverse("delivery:cohort_export", args=[cohort.pk, "completion", "xlsx"])
        ).content
    )
    assert completion[0][4] == "Result"
    assert {row[4] for row in completion[1:]} == {"not completed"}
    assert all(row[7] for row in completion[1:])  # the reason


def test_another_branch_gets_404() -> None:
    cohort = _finished_cohort()
    client = _client(coordinator_of("AST"))
    for kind in ("roster", "attendance", "completion"):
        url = reverse("delivery:cohort_export", args=[cohort.pk, kind, "xlsx"])
        assert client.get(url).status_code == 404
    bad = reverse("delivery:cohort_export", args=[cohort.pk, "secrets", "xlsx"])
    assert _client(coordinator_of("ALA")).get(bad).status_code == 404
