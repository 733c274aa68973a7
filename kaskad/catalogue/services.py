"""Writes to the catalogue: programmes and their versions, quality certification, the annual
plan. The pages, the API and `manage.py seed_catalogue` all come here.

Versions: a programme starts with draft version 1; only drafts are edited; approving a draft
freezes it and retires the version approved before it; a revision copies the approved
version (with its modules) into a new draft. Cohorts point at a version, so a revision never
changes what a running cohort follows.

`by` is the acting user. `None` stands for the system itself (data migrations, the seed
command run by an operator); any user must be a national administrator for the catalogue, or
a coordinator of the branch for its annual plan.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kaskad.catalogue.models import (
    AnnualPlan,
    AssessmentScheme,
    Format,
    Programme,
    ProgrammeArea,
    ProgrammeModule,
    ProgrammeVersion,
    QualityCertification,
    VersionStatus,
)
from kaskad.catalogue.permissions import (
    can_edit_plan,
    can_manage_catalogue,
)
from kaskad.core.audit import audit_record, diff
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError
from kaskad.registry.choices import Language, Level, Position
from kaskad.registry.models import Branch
from kaskad.registry.services import add_years

if TYPE_CHECKING:
    from kaskad.accounts.models import User

LANGUAGES = ("kk", "ru", "en")
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
CERTIFICATION_TERM_YEARS = 3
MAX_HOURS = 2000  # a year of full-time study; anything above is a typing error
TITLE_MAX = 300
MAX_PLAN_YEAR = 2100
MIN_PLAN_YEAR = 2000


class IncompleteVersionError(DomainError):
    """A draft cannot be approved yet; `details` names every missing field."""

    def __init__(self, missing: Sequence[tuple[str, str]]) -> None:
        labels = ", ".join(label for _name, label in missing)
        super().__init__(
            "version_incomplete",
            _("The version cannot be approved until these are filled in: %(fields)s.")
            % {"fields": labels},
            field=missing[0][0] if missing else None,
        )
        self.missing = [name for name, _label in missing]
        self.details = [
            {"field": name, "code": "required", "message": str(_("This value is required."))}
            for name, _label in missing
        ]


# --- Input -------------------------------------------------------------------------------------


@dataclass
class ModuleData:
    title_kk: str = ""
    title_ru: str = ""
    title_en: str = ""
    hours: int = 0


@dataclass
class VersionData:
    """The content of a version. `modules=None` leaves the modules as they are (on update)."""

    title_kk: str = ""
    title_ru: str = ""
    title_en: str = ""
    description_kk: str = ""
    description_ru: str = ""
    description_en: str = ""
    audience_positions: list[str] = field(default_factory=list)
    audience_levels: list[str] = field(default_factory=list)
    hours: int = 0
    formats: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    assessment_scheme: str = AssessmentScheme.PORTFOLIO
    min_attendance_percent: int = 80
    modules: list[ModuleData] | None = None

    @classmethod
    def from_version(cls, version: ProgrammeVersion) -> VersionData:
        return cls(
            **{name: getattr(version, name) or "" for name in _TEXT_FIELDS},
            audience_positions=list(version.audience_positions or []),
            audience_levels=list(version.audience_levels or []),
            hours=version.hours,
            formats=list(version.formats or []),
            languages=list(version.languages or []),
            assessment_scheme=version.assessment_scheme,
            min_attendance_percent=version.min_attendance_percent,
            modules=[
                ModuleData(
                    title_kk=m.title_kk or "",  # type: ignore[attr-defined]
                    title_ru=m.title_ru or "",  # type: ignore[attr-defined]
                    title_en=m.title_en or "",  # type: ignore[attr-defined]
                    hours=m.hours,
                )
                for m in version.modules.all()
            ],
        )


_TEXT_FIELDS = tuple(f"{name}_{lang}" for name in ("title", "description") for lang in LANGUAGES)
_LIST_FIELDS = ("audience_positions", "audience_levels", "formats", "languages")
_NUMBER_FIELDS = ("hours", "assessment_scheme", "min_attendance_percent")
VERSION_FIELDS = (*_TEXT_FIELDS, *_LIST_FIELDS, *_NUMBER_FIELDS)


def _label(model: Any, name: str) -> str:
    """The field's name as a reader sees it ("Title (Kazakh)")."""
    for suffix, language in (("_kk", _("Kazakh")), ("_ru", _("Russian")), ("_en", _("English"))):
        if name.endswith(suffix):
            base = model._meta.get_field(name[: -len(suffix)]).verbose_name
            return f"{capfirst(str(base))} ({language})"
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _invalid(code: str, message: str | Promise, field_name: str) -> DomainError:
    return DomainError(code, message, field=field_name)


