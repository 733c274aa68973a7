"""Districts (KATO second level), matched by their KATO code."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from kaskad.core.audit import diff
from kaskad.registry.imports import columns
from kaskad.registry.imports.base import AreaIndex, Validator, out_of_scope_message
from kaskad.registry.imports.writer import AuditRow, BulkWriter
from kaskad.registry.models import District

FIELDS = ("area", "name_kk", "name_ru", "name_en")
_KATO = re.compile(r"^\d{9}$")


class DistrictRow(NamedTuple):
    line: int
    code: str
    existing_id: int | None
    values: tuple[Any, ...]  # in the order of FIELDS (area as id)


class DistrictsValidator(Validator):
    kind = "districts"
    columns = columns.DISTRICTS

    def prepare(self) -> None:
        self.rows: list[DistrictRow] = []
        self.areas = AreaIndex()
        self.existing: dict[str, tuple[int, tuple[Any, ...]]] = {
            code: (pk, (area_id, name_kk or "", name_ru or "", name_en or ""))
            for pk, code, area_id, name_kk, name_ru, name_en in District.objects.values_list(
                "id", "code", "area_id", "name_kk", "name_ru", "name_en"
            )
        }
        self.code_lines: dict[str, int] = {}
        get = self.cell_getter
        self.get = {name: get(name) for name in columns.names(self.columns)}

    def row(self, line: int, cells: list[str]) -> None:
        get = self.get
        allowed = self.context.allowed_area_ids
        code = get["code"](cells)
        if not code:
            self.required(line, "code")
        elif not _KATO.match(code):
            self.error(line, "code", code, "bad_kato", _("A KATO code is exactly 9 digits."))
            code = ""
        else:
            first = self.code_lines.setdefault(code, line)
            if first != line:
                self.error(
                    line,
                    "code",
                    code,
                    "duplicate_code",
                    _("The code %(code)s is also on line %(other)s.")
                    % {"code": code, "other": first},
                )

        area_raw = get["area_code"](cells)
        area_id = self.area_in_scope(line, area_raw, self.areas)
        if area_id is not None and code and code[:2] != self.areas.codes[area_id][:2]:
            self.error(
                line,
                "code",
                code,
                "district_prefix",
                _("A district code starts with the two digits of its area (%(prefix)s).")
                % {"prefix": self.areas.codes[area_id][:2]},
            )

        name_kk = self.text(line, "name_kk", get["name_kk"](cells), limit=120, required=True)
        name_ru = self.text(line, "name_ru", get["name_ru"](cells), limit=120, required=True)
        name_en = self.text(line, "name_en", get["name_en"](cells), limit=120)

        existing = self.existing.get(code) if code else None
        if existing is not None and allowed is not None and existing[1][0] not in allowed:
            self.error(
                line,
                "code",
                code,
                "out_of_scope",
                out_of_scope_message(self.areas.names.get(existing[1][0], "?")),
            )

        if self.issues.error_count:
            self.rows.clear()
            return
        self.rows.append(
            DistrictRow(
                line,
                code,
                existing[0] if existing else None,
                (area_id, name_kk, name_ru, name_en or ""),
            )
        )

    def write(self, writer: BulkWriter) -> tuple[int, int, int]:
        context = self.context
        now = context.now
        actor = context.actor_id
        source = context.source
        before = {pk: values for pk, values in self.existing.values()}
        new: list[DistrictRow] = []
        updates: list[tuple[Any, ...]] = []
        audit: list[AuditRow] = []
        unchanged = 0
        context.progress("writing", 0, len(self.rows))
        for row in self.rows:
            if row.existing_id is None:
                new.append(row)
                continue
            old = before[row.existing_id]
            if old == row.values:
                unchanged += 1
                continue
            updates.append((row.existing_id, row.values[1], *row.values))
            audit.append(
                (
                    actor,
                    "update",
                    "registry.district",
                    str(row.existing_id),
                    row.values[1],
                    diff(
                        dict(zip(FIELDS, old, strict=True)),
                        dict(zip(FIELDS, row.values, strict=True)),
                    ),
                    source,
                )
            )
        ids = writer.insert(
            District,
            ("code", "name", "area_id", "name_kk", "name_ru", "name_en"),
            [(row.code, row.values[1], *row.values) for row in new],
        )
        for pk, row in zip(ids, new, strict=True):
            audit.append(
                (
                    actor,
                    "import",
                    "registry.district",
                    str(pk),
                    row.values[1],
                    {"code": row.code, **dict(zip(FIELDS, row.values, strict=True))},
                    source,
                )
            )
        writer.update(District, ("name", "area_id", "name_kk", "name_ru", "name_en"), updates)
        writer.audit(audit, at=now)  # type: ignore[arg-type]
        context.progress("writing", len(self.rows), len(self.rows))
        return len(new), len(updates), unchanged
