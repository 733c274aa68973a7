"""Organisations: matched by BIN when the row has one, else by code (as organisation_upsert)."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from kaskad.core.audit import diff
from kaskad.core.errors import DomainError
from kaskad.registry.choices import OrganisationKind
from kaskad.registry.imports import columns
from kaskad.registry.imports.base import AreaIndex, Validator, out_of_scope_message
from kaskad.registry.imports.values import ValueProblem, parse_bool, parse_status, split_list
from kaskad.registry.imports.writer import AuditRow, BulkWriter
from kaskad.registry.models import District, Organisation
from kaskad.registry.services import ORGANISATION_FIELDS, clean_bin

# The compared and written values, in the order of services.ORGANISATION_FIELDS, then code.
FIELDS = (*ORGANISATION_FIELDS, "code")
COLUMNS = (
    "bin",
    "name_kk",
    "name_ru",
    "name_en",
    "kind",
    "area_id",
    "district_id",
    "locality",
    "is_ungraded",
    "languages",
    "is_open",
    "code",
)


class Existing(NamedTuple):
    id: int
    values: tuple[Any, ...]  # in the order of FIELDS (area and district as ids)


class OrganisationRow(NamedTuple):
    line: int
    existing_id: int | None
    values: tuple[Any, ...]


class OrganisationsValidator(Validator):
    kind = "organisations"
    columns = columns.ORGANISATIONS

    def prepare(self) -> None:
        self.rows: list[OrganisationRow] = []
        self.areas = AreaIndex()
        self.districts = {
            code: (pk, area_id)
            for pk, code, area_id in District.objects.values_list("id", "code", "area_id")
        }
        self.by_code: dict[str, Existing] = {}
        self.by_bin: dict[str, Existing] = {}
        self.existing_area: dict[int, int] = {}
        for row in Organisation.objects.values_list("id", *COLUMNS).iterator(chunk_size=5000):
            pk, bin_value, name_kk, name_ru, name_en, kind, area_id, district_id, *rest = row
            values = (
                bin_value,
                name_kk or "",
                name_ru or "",
                name_en or "",
                kind,
                area_id,
                district_id,
                *rest,
            )
            record = Existing(pk, values)
            self.by_code[values[-1]] = record
            if bin_value:
                self.by_bin[bin_value] = record
            self.existing_area[pk] = area_id
        self.code_lines: dict[str, int] = {}
        self.bin_lines: dict[str, int] = {}
        self.target_lines: dict[int, int] = {}
        vocab = self.context.vocab
        self.kind_of = vocab["kind"]
        self.locality_of = vocab["locality"]
        self.language_of = vocab["language"]
        get = self.cell_getter
        self.get = {name: get(name) for name in columns.names(self.columns)}

    def row(self, line: int, cells: list[str]) -> None:
        get = self.get

        code = self.text(line, "code", get["code"](cells), limit=20, required=True)
        kind = ""
        kind_raw = get["kind"](cells)
        if not kind_raw:
            self.required(line, "kind")
        else:
            try:
                kind = self.kind_of(kind_raw)
            except ValueProblem as problem:
                self.problem(line, "kind", kind_raw, problem)
        bin_raw = get["bin"](cells)
        bin_value: str | None = None
        bin_ok = True
        try:
            # An unknown kind still gets its BIN checked (as a kind that may lack one).
            bin_value = clean_bin(bin_raw, kind=kind or OrganisationKind.OTHER)
        except DomainError as exc:
            self.domain_error(line, "bin", bin_raw, exc)
            bin_ok = False
        name_kk = self.text(line, "name_kk", get["name_kk"](cells), limit=300, required=True)
        name_ru = self.text(line, "name_ru", get["name_ru"](cells), limit=300, required=True)
        name_en = self.text(line, "name_en", get["name_en"](cells), limit=300)

        area_raw = get["area_code"](cells)
        area_id = self.area_in_scope(line, area_raw, self.areas)

        district_id = None
        district_raw = get["district_code"](cells)
        if district_raw:
            district = self.districts.get(district_raw)
            if district is None:
                self.error(
                    line,
                    "district_code",
                    district_raw,
                    "unknown_district",
                    _(
                        "No district with this KATO code is in the registry. Import the "
                        "districts first."
                    ),
                )
            elif area_id is not None and district[1] != area_id:
                self.error(
                    line,
                    "district_code",
                    district_raw,
                    "district_other_area",
                    _("This district belongs to %(area)s, not to the area of the row.")
                    % {"area": self.areas.names.get(district[1], "?")},
                )
            else:
                district_id = district[0]

        locality = ""
        locality_raw = get["locality"](cells)
        if not locality_raw:
            self.required(line, "locality")
        else:
            try:
                locality = self.locality_of(locality_raw)
            except ValueProblem as problem:
                self.problem(line, "locality", locality_raw, problem)

        ungraded = False
        ungraded_raw = get["ungraded"](cells)
        if ungraded_raw:
            try:
                ungraded = parse_bool(ungraded_raw)
            except ValueProblem as problem:
                self.problem(line, "ungraded", ungraded_raw, problem)

        languages: list[str] = []
        languages_raw = get["languages"](cells)
        for item in split_list(languages_raw):
            try:
                language = self.language_of(item)
            except ValueProblem as problem:
                self.problem(line, "languages", item, problem)
            else:
                if language not in languages:
                    languages.append(language)

        is_open = True
        status_raw = get["status"](cells)
        if status_raw:
            try:
                is_open = parse_status(status_raw)
            except ValueProblem as problem:
                self.problem(line, "status", status_raw, problem)

        existing = self._match(line, code, bin_raw, bin_value if bin_ok else None)

        if self.issues.error_count:
            self.rows.clear()
            return
        assert code is not None and name_kk is not None and name_ru is not None
        values = (
            bin_value,
            name_kk,
            name_ru,
            name_en or "",
            kind,
            area_id,
            district_id,
            locality,
            ungraded,
            languages,
            is_open,
            code,
        )
        self.rows.append(OrganisationRow(line, existing.id if existing else None, values))

    def _match(
        self, line: int, code: str | None, bin_raw: str, bin_value: str | None
    ) -> Existing | None:
        """The organisation this row updates, checking the row does not collide with
        another row or another organisation."""
        if code:
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
        if bin_value:
            first = self.bin_lines.setdefault(bin_value, line)
            if first != line:
                self.error(
                    line,
                    "bin",
                    bin_raw,
                    "duplicate_bin",
                    _("The BIN %(bin)s is also on line %(other)s.")
                    % {"bin": bin_value, "other": first},
                )
        if not code:
            return None
        existing = self.by_bin.get(bin_value) if bin_value else None
        if existing is None:
            existing = self.by_code.get(code)
            other_bin = existing.values[0] if existing else None
            if existing is not None and other_bin and bin_value and other_bin != bin_value:
                self.error(
                    line,
                    "bin",
                    bin_raw,
                    "bin_taken",
                    _("The code %(code)s belongs to an organisation with another BIN (%(other)s).")
                    % {"code": code, "other": other_bin},
                )
                return None
        elif existing.values[-1] != code:
            holder = self.by_code.get(code)
            if holder is not None and holder.id != existing.id:
                self.error(
                    line,
                    "code",
                    code,
                    "code_taken",
                    _(
                        "The BIN belongs to the organisation with code %(own)s, and the "
                        "code %(code)s to another organisation."
                    )
                    % {"own": existing.values[-1], "code": code},
                )
                return None
        if existing is None:
            return None
        first = self.target_lines.setdefault(existing.id, line)
        if first != line:
            self.error(
                line,
                "code",
                code,
                "same_organisation",
                _("Line %(other)s already updates this organisation.") % {"other": first},
            )
        allowed = self.context.allowed_area_ids
        area_id = self.existing_area[existing.id]
        if allowed is not None and area_id not in allowed:
            self.error(
                line,
                "code",
                code,
                "out_of_scope",
                out_of_scope_message(self.areas.names.get(area_id, "?")),
            )
        return existing

    def write(self, writer: BulkWriter) -> tuple[int, int, int]:
        context = self.context
        now = context.now
        actor = context.actor_id
        source = context.source
        by_id = {record.id: record for record in self.by_code.values()}
        new: list[OrganisationRow] = []
        updates: list[tuple[Any, ...]] = []
        audit: list[AuditRow] = []
        unchanged = 0
        total = len(self.rows)
        context.progress("writing", 0, total)
        for row in self.rows:
            if row.existing_id is None:
                new.append(row)
                continue
            before = by_id[row.existing_id].values
            if before == row.values:
                unchanged += 1
                continue
            changes = diff(
                dict(zip(FIELDS, before, strict=True)), dict(zip(FIELDS, row.values, strict=True))
            )
            updates.append((row.existing_id, row.values[1], *row.values, now))
            audit.append(
                (
                    actor,
                    "update",
                    "registry.organisation",
                    str(row.existing_id),
                    row.values[1],
                    changes,
                    source,
                )
            )
        ids = writer.insert(
            Organisation,
            ("name", *COLUMNS, "created_at", "updated_at"),
            [(row.values[1], *row.values, now, now) for row in new],
        )
        for pk, row in zip(ids, new, strict=True):
            audit.append(
                (
                    actor,
                    "import",
                    "registry.organisation",
                    str(pk),
                    row.values[1],
                    dict(zip(FIELDS, row.values, strict=True)),
                    source,
                )
            )
        writer.update(Organisation, ("name", *COLUMNS, "updated_at"), updates)
        writer.audit(audit, at=now)  # type: ignore[arg-type]
        context.progress("writing", total, total)
        return len(new), len(updates), unchanged
