"""Import of a year's network from CSV or XLSX, read by the registry's reader (encodings,
KZ-1048/Windows-1251, XLSX, a title above the header) and reported like the registry's imports
(file, line, column, value, reason).

One row per school:

    role      centre | leading | partner | hub
    bin       the school (for a hub link: the mentored school)
    parent_bin  leading: its methodological centre's Intellectual school (optional);
                partner: its leading school; hub: the mentor school
    areas     centre: KATO codes of the areas served, separated by ";" (default: its own)
    district  leading: KATO code of the district (default: the school's)
    decision_number, decision_date   leading: the education department's decision
    hub_kind  hub: rural (Intellectual → rural hub) or city (general → city school)

Every row is checked before anything is written; with any error nothing is written. Rows are
upserted by (year, school), so importing the same file again changes nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError
from kaskad.core.progress import ProgressCallback
from kaskad.core.scope import scope_of
from kaskad.networks import rules
from kaskad.networks.models import (
    HubKind,
    HubLink,
    LeadingSchool,
    MethodCentre,
    Partnership,
)
from kaskad.registry.choices import OrganisationKind
from kaskad.registry.imports.reader import FileProblem, open_table
from kaskad.registry.imports.types import ImportResult, Issues
from kaskad.registry.imports.values import ValueProblem, parse_date
from kaskad.registry.models import Area, District, Organisation

if TYPE_CHECKING:
    from kaskad.accounts.models import User

KIND = "network"
COLUMNS = (
    "role",
    "bin",
    "parent_bin",
    "areas",
    "district",
    "decision_number",
    "decision_date",
    "hub_kind",
)
REQUIRED = ("role", "bin")
# Column names as people write them (lower case, spaces and dashes as "_").
ALIASES = {
    "роль": "role",
    "рөлі": "role",
    "бин": "bin",
    "бсн": "bin",
    "school_bin": "bin",
    "parent": "parent_bin",
    "бин_ведущей": "parent_bin",
    "бин_наставника": "parent_bin",
    "areas_served": "areas",
    "регионы": "areas",
    "район": "district",
    "ауданы": "district",
    "номер_решения": "decision_number",
    "шешім_нөмірі": "decision_number",
    "дата_решения": "decision_date",
    "шешім_күні": "decision_date",
    "тип_хаба": "hub_kind",
}
ROLE_WORDS = {
    "centre": "centre",
    "center": "centre",
    "центр": "centre",
    "орталық": "centre",
    "leading": "leading",
    "ведущая": "leading",
    "жетекші": "leading",
    "partner": "partner",
    "партнер": "partner",
    "партнёр": "partner",
    "серіктес": "partner",
    "hub": "hub",
    "хаб": "hub",
}
ROLE_HELP = gettext_lazy("Use centre, leading, partner or hub.")
# Stages reported to a progress callback (codes a Job page translates) and their labels.
CHECKING = gettext_noop("checking")
WRITING = gettext_noop("writing")
STAGE_LABELS = {CHECKING: gettext_lazy("Checking"), WRITING: gettext_lazy("Writing")}
REPORT_EVERY = 50  # rows between progress reports (the reporters throttle further)


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _column(name: str) -> str:
    key = "_".join(name.strip().lower().replace("-", " ").split())
    return ALIASES.get(key, key)


def _recognise(name: str) -> bool:
    return _column(name) in COLUMNS


def normalise_bin(raw: str) -> str:
    """A BIN as typed: a spreadsheet keeps a number without its leading zeros, give them back."""
    value = raw.strip().replace(" ", "")
    if value.endswith(".0"):
        value = value[:-2]
    if value.isdigit() and 9 <= len(value) < 12:
        value = value.zfill(12)
    return value


@dataclass
class Row:
    line: int
    role: str
    school: Organisation
    parent_bin: str = ""
    areas: list[int] = field(default_factory=list)
    district_id: int | None = None
    decision_number: str = ""
    decision_date: date | None = None
    hub_kind: str = ""


class NetworkImport:
    def __init__(self, *, year: int, by: User | None, issues: Issues) -> None:
        self.year = year
        self.by = by
        self.issues = issues
        scope = scope_of(by) if by is not None else None
        self.allowed_areas: frozenset[int] | None = (
            None if scope is None or scope.national_write else scope.area_ids
        )
        self.rows: list[Row] = []
        self.orgs: dict[str, Organisation] = {}
        self.areas = {a.code: a.pk for a in Area.objects.all()}
        self.areas.update({code[:2]: pk for code, pk in list(self.areas.items())})
        self.districts = dict(District.objects.values_list("code", "id"))

    def error(self, line: int, column: str, value: str, code: str, message: str) -> None:
        self.issues.error(line, column, value, code, message)

    # -- reading ----------------------------------------------------------------------------

    def load_organisations(self, bins: set[str]) -> None:
        qs = Organisation.objects.select_related("area").filter(bin__in=bins)
        self.orgs = {str(o.bin): o for o in qs}
        rest = bins - set(self.orgs)
        if rest:
            for org in Organisation.objects.select_related("area").filter(code__in=rest):
                self.orgs[org.code] = org

    def school(self, line: int, column: str, raw: str) -> Organisation | None:
        value = normalise_bin(raw)
        if not value:
            self.error(line, column, raw, "required", _("A value is required in this column."))
            return None
        org = self.orgs.get(value)
        if org is None:
            self.error(
                line,
                column,
                raw,
                "unknown_bin",
                _("No organisation in the registry has this BIN. Add it to the registry first."),
            )
            return None
        if not self.in_scope(org):
            # Out of scope looks like missing: a school of another branch is neither named
            # nor confirmed to exist.
            self.error(
                line,
                column,
                raw,
                "unknown_bin",
                _("No organisation in the registry has this BIN. Add it to the registry first."),
            )
            return None
        return org

    def in_scope(self, org: Organisation | None) -> bool:
        return org is not None and (self.allowed_areas is None or org.area_id in self.allowed_areas)

    def read(
        self, records: list[tuple[int, dict[str, str]]], progress: ProgressCallback = _no_progress
    ) -> None:
        bins = set()
        for _line, cells in records:
            for column in ("bin", "parent_bin"):
                if cells.get(column):
                    bins.add(normalise_bin(cells[column]))
        self.load_organisations(bins)
        for index, (line, cells) in enumerate(records):
            if index % REPORT_EVERY == 0:
                progress(CHECKING, index, len(records))
            raw_role = cells.get("role", "")
            role = ROLE_WORDS.get(raw_role.strip().lower())
            if role is None:
                self.error(
                    line,
                    "role",
                    raw_role,
                    "unknown_role",
                    _("Unknown role. %(help)s") % {"help": ROLE_HELP},
                )
                continue
            school = self.school(line, "bin", cells.get("bin", ""))
            if school is None:
                continue
            row = Row(
                line=line,
                role=role,
                school=school,
                parent_bin=normalise_bin(cells.get("parent_bin", "")),
            )
            if role == "centre":
                self.read_centre(row, cells)
            elif role == "leading":
                self.read_leading(row, cells)
            elif role == "partner" and not row.parent_bin:
                self.error(
                    line,
                    "parent_bin",
                    "",
                    "required",
                    _("A partner school needs the BIN of its leading school."),
                )
                continue
            elif role == "hub":
                self.read_hub(row, cells)
            self.rows.append(row)

    def read_centre(self, row: Row, cells: dict[str, str]) -> None:
        try:
            rules.check_centre_school(row.school)
        except DomainError as exc:
            self.error(row.line, "bin", cells.get("bin", ""), exc.code, str(exc.message))
        raw = cells.get("areas", "")
        for code in [c.strip() for c in raw.replace(",", ";").split(";") if c.strip()]:
            area_id = self.areas.get(code)
            if area_id is None:
                self.error(
                    row.line,
                    "areas",
                    code,
                    "unknown_area",
                    _("No region or city has this KATO code."),
                )
            else:
                row.areas.append(area_id)
        if not raw.strip():
            row.areas = [row.school.area_id]

    def read_leading(self, row: Row, cells: dict[str, str]) -> None:
        try:
            rules.check_leading_school(row.school)
        except DomainError as exc:
            self.error(row.line, "bin", cells.get("bin", ""), exc.code, str(exc.message))
        district = cells.get("district", "").strip()
        if district:
            row.district_id = self.districts.get(district)
            if row.district_id is None:
                self.error(
                    row.line,
                    "district",
                    district,
                    "unknown_district",
                    _("No district has this KATO code."),
                )
        else:
            row.district_id = row.school.district_id
        number = " ".join(cells.get("decision_number", "").split())
        if len(number) > 40:
            self.error(
                row.line,
                "decision_number",
                number,
                "too_long",
                _("The value is longer than %(max)s characters.") % {"max": 40},
            )
        row.decision_number = number
        raw_date = cells.get("decision_date", "").strip()
        if raw_date:
            try:
                row.decision_date = parse_date(raw_date)
            except ValueProblem as exc:
                self.error(row.line, "decision_date", raw_date, exc.code, exc.message)

    def read_hub(self, row: Row, cells: dict[str, str]) -> None:
        kind = cells.get("hub_kind", "").strip().lower()
        if kind not in HubKind.values:
            self.error(row.line, "hub_kind", kind, "hub_kind", _("Use rural or city."))
            return
        row.hub_kind = kind
        if not row.parent_bin:
            self.error(
                row.line,
                "parent_bin",
                "",
                "required",
                _("A hub link needs the BIN of the mentor school."),
            )

    # -- checks across rows -----------------------------------------------------------------

    def check(self) -> None:
        year = self.year
        seen: dict[tuple[str, int], int] = {}
        member: dict[int, int] = {}  # school id → line where it joined a network (lead/partner)
        file_centres: dict[str, Row] = {}
        file_leading: dict[str, Row] = {}
        for row in self.rows:
            key = (row.role, row.school.pk)
            if row.role == "centre" and key in seen:
                self.error(
                    row.line,
                    "bin",
                    str(row.school.bin or row.school.code),
                    "duplicate",
                    _("This school is already on line %(line)s with the same role.")
                    % {"line": seen[key]},
                )
                continue
            seen[key] = row.line
            if row.role in ("leading", "partner"):
                if row.school.pk in member:
                    self.error(
                        row.line,
                        "bin",
                        str(row.school.bin or row.school.code),
                        "two_networks",
                        _(
                            "A school belongs to one network a year: this one is already on line "
                            "%(line)s."
                        )
                        % {"line": member[row.school.pk]},
                    )
                    continue
                member[row.school.pk] = row.line
            if row.role == "centre":
                file_centres[str(row.school.bin or row.school.code)] = row
            elif row.role == "leading":
                file_leading[str(row.school.bin or row.school.code)] = row
        db_centres = {
            str(c.school.bin or c.school.code): c
            for c in MethodCentre.objects.filter(year=year).select_related("school")
        }
        db_leading = {
            str(ls.school.bin or ls.school.code): ls
            for ls in LeadingSchool.objects.filter(year=year).select_related("school")
        }
        partners_in_db = dict(
            Partnership.objects.filter(year=year).values_list("school_id", "leading__school_id")
        )
        leading_school_ids = {ls.school_id for ls in db_leading.values()}
        for row in self.rows:
            branch = rules.branch_id_of(row.school)
            if row.role == "leading":
                if row.school.pk in partners_in_db and not any(
                    r.role == "partner" and r.school.pk == row.school.pk for r in self.rows
                ):
                    # A partner of another network in the database, not moved by this file.
                    self.error(
                        row.line,
                        "bin",
                        str(row.school.bin),
                        "two_networks",
                        _(
                            "This school is a partner school in this year: a school belongs to "
                            "one network."
                        ),
                    )
                if row.parent_bin:
                    centre_row = file_centres.get(row.parent_bin)
                    centre = db_centres.get(row.parent_bin)
                    if centre is not None and not self.in_scope(centre.school):
                        centre = None  # another branch's centre: as if there were none
                    if centre_row is None and centre is None:
                        self.error(
                            row.line,
                            "parent_bin",
                            row.parent_bin,
                            "unknown_centre",
                            _(
                                "No methodological centre with this BIN in this year (in the file "
                                "or already recorded)."
                            ),
                        )
                    else:
                        centre_school = centre_row.school if centre_row else centre.school  # type: ignore[union-attr]
                        if rules.branch_id_of(centre_school) != branch:
                            self.error(
                                row.line,
                                "parent_bin",
                                row.parent_bin,
                                "other_branch",
                                _("The methodological centre belongs to another branch."),
                            )
            elif row.role == "partner":
                if row.school.kind != OrganisationKind.SCHOOL:
                    self.error(
                        row.line,
                        "bin",
                        str(row.school.bin),
                        "not_general_school",
                        _(
                            "%(school)s is not a general school (%(kind)s): a partner school must "
                            "be one."
                        )
                        % {"school": row.school, "kind": row.school.get_kind_display()},
                    )
                lead_row = file_leading.get(row.parent_bin)
                lead = db_leading.get(row.parent_bin)
                if lead is not None and not self.in_scope(lead.school):
                    lead = None  # another branch's leading school: as if there were none
                if lead_row is None and lead is None:
                    known = self.orgs.get(row.parent_bin)
                    known = known if self.in_scope(known) else None
                    self.error(
                        row.line,
                        "parent_bin",
                        row.parent_bin,
                        "unknown_leading" if known else "unknown_bin",
                        _(
                            "This school is not a leading school in this year (in the file or "
                            "already recorded)."
                        )
                        if known
                        else _(
                            "No organisation in the registry has this BIN. Add it to the registry "
                            "first."
                        ),
                    )
                    continue
                lead_school = lead_row.school if lead_row else lead.school  # type: ignore[union-attr]
                if lead_school.pk == row.school.pk:
                    self.error(
                        row.line,
                        "parent_bin",
                        row.parent_bin,
                        "own_partner",
                        _("A leading school cannot be its own partner."),
                    )
                elif rules.branch_id_of(lead_school) != branch:
                    self.error(
                        row.line,
                        "bin",
                        str(row.school.bin),
                        "other_branch",
                        _(
                            "%(school)s lies in another branch's areas than its leading school: a "
                            "network stays within one branch."
                        )
                        % {"school": row.school},
                    )
                elif (
                    row.school.pk in leading_school_ids and str(row.school.bin) not in file_leading
                ):
                    self.error(
                        row.line,
                        "bin",
                        str(row.school.bin),
                        "two_networks",
                        _(
                            "This school is a leading school in this year: a school belongs to "
                            "one network."
                        ),
                    )
                elif (
                    row.school.pk in partners_in_db
                    and partners_in_db[row.school.pk] != lead_school.pk
                ):
                    self.issues.warning(
                        row.line,
                        "parent_bin",
                        row.parent_bin,
                        "moved",
                        _(
                            "The school partnered another leading school in this year: it moves "
                            "to this one."
                        ),
                    )
            elif row.role == "hub":
                mentor = self.orgs.get(row.parent_bin)
                if mentor is None or not self.in_scope(mentor):
                    self.error(
                        row.line,
                        "parent_bin",
                        row.parent_bin,
                        "unknown_bin",
                        _(
                            "No organisation in the registry has this BIN. Add it to the registry "
                            "first."
                        ),
                    )
                    continue
                try:
                    rules.check_hub_link(mentor=mentor, mentee=row.school, kind=row.hub_kind)
                except DomainError as exc:
                    column = "parent_bin" if exc.field == "mentor" else "bin"
                    self.error(
                        row.line,
                        column,
                        row.parent_bin if column == "parent_bin" else str(row.school.bin),
                        exc.code,
                        str(exc.message),
                    )
        # Partner counts: a warning, never a refusal.
        counts: Counter[str] = Counter(r.parent_bin for r in self.rows if r.role == "partner")
        for bin_, leading_row in file_leading.items():
            existing = db_leading.get(bin_)
            kept = (
                Partnership.objects.filter(leading=existing)
                .exclude(school_id__in=[r.school.pk for r in self.rows if r.role == "partner"])
                .count()
                if existing
                else 0
            )
            message = rules.partner_count_warning(counts[bin_] + kept)
            if message:
                self.issues.warning(
                    leading_row.line,
                    "bin",
                    bin_,
                    "partner_count",
                    _("%(school)s has %(message)s (%(count)s).")
                    % {
                        "school": leading_row.school,
                        "message": message,
                        "count": counts[bin_] + kept,
                    },
                )

    # -- writing ----------------------------------------------------------------------------

    def write(self, progress: ProgressCallback = _no_progress) -> tuple[int, int, int]:
        progress(WRITING, 0, len(self.rows))
        created = updated = unchanged = 0
        year = self.year
        centres: dict[str, MethodCentre] = {}
        for row in self.rows:
            if row.role != "centre":
                continue
            centre, made = MethodCentre.objects.get_or_create(
                year=year, school=row.school, defaults={"branch_id": rules.branch_id_of(row.school)}
            )
            before = sorted(centre.areas.values_list("id", flat=True))
            if sorted(set(row.areas)) != before:
                centre.areas.set(row.areas)
                if not made:
                    updated += 1
                    audit_record(
                        actor=self.by,
                        action="update",
                        obj=centre,
                        changes={"areas": [before, sorted(set(row.areas))]},
                        source=self.issues.file,
                    )
            elif not made:
                unchanged += 1
            if made:
                created += 1
                audit_record(
                    actor=self.by,
                    action="create",
                    obj=centre,
                    changes={"year": year},
                    source=self.issues.file,
                )
            centres[str(row.school.bin or row.school.code)] = centre
        for centre in MethodCentre.objects.filter(year=year).select_related("school"):
            centres.setdefault(str(centre.school.bin or centre.school.code), centre)
        leading: dict[str, LeadingSchool] = {}
        for row in self.rows:
            if row.role != "leading":
                continue
            values = {
                "branch_id": rules.branch_id_of(row.school),
                "centre": centres.get(row.parent_bin) if row.parent_bin else None,
                "district_id": row.district_id,
                "decision_number": row.decision_number,
                "decision_date": row.decision_date,
            }
            existing = LeadingSchool.objects.filter(year=year, school=row.school).first()
            if existing is None:
                # A partner moving up to lead: its partnership ends in this year.
                Partnership.objects.filter(year=year, school=row.school).delete()
                existing = LeadingSchool.objects.create(year=year, school=row.school, **values)
                created += 1
                audit_record(
                    actor=self.by,
                    action="create",
                    obj=existing,
                    changes={"year": year},
                    source=self.issues.file,
                )
            else:
                changes = {}
                for key, value in values.items():
                    attr = key
                    old = getattr(existing, attr)
                    if old != value:
                        changes[key] = [getattr(old, "pk", old), getattr(value, "pk", value)]
                        setattr(existing, attr, value)
                if changes:
                    existing.save()
                    updated += 1
                    audit_record(
                        actor=self.by,
                        action="update",
                        obj=existing,
                        changes=changes,
                        source=self.issues.file,
                    )
                else:
                    unchanged += 1
            leading[str(row.school.bin or row.school.code)] = existing
        for ls in LeadingSchool.objects.filter(year=year).select_related("school"):
            leading.setdefault(str(ls.school.bin or ls.school.code), ls)
        current = {p.school_id: p for p in Partnership.objects.filter(year=year)}
        for row in self.rows:
            if row.role != "partner":
                continue
            target = leading[row.parent_bin]
            found = current.get(row.school.pk)
            if found is None:
                partnership = Partnership.objects.create(
                    year=year, leading=target, school=row.school
                )
                created += 1
                audit_record(
                    actor=self.by,
                    action="create",
                    obj=partnership,
                    changes={"leading": target.pk},
                    source=self.issues.file,
                )
            elif found.leading_id != target.pk:
                old = found.leading_id
                found.leading = target
                found.save(update_fields=["leading", "updated_at"])
                updated += 1
                audit_record(
                    actor=self.by,
                    action="update",
                    obj=found,
                    changes={"leading": [old, target.pk]},
                    source=self.issues.file,
                )
            else:
                unchanged += 1
        for row in self.rows:
            if row.role != "hub":
                continue
            mentor = self.orgs[row.parent_bin]
            link, made = HubLink.objects.get_or_create(
                year=year, mentor=mentor, mentee=row.school, defaults={"kind": row.hub_kind}
            )
            if made:
                created += 1
                audit_record(
                    actor=self.by,
                    action="create",
                    obj=link,
                    changes={"kind": row.hub_kind},
                    source=self.issues.file,
                )
            elif link.kind != row.hub_kind:
                link.kind = row.hub_kind
                link.save(update_fields=["kind", "updated_at"])
                updated += 1
            else:
                unchanged += 1
        progress(WRITING, len(self.rows), len(self.rows))
        return created, updated, unchanged


def network_import(
    *,
    path: Path,
    year: int,
    by: User | None,
    dry_run: bool = False,
    name: str = "",
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Check every row of the file, then (unless `dry_run`, and only without errors) write
    them in one transaction. `progress(stage, done, total)` is told how far it got."""
    report = progress or _no_progress
    started = time.monotonic()
    issues = Issues(name or path.name)
    job = NetworkImport(year=year, by=by, issues=issues)
    records: list[tuple[int, dict[str, str]]] = []
    try:
        with open_table(path, recognise=_recognise) as table:
            issues.notes.extend(table.notes)
            header = [_column(h) for h in table.header]
            for column in REQUIRED:
                if column not in header:
                    issues.error(
                        table.header_line,
                        column,
                        "",
                        "missing_column",
                        _("The column “%(column)s” is missing.") % {"column": column},
                    )
            if issues.error_count:
                return _done(issues, 0, dry_run, started)
            for line, cells in table.rows:
                values = {
                    header[i]: str(cell).strip()
                    for i, cell in enumerate(cells)
                    if i < len(header) and header[i] in COLUMNS
                }
                if any(values.values()):
                    records.append((line, values))
    except FileProblem as problem:
        issues.error(problem.line, problem.column, problem.value, problem.code, problem.message)
        return _done(issues, 0, dry_run, started)
    job.read(records, report)
    if not issues.error_count:
        job.check()
    report(CHECKING, len(records), len(records))
    result = _done(issues, len(records), dry_run, started)
    if issues.error_count or dry_run:
        if dry_run and not issues.error_count:
            with transaction.atomic():
                sid = transaction.savepoint()
                result.created, result.updated, result.unchanged = job.write()
                transaction.savepoint_rollback(sid)
        return result
    with transaction.atomic():
        result.created, result.updated, result.unchanged = job.write(report)
    return result


def _done(issues: Issues, total: int, dry_run: bool, started: float) -> ImportResult:
    result = issues.result(kind=KIND, total=total, dry_run=dry_run)
    result.seconds = time.monotonic() - started
    return result


def template_rows() -> list[list[str]]:
    """The header and example rows of an empty network file."""
    return [
        list(COLUMNS),
        ["centre", "940140000385", "", "710000000", "", "", "", ""],
        ["leading", "950341000052", "940140000385", "", "", "12-р", "2025-08-25", ""],
        ["partner", "000000000000", "950341000052", "", "", "", "", ""],
        ["hub", "000000000000", "940140000385", "", "", "", "", "rural"],
    ]
