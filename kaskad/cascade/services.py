"""Writes of the trainer cascade: granting and revoking accreditations.

Who may grant: national administrators any level; a branch coordinator regional and school
levels, to people whose current organisation is in the branch's areas. `by=None` is the
system itself (seed data, imports run by an operator).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.scopes import user_scope
from kaskad.cascade.models import Accreditation, SchoolStrand, TrainerLevel
from kaskad.cascade.permissions import COORDINATOR_LEVELS, can_grant
from kaskad.cascade.selectors import related_model
from kaskad.catalogue.models import Programme, VersionStatus
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError
from kaskad.registry.models import Person

if TYPE_CHECKING:
    from kaskad.accounts.models import User

REASON_MAX = 300


# Levels a branch coordinator may grant (national trainers are the centre's own decision).
def grantable_levels(user: User | None) -> list[str]:
    """The levels a user may grant, in the order of the cascade."""
    if user is None:
        return list(TrainerLevel.values)
    scope = user_scope(user)
    if scope.national_write:
        return list(TrainerLevel.values)
    if scope.branch_ids:
        return [level for level in TrainerLevel.values if level in COORDINATOR_LEVELS]
    return []


def _check_strand(level: str, strand: str) -> str:
    if level not in TrainerLevel.values:
        raise DomainError(
            "invalid_choice",
            _("“%(value)s” is not one of the allowed values: %(choices)s.")
            % {"value": level, "choices": ", ".join(TrainerLevel.values)},
            field="level",
        )
    strand = (strand or "").strip()
    if level == TrainerLevel.SCHOOL:
        if not strand:
            raise DomainError(
                "strand_required",
                _("A school trainer or coordinator needs a strand."),
                field="strand",
            )
        if strand not in SchoolStrand.values:
            raise DomainError(
                "invalid_choice",
                _("“%(value)s” is not one of the allowed values: %(choices)s.")
                % {"value": strand, "choices": ", ".join(SchoolStrand.values)},
                field="strand",
            )
    elif strand:
        raise DomainError(
            "strand_not_allowed",
            _("Only school trainers and coordinators have a strand; leave it empty for %(level)s.")
            % {"level": TrainerLevel(level).label},
            field="strand",
        )
    return strand


def _check_earned_through(earned_through: Any, *, person: Person, programme: Programme) -> None:
    enrolment = (
        related_model("earned_through")
        ._default_manager.filter(pk=getattr(earned_through, "pk", earned_through))
        .select_related("cohort__version")
        .first()
    )
    if enrolment is None:
        raise DomainError(
            "enrolment_not_found", _("The enrolment was not found."), field="earned_through"
        )
    if enrolment.person_id != person.pk:
        raise DomainError(
            "enrolment_of_another_person",
            _("The enrolment belongs to another person: an accreditation is earned by its holder."),
            field="earned_through",
        )
    if enrolment.cohort.version.programme_id != programme.pk:
        raise DomainError(
            "enrolment_other_programme",
            _("The enrolment is in a cohort of another programme."),
            field="earned_through",
        )
    if not enrolment.is_completed:
        raise DomainError(
            "enrolment_not_completed",
            _("Only a completed course earns an accreditation; this enrolment is “%(status)s”.")
            % {"status": enrolment.get_status_display()},
            field="earned_through",
        )


@transaction.atomic
def accreditation_grant(
    *,
    person: Person,
    programme: Programme,
    level: str,
    strand: str = "",
    valid_from: date,
    valid_until: date,
    earned_through: Any = None,
    by: User | None,
    source: str = "",
) -> Accreditation:
    """Accredit `person` to train `programme` at `level` for the given period.

    `earned_through` (an Enrolment, optional) is the completed course through which the
    accreditation was earned: it links the person to the trainers of that cohort.
    """
    strand = _check_strand(level, strand)
    if not can_grant(by, person=person, level=level):
        if grantable_levels(by) and level not in grantable_levels(by):
            raise PermissionDeniedError(
                "level_not_allowed",
                _("You may not grant %(level)s accreditations.")
                % {"level": TrainerLevel(level).label},
            )
        raise NotFoundError("not_found", _("The person was not found."))
    if valid_until < valid_from:
        raise DomainError(
            "dates_reversed",
            _("“Valid until” (%(until)s) is before “valid from” (%(start)s).")
            % {"until": valid_until.isoformat(), "start": valid_from.isoformat()},
            field="valid_until",
        )
    if not programme.versions.filter(
        status__in=[VersionStatus.APPROVED, VersionStatus.DRAFT]
    ).exists():
        raise DomainError(
            "programme_retired",
            _("The programme %(code)s is retired: no new trainers are accredited for it.")
            % {"code": programme.code},
            field="programme",
        )
    if earned_through is not None:
        _check_earned_through(earned_through, person=person, programme=programme)
    # Serialise grants for one person so two overlapping ones cannot both pass the check.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    overlapping = Accreditation.objects.filter(
        person=person,
        programme=programme,
        level=level,
        strand=strand,
        revoked_at__isnull=True,
        valid_from__lte=valid_until,
        valid_until__gte=valid_from,
    ).first()
    if overlapping is not None:
        raise DomainError(
            "accreditation_overlaps",
            _(
                "%(person)s already holds this accreditation from %(start)s to %(until)s; "
                "the periods may not overlap."
            )
            % {
                "person": person.full_name,
                "start": overlapping.valid_from.isoformat(),
                "until": overlapping.valid_until.isoformat(),
            },
            field="valid_from",
        )
    accreditation = Accreditation.objects.create(
        person=person,
        programme=programme,
        level=level,
        strand=strand,
        valid_from=valid_from,
        valid_until=valid_until,
        earned_through_id=getattr(earned_through, "pk", earned_through),
        granted_by=by if getattr(by, "pk", None) else None,
    )
    audit_record(
        actor=by,
        action="create",
        obj=accreditation,
        changes={
            "person": person.pk,
            "programme": programme.pk,
            "level": level,
            "strand": strand,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "earned_through": accreditation.earned_through_id,
        },
        source=source,
    )
    return accreditation


@transaction.atomic
def accreditation_revoke(
    *, accreditation: Accreditation, reason: str, by: User | None, source: str = ""
) -> Accreditation:
    """Withdraw an accreditation before its end; the reason is kept. Cohorts it was used for
    keep their trainer (the history stays true); new assignments check validity."""
    accreditation = (
        Accreditation.objects.select_for_update().select_related("person").get(pk=accreditation.pk)
    )
    if not can_grant(by, person=accreditation.person, level=accreditation.level):
        raise NotFoundError("not_found", _("The accreditation was not found."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "reason_required", _("Give the reason for the revocation."), field="reason"
        )
    if len(reason) > REASON_MAX:
        raise DomainError(
            "too_long",
            _("Must be at most %(limit)s characters long.") % {"limit": REASON_MAX},
            field="reason",
        )
    if accreditation.revoked_at is not None:
        raise DomainError("already_revoked", _("This accreditation is already revoked."))
    accreditation.revoked_at = timezone.now()
    accreditation.revoked_reason = reason
    accreditation.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
    audit_record(
        actor=by,
        action="update",
        obj=accreditation,
        changes={"revoked_at": [None, accreditation.revoked_at], "revoked_reason": [None, reason]},
        source=source,
    )
    return accreditation