def _clean_choices(values: Sequence[str], allowed: Any, field_name: str) -> list[str]:
    known = {str(v) for v in allowed.values}
    cleaned: list[str] = []
    for value in values:
        value = str(value).strip()
        if value not in known:
            raise _invalid(
                "invalid_choice",
                _("“%(value)s” is not one of the allowed values: %(choices)s.")
                % {"value": value, "choices": ", ".join(sorted(known))},
                field_name,
            )
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def _clean_modules(modules: Sequence[ModuleData], hours: int) -> list[ModuleData]:
    cleaned: list[ModuleData] = []
    for number, module in enumerate(modules, start=1):
        titles = {lang: getattr(module, f"title_{lang}").strip() for lang in LANGUAGES}
        if not any(titles.values()):
            raise _invalid(
                "module_title_missing",
                _("Module %(number)s has no title.") % {"number": number},
                "modules",
            )
        if any(len(t) > TITLE_MAX for t in titles.values()):
            raise _invalid(
                "too_long",
                _("The title of module %(number)s is longer than %(limit)s characters.")
                % {"number": number, "limit": TITLE_MAX},
                "modules",
            )
        if not isinstance(module.hours, int) or module.hours <= 0 or module.hours > MAX_HOURS:
            raise _invalid(
                "module_hours",
                _("Module %(number)s must have between 1 and %(limit)s hours.")
                % {"number": number, "limit": MAX_HOURS},
                "modules",
            )
        cleaned.append(
            ModuleData(**{f"title_{k}": v for k, v in titles.items()}, hours=module.hours)
        )
    total = sum(m.hours for m in cleaned)
    if cleaned and total != hours:
        raise _invalid(
            "module_hours_sum",
            _(
                "The modules add up to %(total)s hours but the programme has %(hours)s: "
                "the two must be equal."
            )
            % {"total": total, "hours": hours},
            "modules",
        )
    return cleaned


def clean_version_data(data: VersionData) -> tuple[dict[str, Any], list[ModuleData] | None]:
    """Check that every value is well formed (a draft may still be incomplete)."""
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        text = (getattr(data, name) or "").strip()
        if name.startswith("title_") and len(text) > TITLE_MAX:
            raise _invalid(
                "too_long",
                _("Must be at most %(limit)s characters long.") % {"limit": TITLE_MAX},
                name,
            )
        values[name] = text
    values["audience_positions"] = _clean_choices(
        data.audience_positions, Position, "audience_positions"
    )
    values["audience_levels"] = _clean_choices(data.audience_levels, Level, "audience_levels")
    values["formats"] = _clean_choices(data.formats, Format, "formats")
    values["languages"] = _clean_choices(data.languages, Language, "languages")
    if data.assessment_scheme not in AssessmentScheme.values:
        raise _invalid(
            "invalid_choice",
            _("“%(value)s” is not one of the allowed values: %(choices)s.")
            % {"value": data.assessment_scheme, "choices": ", ".join(AssessmentScheme.values)},
            "assessment_scheme",
        )
    values["assessment_scheme"] = data.assessment_scheme
    if not isinstance(data.hours, int) or not 0 <= data.hours <= MAX_HOURS:
        raise _invalid(
            "hours_range",
            _("The hours must be a whole number from 1 to %(limit)s.") % {"limit": MAX_HOURS},
            "hours",
        )
    values["hours"] = data.hours
    percent = data.min_attendance_percent
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise _invalid(
            "percent_range",
            _("The minimum attendance must be a percentage from 0 to 100."),
            "min_attendance_percent",
        )
    values["min_attendance_percent"] = percent
    modules = None if data.modules is None else _clean_modules(data.modules, data.hours)
    return values, modules


def version_missing_fields(version: ProgrammeVersion) -> list[tuple[str, str]]:
    """What a version still lacks to be approved, as (field, label) pairs."""
    missing: list[tuple[str, str]] = []
    for lang in LANGUAGES:
        name = f"title_{lang}"
        if not (getattr(version, name) or "").strip():
            missing.append((name, _label(ProgrammeVersion, name)))
    if not version.hours:
        missing.append(("hours", _label(ProgrammeVersion, "hours")))
    for name in ("formats", "languages"):
        if not getattr(version, name):
            missing.append((name, _label(ProgrammeVersion, name)))
    return missing


