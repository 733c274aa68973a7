"""Cohorts: creation, status transitions with their date guard rails, capacity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import User
from kaskad.catalogue.models import Format, ProgrammeVersion, VersionStatus
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, PermissionDeniedError, StateConflict
from kaskad.core.localised import quoted
from kaskad.delivery.models import COHORT_TRANSITIONS, Cohort, CohortStatus
from kaskad.delivery.permissions import manages_branch
from kaskad.delivery.services._common import (
    _require_editable,
    _require_manager,
    _status_label,
)
from kaskad.delivery.services.completion import _complete
from kaskad.delivery.services.waitlist import _promote
from kaskad.registry.choices import Country, Language
from kaskad.registry.models import Branch

# --- Cohorts ------------------------------------------------------------------------------------


@dataclass
class CohortData:
    version: ProgrammeVersion
    branch: Branch
    format: str
    language: str
    starts_on: date
    ends_on: date
    capacity: int | None
    code: str = ""
    # ISO code of the country a cohort is delivered in abroad; blank: in Kazakhstan.
    abroad_country: str = ""


def _choice_labels(values: Sequence[str], choices: Any) -> str:
    labels = dict(choices)
    return ", ".join(str(labels.get(v, v)) for v in values) or "—"


def _check_cohort_data(data: CohortData) -> None:
    version = data.version
    if version.status != VersionStatus.APPROVED:
        raise DomainError(
            "version_not_approved",
            _(
                "Version %(version)s of the programme is %(status)s: a cohort needs an approved "
                "version."
            )
            % {"version": version.number, "status": version.get_status_display()},
            field="version",
        )
    if data.format not in (version.formats or []):
        raise DomainError(
            "format_not_allowed",
            _(
                "The format “%(format)s” is not allowed by this programme version; allowed: "
                "%(allowed)s."
            )
            % {
                "format": _choice_labels([data.format], Format.choices),
                "allowed": _choice_labels(version.formats or [], Format.choices),
            },
            field="format",
        )
    if data.language not in (version.languages or []):
        raise DomainError(
            "language_not_allowed",
            _(
                "The language “%(language)s” is not offered by this programme version; offered: "
                "%(allowed)s."
            )
            % {
                "language": _choice_labels([data.language], Language.choices),
                "allowed": _choice_labels(version.languages or [], Language.choices),
            },
            field="language",
        )
    if data.format == Format.SELF_PACED:
        if data.capacity is not None:
            raise DomainError(
                "capacity_not_for_self_paced",
                _("A self-paced cohort takes everyone: leave the capacity empty."),
                field="capacity",
            )
    elif data.capacity is None:
        raise DomainError(
            "capacity_required",
            _("Give the number of seats: only self-paced cohorts have no capacity."),
            field="capacity",
        )
    elif data.capacity < 1:
        raise DomainError(
            "capacity_too_small", _("The capacity must be at least 1."), field="capacity"
        )
    if data.ends_on < data.starts_on:
        raise DomainError(
            "ends_before_start",
            _("The cohort ends (%(ends)s) before it starts (%(starts)s).")
            % {
                "ends": date_format(data.ends_on, "SHORT_DATE_FORMAT"),
                "starts": date_format(data.starts_on, "SHORT_DATE_FORMAT"),
            },
            field="ends_on",
        )


def _next_code(data: CohortData) -> str:
    prefix = f"{data.version.programme.code}-{data.branch.code}-{data.starts_on:%Y%m}"
    taken = set(Cohort.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    number = 1
    while f"{prefix}-{number}" in taken:
        number += 1
    return f"{prefix}-{number}"


def cohort_create(*, data: CohortData, by: User) -> Cohort:
    """A new planned cohort. The code is generated when not given
    (`<programme>-<branch>-<YYYYMM>-<n>`)."""
    if not manages_branch(by, data.branch.pk):
        raise PermissionDeniedError(
            "branch_out_of_scope",
            _("You can create cohorts only for your own branch."),
            field="branch",
        )
    _check_cohort_data(data)
    abroad = (data.abroad_country or "").strip().upper()
    if abroad and (abroad == "KZ" or abroad not in Country.values):
        raise DomainError(
            "abroad_country",
            _("“%(value)s” is not a country abroad: choose one from the list or leave it empty.")
            % {"value": data.abroad_country},
            field="abroad_country",
        )
    code = data.code.strip()
    if code and Cohort.objects.filter(code=code).exists():
        raise DomainError(
            "code_taken", _("The code %(code)s is already used.") % {"code": code}, field="code"
        )
    for _attempt in range(5):
        candidate = code or _next_code(data)
        try:
            with transaction.atomic():
                cohort = Cohort.objects.create(
                    code=candidate,
                    version=data.version,
                    branch=data.branch,
                    format=data.format,
                    language=data.language,
                    starts_on=data.starts_on,
                    ends_on=data.ends_on,
                    capacity=data.capacity,
                    abroad_country=abroad,
                    created_by=by if getattr(by, "pk", None) else None,
                )
                audit_record(
                    actor=by,
                    action="create",
                    obj=cohort,
                    changes={
                        "version": data.version.pk,
                        "branch": data.branch.pk,
                        "format": data.format,
                        "language": data.language,
                        "starts_on": data.starts_on,
                        "ends_on": data.ends_on,
                        "capacity": data.capacity,
                        "abroad_country": abroad,
                    },
                )
                return cohort
        except IntegrityError:
            # Another coordinator took the same generated code a moment ago: try the next.
            if code:
                raise DomainError(
                    "code_taken",
                    _("The code %(code)s is already used.") % {"code": code},
                    field="code",
                ) from None
    raise StateConflict("code_busy", _("Could not find a free cohort code: try again."))


def _first_day(cohort: Cohort) -> date:
    first = cohort.sessions.order_by("date").values_list("date", flat=True).first()
    return first or cohort.starts_on


def _last_day(cohort: Cohort) -> date:
    last = cohort.sessions.order_by("-date").values_list("date", flat=True).first()
    return last or cohort.ends_on


def _check_dates(cohort: Cohort, status: str, early_start_reason: str) -> None:
    """The calendar rules of a status change: a course starts on (or after) its first day unless
    the manager gives a reason, and it cannot finish before its last session's day."""
    today = timezone.localdate()
    if status == CohortStatus.RUNNING:
        first = _first_day(cohort)
        if today < first and not early_start_reason.strip():
            raise StateConflict(
                "start_too_early",
                _(
                    "Cohort %(cohort)s cannot start before its first day (%(day)s). To start it "
                    "early, give the reason."
                )
                % {"cohort": cohort.code, "day": date_format(first, "SHORT_DATE_FORMAT")},
                field="early_start_reason",
            )
    if status == CohortStatus.FINISHED:
        last = _last_day(cohort)
        if today < last:
            raise StateConflict(
                "finish_too_early",
                _(
                    "Cohort %(cohort)s cannot finish before its last session's day (%(day)s): "
                    "completion is decided once every session has taken place."
                )
                % {"cohort": cohort.code, "day": date_format(last, "SHORT_DATE_FORMAT")},
                field="status",
            )


