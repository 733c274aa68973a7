"""People with their current employment: checked row by row, upserted by IIN.

The rules are those of the single-record services: ``clean_iin`` (IIN, and agreement with a
birth date or sex column), ``clean_name``, ``category_due``, the search key of
``person_search_key`` and the employment history of ``employment_set`` (same organisation:
the open record is updated; another organisation: it is closed the day before the new start
and a new one is opened).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
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
from kaskad.registry.names import fold
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
        self.seen: dict[str, int] = {}  # IIN → first line
        self.flagged: set[int] = set()  # first lines already reported as duplicates
        self.search_keys = SearchKeys()
        self.areas = AreaIndex()
        self.organisations: dict[str, OrganisationRef] = {}
        self.organisation_names: dict[int, str] = {}
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
        if iin:
            first = self.seen.get(iin)
            if first is None:
                self.seen[iin] = line
            else:
                self.error(
                    line,
                    "iin",
                    iin_raw,
                    "duplicate_iin",
                    _(
                        "The IIN %(iin)s is also on line %(other)s: each person may appear only "
                        "once in a file."
                    )
                    % {"iin": iin, "other": first},
                )
                if first not in self.flagged:
                    self.flagged.add(first)
                    self.error(
                        first,
                        "iin",
                        iin,
                        "duplicate_iin",
                        _(
                            "The IIN %(iin)s is also on line %(other)s: each person may appear "
                            "only once in a file."
                        )
                        % {"iin": iin, "other": line},
                    )

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
            )
        )

    # --- writing ---------------------------------------------------------------------------

    def write(self, writer: BulkWriter) -> tuple[int, int, int]:
        total = len(self.rows)
        counts = [0, 0, 0]
        self.context.progress("writing", 0, total)
        for start in range(0, total, WRITE_CHUNK):
            chunk = self.rows[start : start + WRITE_CHUNK]
            created, updated, unchanged = self._write_chunk(writer, chunk)
            counts[0] += created
            counts[1] += updated
            counts[2] += unchanged
            self.context.progress("writing", start + len(chunk), total)
        return counts[0], counts[1], counts[2]

    def _write_chunk(self, writer: BulkWriter, chunk: list[PersonRow]) -> tuple[int, int, int]:
        context = self.context
        now = context.now
        actor = context.actor_id
        source = context.source
        org_names = self.organisation_names
        existing = {
            row[1]: row
            for row in writer.select_in(
                Person,
                ("id", "iin", *PERSON_FIELDS, "current_organisation_id"),
                "iin",
                [r.iin for r in chunk],
            )
        }
        open_jobs = {
            row[0]: row
            for row in writer.select_in(
                Employment,
                ("person_id", "id", "organisation_id", "started_on", *EMPLOYMENT_FIELDS),
                "person_id",
                [row[0] for row in existing.values()],
                null="ended_on",
            )
        }
        new_people: list[PersonRow] = []
        new_jobs: list[tuple[int, PersonRow, date]] = []
        closed_jobs: list[tuple[int, date, Any]] = []
        job_updates: list[tuple[Any, ...]] = []
        person_updates: list[tuple[Any, ...]] = []
        audit: list[AuditRow] = []
        updated = unchanged = 0

        for r in chunk:
            found = existing.get(r.iin)
            if found is None:
                new_people.append(r)
                continue
            person_id = found[0]
            old_person = found[2:7]
            current_organisation = found[7]
            changed = False
            job = open_jobs.get(person_id)
            if job is not None and job[2] == r.organisation_id:
                old_job = job[4:]
                new_job = r.job_values()
                if old_job != new_job:
                    changes = diff(
                        dict(zip(EMPLOYMENT_FIELDS, old_job, strict=True)),
                        dict(zip(EMPLOYMENT_FIELDS, new_job, strict=True)),
                    )
                    job_updates.append((job[1], *new_job, now))
                    audit.append(
                        (
                            actor,
                            "update",
                            "registry.employment",
                            str(job[1]),
                            f"{r.full_name} @ {org_names.get(r.organisation_id, '')}",
                            changes,
                            source,
                        )
                    )
                    changed = True
            else:
                if job is not None:
                    end = max(job[3], r.started_on - ONE_DAY)
                    closed_jobs.append((job[1], end, now))
                    audit.append(
                        (
                            actor,
                            "update",
                            "registry.employment",
                            str(job[1]),
                            f"{r.full_name} @ {org_names.get(job[2], '')}",
                            {"ended_on": [None, end.isoformat()]},
                            source,
                        )
                    )
                    begin = max(r.started_on, end + ONE_DAY)
                else:
                    begin = r.started_on
                new_jobs.append((person_id, r, begin))
                current_organisation = r.organisation_id
                changed = True
            new_person = r.person_values()
            if new_person != old_person or current_organisation != found[7]:
                if new_person != old_person:
                    audit.append(
                        (
                            actor,
                            "update",
                            "registry.person",
                            str(person_id),
                            r.full_name,
                            diff(
                                dict(zip(PERSON_FIELDS, old_person, strict=True)),
                                dict(zip(PERSON_FIELDS, new_person, strict=True)),
                            ),
                            source,
                        )
                    )
                person_updates.append(
                    (person_id, *new_person, r.search_key, current_organisation, now)
                )
                changed = True
            if changed:
                updated += 1
            else:
                unchanged += 1

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
            for person_id, r in zip(ids, new_people, strict=True):
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
                new_jobs.append((person_id, r, r.started_on))
        # Close before opening: a person has at most one open employment.
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
                    "created_at",
                    "updated_at",
                ),
                [
                    (person_id, r.organisation_id, *r.job_values(), begin, None, now, now)
                    for person_id, r, begin in new_jobs
                ],
            )
            for job_id, (_person_id, r, _begin) in zip(job_ids, new_jobs, strict=True):
                audit.append(
                    (
                        actor,
                        "import",
                        "registry.employment",
                        str(job_id),
                        f"{r.full_name} @ {org_names.get(r.organisation_id, '')}",
                        _job_changes(r),
                        source,
                    )
                )
        writer.update(Employment, (*EMPLOYMENT_FIELDS, "updated_at"), job_updates)
        writer.update(
            Person,
            (*PERSON_FIELDS, "search_key", "current_organisation_id", "updated_at"),
            person_updates,
        )
        writer.audit(audit, at=now)  # type: ignore[arg-type]
        return len(new_people), updated, unchanged


def _job_changes(r: PersonRow) -> dict[str, Any]:
    """What employment_set records for a new employment."""
    return {
        "organisation": r.organisation_id,
        "position": r.position,
        "subjects": r.subjects,
        "level": r.level,
        "category": r.category,
        "category_awarded_on": r.category_awarded_on.isoformat() if r.category_awarded_on else None,
        "category_due_on": r.category_due_on.isoformat() if r.category_due_on else None,
        "experience_years": r.experience_years,
    }