# --- Permission ---------------------------------------------------------------------------------


def _require_catalogue_manager(by: User | None) -> None:
    if not can_manage_catalogue(by):
        raise PermissionDeniedError(
            "forbidden", _("Only national administrators may change the programme catalogue.")
        )


# --- Programmes and versions -----------------------------------------------------------------


def _write_modules(version: ProgrammeVersion, modules: Sequence[ModuleData]) -> None:
    version.modules.all().delete()
    ProgrammeModule.objects.bulk_create(
        [
            ProgrammeModule(
                version=version,
                order=order,
                title_kk=m.title_kk,
                title_ru=m.title_ru,
                title_en=m.title_en,
                hours=m.hours,
            )
            for order, m in enumerate(modules, start=1)
        ]
    )


def _modules_snapshot(modules: Sequence[ModuleData]) -> list[list[Any]]:
    return [[m.title_kk, m.title_ru, m.title_en, m.hours] for m in modules]


def clean_code(code: str) -> str:
    value = (code or "").strip().upper()
    if not CODE_PATTERN.match(value):
        raise _invalid(
            "programme_code",
            _(
                "A programme code is 1–40 characters: Latin letters, digits, dots, hyphens and "
                "underscores, starting with a letter or digit."
            ),
            "code",
        )
    return value


@transaction.atomic
def programme_create(
    *, code: str, area: ProgrammeArea, data: VersionData, by: User | None, source: str = ""
) -> Programme:
    """A new programme with its draft version 1."""
    _require_catalogue_manager(by)
    code = clean_code(code)
    values, modules = clean_version_data(data)
    if Programme.objects.filter(code=code).exists():
        raise _invalid(
            "programme_code_taken",
            _("A programme with the code %(code)s already exists.") % {"code": code},
            "code",
        )
    try:
        with transaction.atomic():
            programme = Programme.objects.create(code=code, area=area)
    except IntegrityError as exc:  # the same code created at the same moment
        raise _invalid(
            "programme_code_taken",
            _("A programme with the code %(code)s already exists.") % {"code": code},
            "code",
        ) from exc
    version = ProgrammeVersion(programme=programme, number=1, status=VersionStatus.DRAFT)
    _assign(version, values)
    version.save()
    if modules:
        _write_modules(version, modules)
    audit_record(
        actor=by,
        action="create",
        obj=programme,
        changes={"code": code, "area": area.pk},
        source=source,
    )
    audit_record(
        actor=by,
        action="create",
        obj=version,
        changes={**values, "modules": _modules_snapshot(modules or [])},
        source=source,
    )
    return programme


