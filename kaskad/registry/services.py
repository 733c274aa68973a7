"""Writes to the registry. The UI, the API, imports and the seed generator all come here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext

from kaskad.core.audit import audit_record, diff
from kaskad.core.errors import DomainError
from kaskad.registry.choices import BIN_OPTIONAL_KINDS, CATEGORY_TERM_YEARS, Country, Sex
from kaskad.registry.identifiers import IdentifierError, parse_bin, parse_document, parse_iin
from kaskad.registry.messages import message_for
from kaskad.registry.models import Area, District, Employment, Organisation, Person
from kaskad.registry.names import check_name, fold

if TYPE_CHECKING:
    from kaskad.accounts.models import User


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def category_due(awarded_on: date | None) -> date | None:
    """Attestation is due five years after the category was awarded."""
    return add_years(awarded_on, CATEGORY_TERM_YEARS) if awarded_on else None


def person_search_key(surname: str, given_name: str, patronymic: str) -> str:
    return fold(" ".join(p for p in (surname, given_name, patronymic) if p))


def clean_name(value: str, *, field: str, required: bool = True) -> str:
    if not value.strip() and not required:
        return ""
    result = check_name(value)
    if result.error:
        raise DomainError(result.error, message_for(result.error, result.params), field=field)
    return result.value


def clean_iin(value: str, *, birth_date: date | None = None, sex: str = "") -> tuple[str, Any]:
    try:
        info = parse_iin(value)
    except IdentifierError as exc:
        raise DomainError(exc.code, message_for(exc.code, exc.params), field="iin") from exc
    if birth_date is not None and birth_date != info.birth_date:
        raise DomainError(
            "iin_birth_date_mismatch",
            message_for(
                "iin_birth_date_mismatch",
                {"given": birth_date.isoformat(), "expected": info.birth_date.isoformat()},
            ),
            field="birth_date",
        )
    if sex and sex != info.sex:
        raise DomainError(
            "iin_sex_mismatch",
            message_for("iin_sex_mismatch", {"given": sex, "expected": info.sex}),
            field="sex",
        )
    return info.iin, info


@dataclass
class PersonData:
    iin: str
    surname: str
    given_name: str
    patronymic: str = ""
    email: str = ""
    phone: str = ""


PERSON_FIELDS = ("surname", "given_name", "patronymic", "email", "phone")


@transaction.atomic
def person_upsert(
    *, data: PersonData, by: User | None = None, source: str = ""
) -> tuple[Person, bool]:
    """Create a person or update the changed fields; returns (person, changed)."""
    iin, info = clean_iin(data.iin)
    values = {
        "surname": clean_name(data.surname, field="surname"),
        "given_name": clean_name(data.given_name, field="given_name"),
        "patronymic": clean_name(data.patronymic, field="patronymic", required=False),
        "email": data.email.strip(),
        "phone": data.phone.strip(),
    }
    person = Person.objects.select_for_update().filter(iin=iin).first()
    if person is None:
        person = Person.objects.create(
            iin=iin,
            birth_date=info.birth_date,
            sex=info.sex,
            search_key=person_search_key(
                values["surname"], values["given_name"], values["patronymic"]
            ),
            **values,
        )
        audit_record(actor=by, action="create", obj=person, changes=values, source=source)
        return person, True
    before = {f: getattr(person, f) for f in PERSON_FIELDS}
    changes = diff(before, values)
    if not changes:
        return person, False
    for field_name, value in values.items():
        setattr(person, field_name, value)
    person.search_key = person_search_key(person.surname, person.given_name, person.patronymic)
    person.save()
    audit_record(actor=by, action="update", obj=person, changes=changes, source=source)
    return person, True


def _clean_foreign_name(value: str, *, field: str, required: bool = True) -> str:
    """Names from documents abroad keep their own alphabet (Turkmen ý, ň, ž…): any letters,
    spaces, hyphens and apostrophes."""
    text = " ".join(value.split())
    if not text:
        if not required:
            return ""
        raise DomainError("name_empty", message_for("name_empty"), field=field)
    for ch in text:
        if not (ch.isalpha() or ch in " -'’."):
            raise DomainError(
                "name_bad_char", message_for("name_bad_char", {"char": ch}), field=field
            )
    return text


@dataclass
class ForeignPersonData:
    """A participant without an IIN (docs/adr/0005-participants-without-iin.md)."""

    document_type: str
    document_number: str
    document_country: str
    surname: str
    given_name: str
    birth_date: date
    sex: str
    patronymic: str = ""
    email: str = ""
    phone: str = ""


@transaction.atomic
def person_register_without_iin(
    *, data: ForeignPersonData, by: User | None = None, source: str = ""
) -> Person:
    """Register a participant who has no IIN by their identity document. The number is checked
    and normalised (`parse_document`); a document already registered is refused with the name
    it belongs to; nothing is written on a refusal."""
    try:
        document = parse_document(data.document_type, data.document_number, data.document_country)
    except IdentifierError as exc:
        field = "document_number"
        if exc.code.startswith("document_country"):
            field = "document_country"
        elif exc.code == "document_type":
            field = "document_type"
        raise DomainError(exc.code, message_for(exc.code, exc.params), field=field) from exc
    if document.country not in Country.values:
        raise DomainError(
            "document_country",
            message_for("document_country", {"value": document.country}),
            field="document_country",
        )
    if data.sex not in Sex.values:
        raise DomainError("sex", gettext("Choose the sex: male or female."), field="sex")
    values = {
        "surname": _clean_foreign_name(data.surname, field="surname"),
        "given_name": _clean_foreign_name(data.given_name, field="given_name"),
        "patronymic": _clean_foreign_name(data.patronymic, field="patronymic", required=False),
        "email": data.email.strip(),
        "phone": data.phone.strip(),
    }
    other = (
        Person.objects.select_for_update()
        .filter(
            iin__isnull=True,
            document_country=document.country,
            document_type=document.document_type,
            document_number=document.number,
        )
        .first()
    )
    if other is not None:
        raise DomainError(
            "document_taken",
            message_for("document_taken", {"value": document.number, "other": other.full_name}),
            field="document_number",
        )
    person = Person.objects.create(
        iin=None,
        document_type=document.document_type,
        document_number=document.number,
        document_country=document.country,
        birth_date=data.birth_date,
        sex=data.sex,
        search_key=person_search_key(values["surname"], values["given_name"], values["patronymic"]),
        **values,
    )
    audit_record(
        actor=by,
        action="create",
        obj=person,
        changes={
            **values,
            "document_type": document.document_type,
            "document_country": document.country,
            "document_number": document.number,
        },
        source=source,
    )
    return person


@transaction.atomic
def person_change(
    *,
    person: Person,
    surname: str,
    given_name: str,
    patronymic: str = "",
    email: str = "",
    phone: str = "",
    by: User | None = None,
    source: str = "",
) -> Person:
    """Change the name or contacts of a registered person, with or without an IIN."""
    if person.iin:
        changed, _ = person_upsert(
            data=PersonData(
                iin=person.iin,
                surname=surname,
                given_name=given_name,
                patronymic=patronymic,
                email=email,
                phone=phone,
            ),
            by=by,
            source=source,
        )
        return changed
    locked = Person.objects.select_for_update().get(pk=person.pk)
    values = {
        "surname": _clean_foreign_name(surname, field="surname"),
        "given_name": _clean_foreign_name(given_name, field="given_name"),
        "patronymic": _clean_foreign_name(patronymic, field="patronymic", required=False),
        "email": email.strip(),
        "phone": phone.strip(),
    }
    changes = diff({f: getattr(locked, f) for f in PERSON_FIELDS}, values)
    if changes:
        for field_name, value in values.items():
            setattr(locked, field_name, value)
        locked.search_key = person_search_key(locked.surname, locked.given_name, locked.patronymic)
        locked.save()
        audit_record(actor=by, action="update", obj=locked, changes=changes, source=source)
    return locked


@dataclass
class EmploymentData:
    organisation: Organisation
    position: str
    started_on: date
    subjects: list[str]
    level: str = ""
    category: str = "none"
    category_awarded_on: date | None = None
    experience_years: int = 0


EMPLOYMENT_FIELDS = (
    "position",
    "subjects",
    "level",
    "category",
    "category_awarded_on",
    "category_due_on",
    "experience_years",
)


def _later_start(current: Employment, started_on: date) -> DomainError:
    return DomainError(
        "employment_not_after_current",
        message_for(
            "employment_not_after_current",
            {"current": current.started_on.isoformat(), "given": started_on.isoformat()},
        ),
        field="started_on",
    )


@transaction.atomic
def employment_set(
    *, person: Person, data: EmploymentData, by: User | None = None, source: str = ""
) -> tuple[Employment, bool]:
    """Make `data` the person's main (current) job.

    Same organisation: the open record is updated, its start date included (the audit trail
    keeps the old values). Another organisation: the open record ends the day before the new
    start and a new one is opened, so the history is never overwritten. A start on or before
    the current job's start would need an invented date: refused.
    """
    values: dict[str, Any] = {
        "position": data.position,
        "subjects": list(data.subjects),
        "level": data.level,
        "category": data.category,
        "category_awarded_on": data.category_awarded_on,
        "category_due_on": category_due(data.category_awarded_on),
        "experience_years": data.experience_years,
    }
    current = (
        Employment.objects.select_for_update()
        .filter(person=person, ended_on__isnull=True, is_primary=True)
        .first()
    )
    if current is not None and current.organisation_id == data.organisation.pk:
        values["started_on"] = data.started_on
        changes = diff({f: getattr(current, f) for f in (*EMPLOYMENT_FIELDS, "started_on")}, values)
        if not changes:
            return current, False
        if "started_on" in changes:
            _check_start_after_history(person=person, employment=current, start=data.started_on)
        for key, value in values.items():
            setattr(current, key, value)
        current.save()
        audit_record(actor=by, action="update", obj=current, changes=changes, source=source)
        return current, True
    if current is not None:
        if data.started_on <= current.started_on:
            raise _later_start(current, data.started_on)
        end = data.started_on - timedelta(days=1)
        current.ended_on = end
        current.save(update_fields=["ended_on", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            obj=current,
            changes={"ended_on": [None, end.isoformat()]},
            source=source,
        )
    else:
        last_end = (
            Employment.objects.filter(person=person, is_primary=True, ended_on__isnull=False)
            .order_by("-ended_on")
            .values_list("ended_on", flat=True)
            .first()
        )
        if last_end is not None and data.started_on <= last_end:
            raise DomainError(
                "employment_overlaps_history",
                message_for(
                    "employment_overlaps_history",
                    {"end": last_end.isoformat(), "given": data.started_on.isoformat()},
                ),
                field="started_on",
            )
    # A second job at the new organisation ends where the main job there begins.
    second = (
        Employment.objects.select_for_update()
        .filter(
            person=person, organisation=data.organisation, ended_on__isnull=True, is_primary=False
        )
        .first()
    )
    if second is not None:
        if data.started_on <= second.started_on:
            raise _later_start(second, data.started_on)
        second.ended_on = data.started_on - timedelta(days=1)
        second.save(update_fields=["ended_on", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            obj=second,
            changes={"ended_on": [None, second.ended_on.isoformat()]},
            source=source,
        )
    employment = Employment.objects.create(
        person=person, organisation=data.organisation, started_on=data.started_on, **values
    )
    person.current_organisation = data.organisation
    person.save(update_fields=["current_organisation", "updated_at"])
    audit_record(
        actor=by,
        action="create",
        obj=employment,
        changes={"organisation": data.organisation.pk, **values},
        source=source,
    )
    return employment, True


def _check_start_after_history(*, person: Person, employment: Employment, start: date) -> None:
    """A corrected start may not reach back into the previous main job."""
    last_end = (
        Employment.objects.filter(person=person, is_primary=True, ended_on__isnull=False)
        .exclude(pk=employment.pk)
        .order_by("-ended_on")
        .values_list("ended_on", flat=True)
        .first()
    )
    if last_end is not None and start <= last_end:
        raise DomainError(
            "employment_overlaps_history",
            message_for(
                "employment_overlaps_history",
                {"end": last_end.isoformat(), "given": start.isoformat()},
            ),
            field="started_on",
        )


@transaction.atomic
def employment_end(*, person: Person, ended_on: date, by: User | None = None) -> Employment | None:
    """End the person's main job (second jobs stay open until they are ended themselves)."""
    current = (
        Employment.objects.select_for_update()
        .filter(person=person, ended_on__isnull=True, is_primary=True)
        .first()
    )
    if current is None:
        return None
    if ended_on < current.started_on:
        raise DomainError("employment_end_before_start", "The end is before the start.")
    current.ended_on = ended_on
    current.save(update_fields=["ended_on", "updated_at"])
    person.current_organisation = None
    person.save(update_fields=["current_organisation", "updated_at"])
    audit_record(
        actor=by, action="update", obj=current, changes={"ended_on": [None, str(ended_on)]}
    )
    return current


