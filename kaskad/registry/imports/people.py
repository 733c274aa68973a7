"""People with their current employment: checked row by row, upserted by IIN.

The rules are those of the single-record services: ``clean_iin`` (IIN, and agreement with a
birth date or sex column), ``clean_name``, ``category_due``, the search key of
``person_search_key`` and the employment history of ``employment_set`` (same organisation:
the open record is updated, start date included; another organisation: it is closed the day
before the new start and a new one is opened; a start on or before the current one is refused,
never turned into an invented date).

On top of those, checked against the registry in batches once the file is otherwise clean
(docs/people-import.md): an importer changes only people in their scope (ADR 0002), a second
row of an IIN at another organisation is a second job, and a known IIN may not arrive with
another person's name.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kaskad.core.audit import diff
from kaskad.core.errors import DomainError
from kaskad.registry.imports import columns
from kaskad.registry.imports.base import (
    WRITE_CHUNK,
    AreaIndex,
    Validator,
    out_of_scope_message,
)
from kaskad.registry.imports.values import ValueProblem, parse_whole, split_list
from kaskad.registry.imports.writer import AuditRow, BulkWriter
from kaskad.registry.models import Employment, Organisation, Person
from kaskad.registry.names import fold, same_name
from kaskad.registry.services import (
    EMPLOYMENT_FIELDS,
    PERSON_FIELDS,
    category_due,
    clean_iin,
)

MAX_EXPERIENCE_YEARS = 60
_PHONE = re.compile(r"^\+?[\d\s().\-]{3,32}$")
# Addresses this plain pattern accepts, Django's EmailValidator accepts too; anything else goes
# to the (much slower, authoritative) validator.
_PLAIN_EMAIL = re.compile(
    r"^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
ONE_DAY = timedelta(days=1)


class PersonRow(NamedTuple):
    line: int
    iin: str
    surname: str
    given_name: str
    patronymic: str
    birth_date: date
    sex: str
    email: str
    phone: str
    search_key: str
    organisation_id: int
    position: str
    subjects: list[str]
    level: str
    category: str
    category_awarded_on: date | None
    category_due_on: date | None
    experience_years: int
    started_on: date
    is_primary: bool  # the first row of this IIN in the file: the main job

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    def person_values(self) -> tuple[str, str, str, str, str]:
        return (self.surname, self.given_name, self.patronymic, self.email, self.phone)

    def job_values(self) -> tuple[Any, ...]:
        """In the order of services.EMPLOYMENT_FIELDS."""
        return (
            self.position,
            self.subjects,
            self.level,
            self.category,
            self.category_awarded_on,
            self.category_due_on,
            self.experience_years,
        )


class OrganisationRef(NamedTuple):
    id: int
    area_id: int
    is_open: bool


class SearchKeys:
    """``person_search_key`` computed part by part with each part folded once.

    fold() works word by word, so folding the three parts separately and joining them gives
    the same key as folding the joined name (a property test holds the two together); names
    repeat, so this saves most of the folding on a national file.
    """

    def __init__(self) -> None:
        self._folded: dict[str, str] = {}

    def __call__(self, surname: str, given_name: str, patronymic: str) -> str:
        folded = self._folded
        parts = []
        for part in (surname, given_name, patronymic):
            if not part:
                continue
            key = folded.get(part)
            if key is None:
                key = folded[part] = fold(part)
            if key:
                parts.append(key)
        return " ".join(parts)


class PeopleValidator(Validator):
    kind = "people"
    columns = columns.PEOPLE

    def prepare(self) -> None:
        context = self.context
        self.rows: list[PersonRow] = []
        # IIN → (line, organisation id, surname, given name, patronymic) of its first row
        self.seen: dict[str, tuple[int, int, str | None, str | None, str | None]] = {}
        self.more: dict[str, list[tuple[int, int]]] = {}  # IIN → (line, organisation) after
        self.multi: set[str] = set()  # IINs on more than one line (second jobs)
        self.flagged: set[int] = set()  # lines already reported as duplicates
        self.search_keys = SearchKeys()
        self.areas = AreaIndex()
        self.organisations: dict[str, OrganisationRef] = {}
        self.organisation_names: dict[int, str] = {}
        self.organisation_areas: dict[int, int] = {}
        language = (get_language() or "kk")[:2]
        for (
            pk,
            code,
            bin_value,
            area_id,
            is_open,
            name_kk,
            name_ru,
            name_en,
        ) in Organisation.objects.values_list(
            "id", "code", "bin", "area_id", "is_open", "name_kk", "name_ru", "name_en"
        ).iterator(chunk_size=5000):
            ref = OrganisationRef(pk, area_id, is_open)
            self.organisation_areas[pk] = area_id
            self.organisations[code] = ref
            if bin_value:
                self.organisations.setdefault(bin_value, ref)
            names = {"kk": name_kk, "ru": name_ru, "en": name_en}
            self.organisation_names[pk] = names.get(language) or name_kk or name_ru or code
        vocab = context.vocab
        self.position_of = vocab["position"]
        self.level_of = vocab["level"]
        self.category_of = vocab["category"]
        self.sex_of = vocab["sex"]
        self.pick = self.column_picker()

    # --- checks ----------------------------------------------------------------------------

    def row(self, line: int, cells: list[str]) -> None:
        issues = self.issues
        (
            iin_raw,
            surname_raw,
            given_name_raw,
            patronymic_raw,
            birth_raw,
            sex_raw,
            email,
            phone_raw,
            organisation_raw,
            position_raw,
            subjects_raw,
            level_raw,
            category_raw,
            awarded_raw,
            experience_raw,
            started_raw,
        ) = self.pick(cells)

        birth_date = None
        if birth_raw:
            try:
                birth_date = self.dates(birth_raw)
            except ValueProblem as problem:
                self.problem(line, "birth_date", birth_raw, problem)
        sex = ""
        if sex_raw:
            try:
                sex = self.sex_of(sex_raw)
            except ValueProblem as problem:
                self.problem(line, "sex", sex_raw, problem)

        iin = ""
        info: Any = None
        if not iin_raw:
            self.required(line, "iin")
        else:
            try:
                iin, info = clean_iin(iin_raw, birth_date=birth_date, sex=sex)
            except DomainError as exc:
                column = exc.field or "iin"
                shown = {"birth_date": birth_raw, "sex": sex_raw}.get(column, iin_raw)
                self.domain_error(line, column, shown, exc)
                if column != "iin":
                    iin = iin_raw  # the IIN itself is valid: still catch duplicates
        surname = self.name(line, "surname", surname_raw, required=True)
        given_name = self.name(line, "given_name", given_name_raw, required=True)
        patronymic = self.name(line, "patronymic", patronymic_raw, required=False)

        if email:
            if len(email) > 254:
                self.too_long(line, "email", email, 254)
            elif not _PLAIN_EMAIL.match(email):
                try:
                    validate_email(email)
                except ValidationError:
                    self.error(
                        line, "email", email, "bad_email", _("This is not a valid email address.")
                    )
        phone = " ".join(phone_raw.split())
        if phone and not _PHONE.match(phone):
            self.error(
                line,
                "phone",
                phone,
                "bad_phone",
                _(
                    "A phone number may hold only digits, spaces, “+”, “-”, “(” and “)” "
                    "(at most 32 characters)."
                ),
            )

        organisation: OrganisationRef | None = None
        if not organisation_raw:
            self.required(line, "organisation_code")
        else:
            organisation = self.organisations.get(organisation_raw)
            if organisation is None and len(organisation_raw) == 11 and organisation_raw.isdigit():
                organisation = self.organisations.get("0" + organisation_raw)  # lost zero
            if organisation is None:
                self.error(
                    line,
                    "organisation_code",
                    organisation_raw,
                    "unknown_organisation",
                    _(
                        "No organisation with this code or BIN is in the registry. Check the "
                        "code, or import the organisation first."
                    ),
                )
            else:
                allowed = self.context.allowed_area_ids
                if allowed is not None and organisation.area_id not in allowed:
                    self.error(
                        line,
                        "organisation_code",
                        organisation_raw,
                        "out_of_scope",
                        out_of_scope_message(self.areas.names.get(organisation.area_id, "?")),
                    )
                    organisation = None
                elif not organisation.is_open:
                    issues.warning(
                        line,
                        "organisation_code",
                        organisation_raw,
                        "organisation_closed",
                        _("The organisation is marked as closed."),
                    )

        position = ""
        if not position_raw:
            self.required(line, "position")
        else:
            try:
                position = self.position_of(position_raw)
            except ValueProblem as problem:
                self.problem(line, "position", position_raw, problem)

        subjects = split_list(subjects_raw)

        level = ""
        if level_raw:
            try:
                level = self.level_of(level_raw)
            except ValueProblem as problem:
                self.problem(line, "level", level_raw, problem)

        category = "none"
        if category_raw:
            try:
                category = self.category_of(category_raw)
            except ValueProblem as problem:
                self.problem(line, "category", category_raw, problem)

        awarded = None
        if awarded_raw:
            try:
                awarded = self.dates(awarded_raw)
            except ValueProblem as problem:
                self.problem(line, "category_awarded_on", awarded_raw, problem)
            else:
                if awarded > self.context.today:
                    self.error(
                        line,
                        "category_awarded_on",
                        awarded_raw,
                        "date_in_future",
                        _("The date is in the future."),
                    )
                    awarded = None

        experience = 0
        if experience_raw:
            try:
                experience = parse_whole(experience_raw, maximum=MAX_EXPERIENCE_YEARS)
            except ValueProblem as problem:
                self.problem(line, "experience_years", experience_raw, problem)

        started = None
        if not started_raw:
            self.required(line, "started_on")
        else:
            try:
                started = self.dates(started_raw)
            except ValueProblem as problem:
                self.problem(line, "started_on", started_raw, problem)

        is_primary = True
        if iin and organisation is not None:
            is_primary = self.repeated(line, iin, organisation.id, surname, given_name, patronymic)

        if issues.error_count:
            # Nothing will be written: stop keeping rows, only keep checking.
            if self.rows:
                self.rows.clear()
            return
        assert info is not None and organisation is not None and started is not None
        assert surname is not None and given_name is not None and patronymic is not None
        self.rows.append(
            PersonRow(
                line,
                iin,
                surname,
                given_name,
                patronymic,
                info.birth_date,
                info.sex,
                email,
                phone,
                self.search_keys(surname, given_name, patronymic),
                organisation.id,
                position,
                subjects,
                level,
                category,
                awarded,
                category_due(awarded),
                experience,
                started,
                is_primary,
            )
        )

    def repeated(
        self,
        line: int,
        iin: str,
        organisation_id: int,
        surname: str | None,
        given_name: str | None,
        patronymic: str | None,
    ) -> bool:
        """Record the row's IIN; whether it is the first row of that IIN (the main job).

        The same IIN at another organisation is a second, concurrent job (совместительство);
        at the same organisation it is a duplicate, reported on both lines.
        """
        first = self.seen.get(iin)
        if first is None:
            # Names are the shared strings of the name cache: a tuple of references per IIN.
            self.seen[iin] = (line, organisation_id, surname, given_name, patronymic)
            return True
        self.multi.add(iin)
        first_line, first_organisation, *first_name = first
        earlier = [(first_line, first_organisation), *self.more.get(iin, ())]
        for other, other_organisation in earlier:
            if other_organisation == organisation_id:
                message = _(
                    "The IIN %(iin)s at this organisation is also on line %(other)s: a person "
                    "may appear only once per organisation (a second job is a row with the "
                    "other organisation)."
                )
                self.error(
                    line,
                    "iin",
                    iin,
                    "duplicate_iin",
                    message % {"iin": iin, "other": other},
                )
                if other not in self.flagged:
                    self.flagged.add(other)
                    self.error(
                        other,
                        "iin",
                        iin,
                        "duplicate_iin",
                        message % {"iin": iin, "other": line},
                    )
                return False
        if surname is not None and given_name is not None and None not in first_name[:2]:
            keys = self.search_keys
            for column, value, first_value in zip(
                NAME_COLUMNS, (surname, given_name, patronymic or ""), first_name, strict=True
            ):
                if keys(value, "", "") != keys(first_value or "", "", ""):
                    self.error(
                        line,
                        column,
                        value,
                        "iin_name_differs_in_file",
                        _(
                            "The IIN %(iin)s is also on line %(other)s with another name: the "
                            "rows of one person must name them the same way."
                        )
                        % {"iin": iin, "other": first_line},
                    )
                    break
        self.more.setdefault(iin, []).append((line, organisation_id))
        return False

    # --- checks against the registry --------------------------------------------------------
    # Rows of people already in the registry are checked against their record and history
    # (scope, name, the order of employment dates) as the writing reads them, inside the
    # import's transaction: in batches, once per row. Any error stops the writing and rolls
    # everything back, so the file is refused whole, with every such error listed.

    def chunks(self) -> list[list[PersonRow]]:
        """The rows in chunks of about WRITE_CHUNK; all rows of one IIN in the same chunk."""
        multi = self.multi
        if multi:
            rows = [r for r in self.rows if r.iin not in multi]
            rows.extend(sorted((r for r in self.rows if r.iin in multi), key=lambda r: r.iin))
        else:
            rows = self.rows
        chunks = []
        start = 0
        total = len(rows)
        while start < total:
            end = min(start + WRITE_CHUNK, total)
            while end < total and rows[end].iin == rows[end - 1].iin:
                end += 1
            chunks.append(rows[start:end])
            start = end
        return chunks

    def lookup(
        self, writer: BulkWriter, chunk: list[PersonRow]
    ) -> tuple[dict[str, tuple[Any, ...]], dict[int, list[tuple[Any, ...]]]]:
        """The chunk's people already in the registry (by IIN) and all their employments."""
        people = {
            row[1]: row
            for row in writer.select_in(
                Person,
                ("id", "iin", *PERSON_FIELDS, "current_organisation_id"),
                "iin",
                list({r.iin for r in chunk}),
            )
        }
        jobs: dict[int, list[tuple[Any, ...]]] = {}
        for row in writer.select_in(
            Employment,
            JOB_COLUMNS,
            "person_id",
            [row[0] for row in people.values()],
        ):
            jobs.setdefault(row[0], []).append(row)
        return people, jobs

    def in_scope(self, found: tuple[Any, ...], history: list[tuple[Any, ...]]) -> bool:
        """Whether the importer may change this person: their current organisation (or, with
        no current job, their last one) lies in the importer's areas."""
        allowed = self.context.allowed_area_ids
        if allowed is None:
            return True
        organisation_id = found[7]
        if organisation_id is None and history:
            last = max(history, key=lambda j: (j[4] or date.max, j[3]))
            organisation_id = last[2]
        return organisation_id is not None and (
            self.organisation_areas.get(organisation_id) in allowed
        )

    def plan(
        self,
        group: list[PersonRow],
        found: tuple[Any, ...] | None,
        jobs: dict[int, list[tuple[Any, ...]]],
    ) -> Plan | None:
        """What the rows of one person change; None (with the errors recorded) when they
        may not be written."""
        if found is None:
            return Plan(None, group, [], [], [])
        person_id = found[0]
        history = jobs.get(person_id, [])
        if not self.in_scope(found, history):
            for r in group:
                self.error(
                    r.line,
                    "iin",
                    r.iin,
                    "registered_elsewhere",
                    _(
                        "A person with this IIN is registered at an organisation outside "
                        "your scope, so this row is not imported. To bring them to your "
                        "organisation, request a transfer."
                    ),
                )
            return None
        ok = True
        for r in group:
            ok = self.check_name(r, found) and ok
        open_jobs = {j[2]: j for j in history if j[4] is None}
        main = next((j for j in open_jobs.values() if j[5]), None)
        file_organisations = {r.organisation_id for r in group}
        updates: list[tuple[tuple[Any, ...], PersonRow]] = []
        opened: list[tuple[PersonRow, bool]] = []
        closed: list[tuple[tuple[Any, ...], date]] = []
        for r in group:
            job = open_jobs.get(r.organisation_id)
            if job is not None:
                if r.started_on != job[3] and job[5]:
                    ok = self.check_after_history(r, history, job) and ok
                updates.append((job, r))
                continue
            moves = r.is_primary and (main is None or main[2] not in file_organisations)
            if moves and main is not None and r.started_on <= main[3]:
                ok = False
                self.error(
                    r.line,
                    "started_on",
                    r.started_on.isoformat(),
                    "older_than_registry",
                    _(
                        "In the registry this person has worked at %(organisation)s since "
                        "%(since)s, after this row's start date: an older file cannot move "
                        "a person back. Leave the row out, or correct the date if the "
                        "move is new."
                    )
                    % {
                        "organisation": self.organisation_names.get(main[2], "?"),
                        "since": main[3].isoformat(),
                    },
                )
                continue
            if not self.check_after_history(r, history, None, primary=moves):
                ok = False
                continue
            if moves and main is not None:
                closed.append((main, r.started_on - ONE_DAY))
            opened.append((r, moves))
        if not ok:
            return None
        return Plan(found, group, updates, opened, closed)

    def check_name(self, r: PersonRow, found: tuple[Any, ...]) -> bool:
        """Refuse a row naming someone else; warn about a small spelling correction."""
        registry = found[2:5]
        given = (r.surname, r.given_name, r.patronymic)
        if registry == given:
            return True
        differs = [
            (column, old, new)
            for column, old, new in zip(NAME_COLUMNS, registry, given, strict=True)
            if old != new
        ]
        wrong = [
            (column, old, new)
            for column, old, new in differs
            if old and new and not same_name(old, new)
        ]
        if wrong:
            column, _old, new = wrong[0]
            self.error(
                r.line,
                column,
                new,
                "iin_other_person",
                _(
                    "This IIN belongs to %(registry)s in the registry, but the file names "
                    "%(file)s: check the IIN. A file may correct the spelling of a name "
                    "by a letter or two, not replace it."
                )
                % {"registry": _full_name(registry), "file": r.full_name},
            )
            return False
        column, _old, new = differs[0]
        self.issues.warning(
            r.line,
            column,
            new,
            "name_spelling_changed",
            _("The spelling of the name changes from “%(registry)s” to “%(file)s”.")
            % {"registry": _full_name(registry), "file": r.full_name},
        )
        return True

    def check_after_history(
        self,
        r: PersonRow,
        history: list[tuple[Any, ...]],
        job: tuple[Any, ...] | None,
        *,
        primary: bool = True,
    ) -> bool:
        """A start date must come after the end of the earlier jobs it follows: the main job
        after every ended main job, a job at an organisation after earlier ones there."""
        clash = [
            j
            for j in history
            if j[4] is not None
            and j is not job
            and (j[5] if primary else j[2] == r.organisation_id)
            and r.started_on <= j[4]
        ]
        if not clash:
            return True
        last = max(clash, key=lambda j: j[4])
        self.error(
            r.line,
            "started_on",
            r.started_on.isoformat(),
            "overlaps_history",
            _(
                "In the registry this person worked at %(organisation)s until %(end)s: "
                "a job starting on or before that date would rewrite the history. Check "
                "the date, or leave the row out if the file is older."
            )
            % {
                "organisation": self.organisation_names.get(last[2], "?"),
                "end": last[4].isoformat(),
            },
        )
        return False

    # --- writing ---------------------------------------------------------------------------

    def write(self, writer: BulkWriter) -> tuple[int, int, int]:
        total = len(self.rows)
        counts = [0, 0, 0]
        done = 0
        self.context.progress("writing", 0, total)
        for chunk in self.chunks():
            created, updated, unchanged = self._write_chunk(writer, chunk)
            counts[0] += created
            counts[1] += updated
            counts[2] += unchanged
            done += len(chunk)
            self.context.progress("writing", done, total)
        if self.issues.error_count:
            # Rows that clash with the registry: nothing is kept.
            transaction.set_rollback(True)
            return 0, 0, 0
        return counts[0], counts[1], counts[2]

    def _write_chunk(self, writer: BulkWriter, chunk: list[PersonRow]) -> tuple[int, int, int]:
        context = self.context
        now = context.now
        actor = context.actor_id
        source = context.source
        org_names = self.organisation_names
        people, jobs = self.lookup(writer, chunk)
        new_people: list[PersonRow] = []
        new_jobs: list[tuple[int, PersonRow, bool]] = []
        closed_jobs: list[tuple[int, date, Any]] = []
        job_updates: list[tuple[Any, ...]] = []
        person_updates: list[tuple[Any, ...]] = []
        audit: list[AuditRow] = []
        created = updated = unchanged = 0

        plans = []
        for group in _groups(chunk):
            plan = self.plan(group, people.get(group[0].iin), jobs)
            if plan is not None:
                plans.append(plan)
        if self.issues.error_count:
            return 0, 0, 0  # refused: keep checking the other chunks, write nothing
        for plan in plans:
            group = plan.rows
            if plan.found is None:
                new_people.append(group[0])
                new_jobs.extend((-1, r, r.is_primary) for r in group[1:])
                created += len(group)
                continue
            found = plan.found
            person_id = found[0]
            changed: set[int] = set()
            for job, r in plan.updates:
                old_job = (*job[6:], job[3])
                new_job = (*r.job_values(), r.started_on)
                if old_job != new_job:
                    job_updates.append((job[1], *new_job, now))
                    audit.append(
                        (
                            actor,
                            "update",
                            "registry.employment",
                            str(job[1]),
                            f"{r.full_name} @ {org_names.get(r.organisation_id, '')}",
                            diff(
                                dict(zip(JOB_FIELDS, old_job, strict=True)),
                                dict(zip(JOB_FIELDS, new_job, strict=True)),
                            ),
                            source,
                        )
                    )
                    changed.add(r.line)
            current_organisation = found[7]
            for job, end in plan.closed:
                closed_jobs.append((job[1], end, now))
                audit.append(
                    (
                        actor,
                        "update",
                        "registry.employment",
                        str(job[1]),
                        f"{group[0].full_name} @ {org_names.get(job[2], '')}",
                        {"ended_on": [None, end.isoformat()]},
                        source,
                    )
                )
            for r, primary in plan.opened:
                new_jobs.append((person_id, r, primary))
                if primary:
                    current_organisation = r.organisation_id
                changed.add(r.line)
            first = group[0]
            old_person = found[2:7]
            new_person = first.person_values()
            if new_person != old_person or current_organisation != found[7]:
                if new_person != old_person:
                    audit.append(
                        (
                            actor,
                            "update",
                            "registry.person",
                            str(person_id),
                            first.full_name,
                            diff(
                                dict(zip(PERSON_FIELDS, old_person, strict=True)),
                                dict(zip(PERSON_FIELDS, new_person, strict=True)),
                            ),
                            source,
                        )
                    )
                person_updates.append(
                    (person_id, *new_person, first.search_key, current_organisation, now)
                )
                changed.add(first.line)
            updated += len(changed)
            unchanged += len(group) - len(changed)

        if new_people:
            ids = writer.insert(
                Person,
                (
                    "iin",
                    "surname",
                    "given_name",
                    "patronymic",
                    "birth_date",
                    "sex",
                    "email",
                    "phone",
                    "search_key",
                    "current_organisation_id",
                    "created_at",
                    "updated_at",
                ),
                [
                    (
                        r.iin,
                        r.surname,
                        r.given_name,
                        r.patronymic,
                        r.birth_date,
                        r.sex,
                        r.email,
                        r.phone,
                        r.search_key,
                        r.organisation_id,
                        now,
                        now,
                    )
                    for r in new_people
                ],
            )
            new_ids: dict[str, int] = {}
            for person_id, r in zip(ids, new_people, strict=True):
                new_ids[r.iin] = person_id
                audit.append(
                    (
                        actor,
                        "import",
                        "registry.person",
                        str(person_id),
                        r.full_name,
                        dict(zip(PERSON_FIELDS, r.person_values(), strict=True)),
                        source,
                    )
                )
                new_jobs.append((person_id, r, True))
            new_jobs = [
                (new_ids[r.iin] if person_id == -1 else person_id, r, primary)
                for person_id, r, primary in new_jobs
            ]
        # Close before opening: a person has at most one open main job, and one open job
        # per organisation.
        writer.update(Employment, ("ended_on", "updated_at"), closed_jobs)
        if new_jobs:
            job_ids = writer.insert(
                Employment,
                (
                    "person_id",
                    "organisation_id",
                    *EMPLOYMENT_FIELDS,
                    "started_on",
                    "ended_on",
                    "is_primary",
                    "created_at",
                    "updated_at",
                ),
                [
                    (
                        person_id,
                        r.organisation_id,
                        *r.job_values(),
                        r.started_on,
                        None,
                        primary,
                        now,
                        now,
                    )
                    for person_id, r, primary in new_jobs
                ],
            )
            for job_id, (_person_id, r, primary) in zip(job_ids, new_jobs, strict=True):
                audit.append(
                    (
                        actor,
                        "import",
                        "registry.employment",
                        str(job_id),
                        f"{r.full_name} @ {org_names.get(r.organisation_id, '')}",
                        _job_changes(r, primary),
                        source,
                    )
                )
        writer.update(Employment, (*JOB_FIELDS, "updated_at"), job_updates)
        writer.update(
            Person,
            (*PERSON_FIELDS, "search_key", "current_organisation_id", "updated_at"),
            person_updates,
        )
        writer.audit(audit, at=now)  # type: ignore[arg-type]
        return created, updated, unchanged