def _assign(version: ProgrammeVersion, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(version, name, value)
    # The untranslated `title` and `description` columns are not set here: modeltranslation
    # fills them on save from the language columns (assigning them would overwrite the
    # active language's column).


def _frozen(version: ProgrammeVersion) -> DomainError:
    return DomainError(
        "version_frozen",
        _(
            "Version %(number)s is %(status)s and can no longer be changed: "
            "start a revision to make a new draft."
        )
        % {"number": version.number, "status": version.get_status_display()},
    )


def _lock(version: ProgrammeVersion) -> ProgrammeVersion:
    return ProgrammeVersion.objects.select_for_update().get(pk=version.pk)


@transaction.atomic
def version_update(
    *, version: ProgrammeVersion, data: VersionData, by: User | None, source: str = ""
) -> ProgrammeVersion:
    """Change a draft. Approved and retired versions are frozen."""
    _require_catalogue_manager(by)
    version = _lock(version)
    if version.status != VersionStatus.DRAFT:
        raise _frozen(version)
    values, modules = clean_version_data(data)
    if modules is None and version.modules.exists():
        # Modules kept as they are must still add up to the (possibly new) hours.
        total = sum(m.hours for m in version.modules.all())
        if total != values["hours"]:
            raise _invalid(
                "module_hours_sum",
                _(
                    "The modules add up to %(total)s hours but the programme has %(hours)s: "
                    "the two must be equal."
                )
                % {"total": total, "hours": values["hours"]},
                "hours",
            )
    before = {name: getattr(version, name) for name in VERSION_FIELDS}
    changes: dict[str, Any] = diff(before, values)
    if modules is not None:
        old_modules = _modules_snapshot(VersionData.from_version(version).modules or [])
        new_modules = _modules_snapshot(modules)
        if old_modules != new_modules:
            changes["modules"] = [old_modules, new_modules]
            _write_modules(version, modules)
    if not changes:
        return version
    _assign(version, values)
    version.save()
    audit_record(actor=by, action="update", obj=version, changes=changes, source=source)
    return version


@transaction.atomic
def version_approve(
    *, version: ProgrammeVersion, by: User | None, source: str = ""
) -> ProgrammeVersion:
    """Approve a complete draft; the version approved before it is retired."""
    _require_catalogue_manager(by)
    # Lock the programme so two approvals of one programme run one after the other.
    Programme.objects.select_for_update().filter(pk=version.programme_id).first()
    version = _lock(version)
    if version.status != VersionStatus.DRAFT:
        raise DomainError(
            "version_not_draft",
            _("Only a draft can be approved; version %(number)s is %(status)s.")
            % {"number": version.number, "status": version.get_status_display()},
        )
    missing = version_missing_fields(version)
    if missing:
        raise IncompleteVersionError(missing)
    modules = list(version.modules.all())
    if modules and sum(m.hours for m in modules) != version.hours:
        raise _invalid(
            "module_hours_sum",
            _(
                "The modules add up to %(total)s hours but the programme has %(hours)s: "
                "the two must be equal."
            )
            % {"total": sum(m.hours for m in modules), "hours": version.hours},
            "modules",
        )
    for previous in ProgrammeVersion.objects.select_for_update().filter(
        programme_id=version.programme_id, status=VersionStatus.APPROVED
    ):
        previous.status = VersionStatus.RETIRED
        previous.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            obj=previous,
            changes={"status": [VersionStatus.APPROVED, VersionStatus.RETIRED]},
            source=source,
        )
    version.status = VersionStatus.APPROVED
    version.approved_at = timezone.now()
    version.approved_by = by if getattr(by, "pk", None) else None
    version.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    audit_record(
        actor=by,
        action="update",
        obj=version,
        changes={"status": [VersionStatus.DRAFT, VersionStatus.APPROVED]},
        source=source,
    )
    return version


@transaction.atomic
def programme_revise(
    *, programme: Programme, by: User | None, source: str = ""
) -> ProgrammeVersion:
    """Start version N+1 as a draft copy of the approved version (or, for a retired
    programme, of its latest version, which is how a retired programme comes back)."""
    _require_catalogue_manager(by)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    versions = ProgrammeVersion.objects.filter(programme=programme)
    if versions.filter(status=VersionStatus.DRAFT).exists():
        raise DomainError(
            "draft_exists",
            _("This programme already has a draft: edit or approve it first."),
        )
    base = (
        versions.filter(status=VersionStatus.APPROVED).first()
        or versions.order_by("-number").first()
    )
    if base is None:  # pragma: no cover - a programme is always created with a version
        raise DomainError("no_version", _("This programme has no version to revise."))
    data = VersionData.from_version(base)
    number = (versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    draft = ProgrammeVersion(programme=programme, number=number, status=VersionStatus.DRAFT)
    values, modules = clean_version_data(data)
    _assign(draft, values)
    draft.save()
    if modules:
        _write_modules(draft, modules)
    audit_record(
        actor=by,
        action="create",
        obj=draft,
        changes={"revision_of": base.number, **values},
        source=source,
    )
    return draft


@transaction.atomic
def programme_retire(*, programme: Programme, by: User | None, source: str = "") -> Programme:
    """Withdraw a programme from the catalogue: its approved version and any draft are
    retired. Cohorts already on a version keep it."""
    _require_catalogue_manager(by)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    live = list(
        ProgrammeVersion.objects.select_for_update().filter(
            programme=programme, status__in=[VersionStatus.APPROVED, VersionStatus.DRAFT]
        )
    )
    if not live:
        raise DomainError("already_retired", _("This programme is already retired."))
    for version in live:
        old = version.status
        version.status = VersionStatus.RETIRED
        version.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            obj=version,
            changes={"status": [old, VersionStatus.RETIRED]},
            source=source,
        )
    return programme


# --- Quality certification -------------------------------------------------------------------