def cohort_set_status(
    *, cohort: Cohort, status: str, by: User, early_start_reason: str = ""
) -> Cohort:
    """Move a cohort along planned → open → running → finished → closed (or back from open to
    planned). Finishing it decides every participant's completion.

    A cohort starts no earlier than its first session's day (its start date when it has no
    sessions) unless `early_start_reason` says why; the reason goes into the audit record. It
    finishes no earlier than its last session's day (its end date without sessions)."""
    _require_manager(by, cohort)
    if status not in CohortStatus.values:
        raise DomainError(
            "unknown_status",
            _("“%(status)s” is not a cohort status; use one of: %(allowed)s.")
            % {"status": status, "allowed": ", ".join(CohortStatus.values)},
            field="status",
        )
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().select_related("version").get(pk=cohort.pk)
        allowed = COHORT_TRANSITIONS[locked.status]
        if status not in allowed:
            if not allowed:
                message = _("Cohort %(cohort)s is %(from)s: its status can no longer change.")
            else:
                message = _(
                    "Cohort %(cohort)s cannot go from “%(from)s” to “%(to)s”; from “%(from)s” "
                    "it can only go to: %(allowed)s."
                )
            raise StateConflict(
                "illegal_transition",
                message
                % {
                    "cohort": locked.code,
                    "from": _status_label(locked.status),
                    "to": _status_label(status),
                    "allowed": ", ".join(quoted(_status_label(s)) for s in sorted(allowed)),
                },
                field="status",
            )
        _check_dates(locked, status, early_start_reason)
        before = locked.status
        if status == CohortStatus.FINISHED:
            _complete(locked, by=by)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        changes: dict[str, Any] = {"status": [before, status]}
        if status == CohortStatus.RUNNING and timezone.localdate() < _first_day(locked):
            changes["early_start_reason"] = early_start_reason.strip()
        audit_record(actor=by, action="update", obj=locked, changes=changes)
    return locked


def cohort_set_capacity(*, cohort: Cohort, capacity: int | None, by: User) -> Cohort:
    """Change the number of seats; more seats promote people from the waitlist at once."""
    _require_manager(by, cohort)
    _require_editable(cohort)
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().select_related("version").get(pk=cohort.pk)
        if locked.format == Format.SELF_PACED:
            if capacity is not None:
                raise DomainError(
                    "capacity_not_for_self_paced",
                    _("A self-paced cohort takes everyone: leave the capacity empty."),
                    field="capacity",
                )
            return locked
        if capacity is None or capacity < 1:
            raise DomainError(
                "capacity_required", _("The capacity must be at least 1."), field="capacity"
            )
        if capacity < locked.enrolled_count:
            raise StateConflict(
                "capacity_below_enrolled",
                _("%(enrolled)s people are already enrolled: the capacity cannot be less.")
                % {"enrolled": locked.enrolled_count},
                field="capacity",
            )
        before = locked.capacity
        locked.capacity = capacity
        locked.save(update_fields=["capacity", "updated_at"])
        audit_record(
            actor=by, action="update", obj=locked, changes={"capacity": [before, capacity]}
        )
        _promote(locked, by=by)
    return locked
