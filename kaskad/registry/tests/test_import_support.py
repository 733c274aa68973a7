"""Helpers shared by the import tests: files written on the fly, valid rows, row counts.

Test files are generated here rather than committed, so every encoding and layout under test
is visible in the test that uses it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from kaskad.core.models import AuditEntry
from kaskad.registry.imports.columns import PEOPLE as PEOPLE_COLUMNS
from kaskad.registry.imports.columns import names
from kaskad.registry.models import District, Employment, Organisation, Person
from kaskad.registry.tests.factories import unique_iin

PEOPLE_HEADER = names(PEOPLE_COLUMNS)


def counts() -> dict[str, int]:
    """Rows in the tables an import may touch: compared before and after a refused file."""
    return {
        "people": Person.objects.count(),
        "employments": Employment.objects.count(),
        "organisations": Organisation.objects.count(),
        "districts": District.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def csv_bytes(
    header: Sequence[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    *,
    delimiter: str = ",",
) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        if isinstance(row, Mapping):
            writer.writerow([row.get(name, "") for name in header])
        else:
            writer.writerow(row)
    return buffer.getvalue()


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    path.write_bytes(csv_bytes(header, rows, delimiter=delimiter).encode(encoding))
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def person_row(organisation: Organisation, **values: Any) -> dict[str, str]:
    """A valid people-file row for a new person (a woman born in 1985) at `organisation`."""
    row = {
        "iin": unique_iin(birth_date=date(1985, 3, 14), sex="F"),
        "surname": "Қасымова",
        "given_name": "Әлия",
        "patronymic": "Нұрланқызы",
        "birth_date": "",
        "sex": "",
        "email": "aliya@example.kz",
        "phone": "+7 701 123 45 67",
        "organisation_code": organisation.code,
        "position": "teacher",
        "subjects": "mathematics; physics",
        "level": "lower_secondary",
        "category": "moderator",
        "category_awarded_on": "2021-05-20",
        "experience_years": "12",
        "started_on": "2015-09-01",
    }
    row.update({key: str(value) for key, value in values.items()})
    return row


def organisation_row(**values: str) -> dict[str, str]:
    row = {
        "code": "940140000385",
        "bin": "940140000385",
        "name_kk": "№ 12 мектеп",
        "name_ru": "Школа № 12",
        "name_en": "School No. 12",
        "kind": "school",
        "area_code": "710000000",
        "district_code": "",
        "locality": "urban",
        "ungraded": "no",
        "languages": "kk;ru",
        "status": "open",
    }
    row.update(values)
    return row