@transaction.atomic
def certification_add(
    *,
    programme: Programme,
    body: str,
    certified_on: date,
    valid_until: date | None = None,
    note: str = "",
    by: User | None,
    source: str = "",
) -> QualityCertification:
    """Record an external certification; it is valid for three years unless said otherwise."""
    _require_catalogue_manager(by)
    body = (body or "").strip()
    if not body:
        raise _invalid("required", _("Name the certifying body."), "body")
    if len(body) > 120:
        raise _invalid(
            "too_long", _("Must be at most %(limit)s characters long.") % {"limit": 120}, "body"
        )
    until = valid_until or add_years(certified_on, CERTIFICATION_TERM_YEARS)
    if until <= certified_on:
        raise _invalid(
            "dates_reversed",
            _("“Valid until” must be later than the certification date."),
            "valid_until",
        )
    if QualityCertification.objects.filter(
        programme=programme, body__iexact=body, certified_on=certified_on
    ).exists():
        raise _invalid(
            "certification_exists",
            _("This certification is already recorded."),
            "certified_on",
        )
    certification = QualityCertification.objects.create(
        programme=programme,
        body=body,
        certified_on=certified_on,
        valid_until=until,
        note=(note or "").strip()[:300],
    )
    audit_record(
        actor=by,
        action="create",
        obj=certification,
        changes={"body": body, "certified_on": certified_on, "valid_until": until},
        source=source,
    )
    return certification


# --- Annual plan -------------------------------------------------------------------------------


def _require_plan_editor(by: User | None, branch: Branch) -> None:
    if not can_edit_plan(by, branch):
        # Another branch's plan is out of scope: it looks the same as a missing one.
        raise NotFoundError("not_found", _("Not found."))


def _clean_planned(value: Any, field_name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000_000:
        raise _invalid(
            "invalid_integer",
            _("Must be a whole number from 0 to 10,000,000."),
            field_name,
        )
    return value


def _clean_year(year: Any) -> int:
    if not isinstance(year, int) or not MIN_PLAN_YEAR <= year <= MAX_PLAN_YEAR:
        raise _invalid(
            "year_range",
            _("The year must be between %(low)s and %(high)s.")
            % {"low": MIN_PLAN_YEAR, "high": MAX_PLAN_YEAR},
            "year",
        )
    return int(year)


def _duplicate_line(year: int, branch: Branch, programme: Programme) -> DomainError:
    return _invalid(
        "plan_line_exists",
        _("The %(year)s plan of %(branch)s already has a line for %(programme)s: change that line.")
        % {"year": year, "branch": branch, "programme": programme.code},
        "programme",
    )


@transaction.atomic
def plan_line_create(
    *,
    year: int,
    branch: Branch,
    programme: Programme,
    planned_cohorts: int,
    planned_participants: int,
    by: User | None,
    source: str = "",
) -> AnnualPlan:
    _require_plan_editor(by, branch)
    year = _clean_year(year)
    values = {
        "planned_cohorts": _clean_planned(planned_cohorts, "planned_cohorts"),
        "planned_participants": _clean_planned(planned_participants, "planned_participants"),
    }
    if AnnualPlan.objects.filter(year=year, branch=branch, programme=programme).exists():
        raise _duplicate_line(year, branch, programme)
    try:
        with transaction.atomic():
            line = AnnualPlan.objects.create(
                year=year, branch=branch, programme=programme, **values
            )
    except IntegrityError as exc:
        raise _duplicate_line(year, branch, programme) from exc
    audit_record(
        actor=by,
        action="create",
        obj=line,
        changes={"year": year, "branch": branch.pk, "programme": programme.pk, **values},
        source=source,
    )
    return line


@transaction.atomic
def plan_line_update(
    *,
    line: AnnualPlan,
    planned_cohorts: int,
    planned_participants: int,
    by: User | None,
    source: str = "",
) -> AnnualPlan:
    line = AnnualPlan.objects.select_for_update().select_related("branch").get(pk=line.pk)
    _require_plan_editor(by, line.branch)
    values = {
        "planned_cohorts": _clean_planned(planned_cohorts, "planned_cohorts"),
        "planned_participants": _clean_planned(planned_participants, "planned_participants"),
    }
    changes = diff({k: getattr(line, k) for k in values}, values)
    if not changes:
        return line
    for key, value in values.items():
        setattr(line, key, value)
    line.save()
    audit_record(actor=by, action="update", obj=line, changes=changes, source=source)
    return line


@transaction.atomic
def plan_line_delete(*, line: AnnualPlan, by: User | None, source: str = "") -> None:
    line = AnnualPlan.objects.select_for_update().select_related("branch").get(pk=line.pk)
    _require_plan_editor(by, line.branch)
    audit_record(
        actor=by,
        action="delete",
        obj=line,
        changes={
            "year": line.year,
            "branch": line.branch_id,
            "programme": line.programme_id,
            "planned_cohorts": line.planned_cohorts,
            "planned_participants": line.planned_participants,
        },
        source=source,
    )
    line.delete()