@dataclass
class OrganisationData:
    code: str
    name_kk: str
    name_ru: str
    kind: str
    area: Area
    locality: str
    bin: str = ""
    name_en: str = ""
    district: District | None = None
    is_ungraded: bool = False
    languages: list[str] | None = None
    is_open: bool = True


ORGANISATION_FIELDS = (
    "bin",
    "name_kk",
    "name_ru",
    "name_en",
    "kind",
    "area",
    "district",
    "locality",
    "is_ungraded",
    "languages",
    "is_open",
)


def clean_bin(value: str, *, kind: str) -> str | None:
    value = value.strip()
    if not value:
        if kind in BIN_OPTIONAL_KINDS:
            return None
        raise DomainError("bin_required", message_for("bin_required"), field="bin")
    try:
        return parse_bin(value)
    except IdentifierError as exc:
        raise DomainError(exc.code, message_for(exc.code, exc.params), field="bin") from exc


@transaction.atomic
def organisation_upsert(
    *, data: OrganisationData, by: User | None = None, source: str = ""
) -> tuple[Organisation, bool]:
    """Create or update an organisation, matched by BIN when it has one, else by code."""
    bin_value = clean_bin(data.bin, kind=data.kind)
    values: dict[str, Any] = {
        "bin": bin_value,
        "name_kk": data.name_kk.strip(),
        "name_ru": data.name_ru.strip(),
        "name_en": data.name_en.strip(),
        "kind": data.kind,
        "area": data.area,
        "district": data.district,
        "locality": data.locality,
        "is_ungraded": data.is_ungraded,
        "languages": list(data.languages or []),
        "is_open": data.is_open,
    }
    existing = None
    if bin_value:
        existing = Organisation.objects.select_for_update().filter(bin=bin_value).first()
    if existing is None:
        existing = Organisation.objects.select_for_update().filter(code=data.code).first()
        if existing is not None and existing.bin and bin_value and existing.bin != bin_value:
            raise DomainError(
                "bin_taken", message_for("bin_taken", {"other": existing.code}), field="bin"
            )
    if existing is None:
        organisation = Organisation.objects.create(code=data.code, name=values["name_kk"], **values)
        audit_record(actor=by, action="create", obj=organisation, changes=values, source=source)
        return organisation, True
    values["code"] = data.code
    before = {f: getattr(existing, f) for f in (*ORGANISATION_FIELDS, "code")}
    changes = diff(before, values)
    if not changes:
        return existing, False
    for key, value in values.items():
        setattr(existing, key, value)
    existing.save()
    audit_record(actor=by, action="update", obj=existing, changes=changes, source=source)
    return existing, True
