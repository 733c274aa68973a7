"""Instruments as XLSX: one row per behaviour, the instrument, domain and element repeated
on each row (what a methodologist fills in Excel most easily).

The import checks every row first and writes nothing when anything is wrong; each problem is
reported with its line, column and value. Reading (file type, encoding, damaged workbooks,
formulas without saved results) is the registry import's reader.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from kaskad.accounts.models import User
from kaskad.core.cells import text_workbook
from kaskad.core.errors import DomainError
from kaskad.observations.instruments import (
    LANGS,
    SCALES,
    BehaviourData,
    DomainData,
    ElementData,
    Texts,
    VersionData,
)
from kaskad.observations.models import InstrumentVersion
from kaskad.observations.selectors import version_data
from kaskad.observations.services import instrument_version_save
from kaskad.registry.imports.reader import FileProblem, check_size, open_table
from kaskad.registry.imports.types import RowIssue

COLUMNS = [
    "instrument_code",
    "version",
    *(f"instrument_{lang}" for lang in LANGS),
    *(f"description_{lang}" for lang in LANGS),
    "domain_code",
    *(f"domain_{lang}" for lang in LANGS),
    "element_code",
    *(f"element_{lang}" for lang in LANGS),
    "scale",
    "not_applicable",
    *(f"na_rule_{lang}" for lang in LANGS),
    "score",
    *(f"behaviour_{lang}" for lang in LANGS),
]
YES = {"yes", "y", "1", "true", "да", "иә", "ия", "+"}
NO = {"no", "n", "0", "false", "нет", "жоқ", "-", ""}
MAX_ERRORS = 200


def export_version(version: InstrumentVersion) -> bytes:
    data = version_data(version)
    buffer = io.BytesIO()
    book = text_workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("instrument")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, COLUMNS, bold)
    sheet.freeze_panes(1, 0)
    row = 1
    for domain in data.domains:
        for element in domain.elements:
            for behaviour in element.behaviours:
                values: list[str | int] = [data.code, data.number]
                values += [data.name.get(lang, "") for lang in LANGS]
                values += [data.description.get(lang, "") for lang in LANGS]
                values += [domain.code, *(domain.name.get(lang, "") for lang in LANGS)]
                values += [element.code, *(element.name.get(lang, "") for lang in LANGS)]
                values += [f"1-{element.scale}", "yes" if element.allows_na else "no"]
                values += [element.na_rule.get(lang, "") for lang in LANGS]
                values += [behaviour.level, *(behaviour.text.get(lang, "") for lang in LANGS)]
                sheet.write_row(row, 0, values)
                row += 1
    sheet.set_column(0, len(COLUMNS) - 1, 24)
    book.close()
    return buffer.getvalue()


@dataclass
class InstrumentImport:
    version: InstrumentVersion | None
    errors: list[RowIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.version is not None and not self.errors


def _scale(value: str) -> int | None:
    text = value.replace("–", "-").replace("—", "-").replace(" ", "")
    if text.startswith("1-"):
        text = text[2:]
    return int(text) if text.isdigit() and int(text) in SCALES else None


def parse_rows(
    rows: list[tuple[int, dict[str, str]]], *, file: str
) -> tuple[VersionData | None, list[RowIssue]]:
    """Check every row; return the version data, or the problems (and no data)."""
    errors: list[RowIssue] = []

    def issue(line: int, column: str, value: str, code: str, message: str) -> None:
        errors.append(RowIssue(file, line, column, value, code, message))

    data: VersionData | None = None
    domains: dict[str, tuple[DomainData, Texts, int]] = {}
    elements: dict[str, tuple[ElementData, str, int]] = {}
    first_line: dict[str, int] = {}
    if not rows:
        issue(0, "", "", "no_rows", _("The file has no behaviour rows."))
    for line, cells in rows:
        before = len(errors)
        for column in COLUMNS:
            if column.startswith("na_rule_") or column.startswith("description_"):
                continue
            if column == "not_applicable":
                continue
            if not cells.get(column, "").strip():
                issue(line, column, "", "required", _("This column must not be empty."))
        if len(errors) > before:
            continue
        code = cells["instrument_code"].strip()
        number_text = cells["version"].strip()
        if not number_text.isdigit() or int(number_text) < 1:
            issue(
                line,
                "version",
                number_text,
                "version_number",
                _("The version is a whole number from 1."),
            )
            continue
        name = {lang: cells[f"instrument_{lang}"].strip() for lang in LANGS}
        description = {lang: cells.get(f"description_{lang}", "").strip() for lang in LANGS}
        if data is None:
            data = VersionData(
                code=code, number=int(number_text), name=name, description=description
            )
        elif (code, int(number_text)) != (data.code, data.number):
            issue(
                line,
                "instrument_code",
                f"{code} {number_text}",
                "one_version",
                _("A file holds one instrument version: %(code)s %(number)s is on the first row.")
                % {"code": data.code, "number": data.number},
            )
            continue
        elif name != data.name:
            issue(
                line,
                "instrument_kk",
                name["kk"],
                "instrument_name_differs",
                _("The instrument's name differs from the one on the first row."),
            )
            continue
        domain_code = cells["domain_code"].strip()
        domain_name = {lang: cells[f"domain_{lang}"].strip() for lang in LANGS}
        if domain_code not in domains:
            domain = DomainData(code=domain_code, name=domain_name)
            data.domains.append(domain)
            domains[domain_code] = (domain, domain_name, line)
        domain, known_name, _first = domains[domain_code]
        if known_name != domain_name:
            issue(
                line,
                "domain_kk",
                domain_name["kk"],
                "domain_name_differs",
                _("Domain %(code)s is named differently on line %(line)s.")
                % {"code": domain_code, "line": _first},
            )
            continue
        scale_text = cells["scale"].strip()
        scale = _scale(scale_text)
        if scale is None:
            issue(
                line, "scale", scale_text, "scale_unknown", _("The scale must be 1-4, 1-5 or 1-7.")
            )
            continue
        na_text = cells.get("not_applicable", "").strip().lower()
        if na_text not in YES | NO:
            issue(line, "not_applicable", na_text, "yes_no", _("Write “yes” or “no”."))
            continue
        element_code = cells["element_code"].strip()
        element_name = {lang: cells[f"element_{lang}"].strip() for lang in LANGS}
        na_rule = {lang: cells.get(f"na_rule_{lang}", "").strip() for lang in LANGS}
        if element_code not in elements:
            element = ElementData(
                code=element_code,
                name=element_name,
                scale=scale,
                allows_na=na_text in YES,
                na_rule=na_rule,
            )
            domain.elements.append(element)
            elements[element_code] = (element, domain_code, line)
            first_line[element_code] = line
        element, element_domain, first = elements[element_code]
        if element_domain != domain_code:
            issue(
                line,
                "domain_code",
                domain_code,
                "element_domain_differs",
                _("Element %(code)s belongs to domain %(domain)s on line %(line)s.")
                % {"code": element_code, "domain": element_domain, "line": first},
            )
            continue
        if (
            element.name != element_name
            or element.scale != scale
            or element.allows_na != (na_text in YES)
        ):
            issue(
                line,
                "element_code",
                element_code,
                "element_differs",
                _("Element %(code)s has another name, scale or “not applicable” on line %(line)s.")
                % {"code": element_code, "line": first},
            )
            continue
        score_text = cells["score"].strip()
        if not score_text.isdigit() or not 1 <= int(score_text) <= scale:
            issue(
                line,
                "score",
                score_text,
                "score_out_of_scale",
                _("The score must be a whole number from 1 to %(max)s.") % {"max": scale},
            )
            continue
        level = int(score_text)
        if any(b.level == level for b in element.behaviours):
            issue(
                line,
                "score",
                score_text,
                "score_twice",
                _("Element %(code)s already has a behaviour for score %(score)s.")
                % {"code": element_code, "score": level},
            )
            continue
        element.behaviours.append(
            BehaviourData(
                level=level, text={lang: cells[f"behaviour_{lang}"].strip() for lang in LANGS}
            )
        )
    for code, (element, _domain, line) in elements.items():
        levels = {b.level for b in element.behaviours}
        if levels and not {1, element.scale} <= levels:
            issue(
                line,
                "score",
                "",
                "scale_ends",
                _(
                    "Element %(code)s needs behaviours for the lowest (1) and the highest "
                    "(%(max)s) score."
                )
                % {"code": code, "max": element.scale},
            )
    for item in data.domains if data else []:
        item.elements.sort(key=lambda e: first_line.get(e.code, 0))
        for element in item.elements:
            element.behaviours.sort(key=lambda b: b.level)
    if errors:
        return None, errors[:MAX_ERRORS]
    return data, []


def import_file(*, path: Path, filename: str, by: User) -> InstrumentImport:
    """Read, check and (only when every row is right) save an instrument version as a draft."""
    try:
        check_size(path)
        with open_table(path, recognise=lambda cell: cell.strip().lower() in COLUMNS) as table:
            header = [h.strip().lower() for h in table.header]
            missing = [
                c
                for c in COLUMNS
                if c not in header and not c.startswith(("na_rule_", "description_"))
            ]
            if missing:
                return InstrumentImport(
                    None,
                    [
                        RowIssue(
                            filename,
                            table.header_line,
                            column,
                            "",
                            "column_missing",
                            _("The column is missing from the header."),
                        )
                        for column in missing
                    ],
                )
            rows = [
                (line, {header[i]: cell for i, cell in enumerate(cells) if i < len(header)})
                for line, cells in table.rows
            ]
    except FileProblem as problem:
        return InstrumentImport(
            None,
            [
                RowIssue(
                    filename,
                    problem.line,
                    problem.column,
                    problem.value,
                    problem.code,
                    problem.message,
                )
            ],
        )
    data, errors = parse_rows(rows, file=filename)
    if data is None:
        return InstrumentImport(None, errors)
    try:
        version = instrument_version_save(data=data, by=by)
    except DomainError as error:
        return InstrumentImport(
            None,
            [RowIssue(filename, 0, "", "", error.code, str(error.message))],
        )
    return InstrumentImport(version)