class Plan(NamedTuple):
    found: tuple[Any, ...] | None  # the registry's row of the person (None: a new person)
    rows: list[PersonRow]
    updates: list[tuple[tuple[Any, ...], PersonRow]]  # (open job, row) updated in place
    opened: list[tuple[PersonRow, bool]]  # (row, is main job) opened
    closed: list[tuple[tuple[Any, ...], date]]  # (job, last day) ended


NAME_COLUMNS = ("surname", "given_name", "patronymic")
# person_id, id, organisation_id, started_on, ended_on, is_primary, then EMPLOYMENT_FIELDS
JOB_COLUMNS = (
    "person_id",
    "id",
    "organisation_id",
    "started_on",
    "ended_on",
    "is_primary",
    *EMPLOYMENT_FIELDS,
)
JOB_FIELDS = (*EMPLOYMENT_FIELDS, "started_on")


def _groups(chunk: list[PersonRow]) -> list[list[PersonRow]]:
    """Rows of one IIN together, the main (first in the file) first."""
    groups: dict[str, list[PersonRow]] = {}
    for r in chunk:
        group = groups.get(r.iin)
        if group is None:
            groups[r.iin] = [r]
        else:
            group.append(r)
    result = list(groups.values())
    for group in result:
        if len(group) > 1:
            group.sort(key=lambda r: not r.is_primary)
    return result


def _full_name(parts: tuple[str, ...]) -> str:
    return " ".join(p for p in parts if p)


def _job_changes(r: PersonRow, primary: bool = True) -> dict[str, Any]:
    """What employment_set records for a new employment."""
    return {
        "organisation": r.organisation_id,
        "is_primary": primary,
        "position": r.position,
        "subjects": r.subjects,
        "level": r.level,
        "category": r.category,
        "category_awarded_on": r.category_awarded_on.isoformat() if r.category_awarded_on else None,
        "category_due_on": r.category_due_on.isoformat() if r.category_due_on else None,
        "experience_years": r.experience_years,
    }
