"""A cohort's trainers: each holds a valid accreditation for the programme."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import User
from kaskad.cascade.models import Accreditation
from kaskad.cascade.selectors import valid_accreditation
from kaskad.catalogue.models import Programme
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, StateConflict
from kaskad.delivery.models import Cohort, CohortTrainer
from kaskad.delivery.services._common import _require_editable, _require_manager
from kaskad.registry.models import Person

# --- Trainers -----------------------------------------------------------------------------------


def _valid_accreditation(*, person: Person, programme: Programme, on: date) -> Any:
    return valid_accreditation(person=person, programme=programme, on=on)


def accreditation_problem(*, person: Person, programme: Programme, on: date) -> str:
    """Why a person may not train `programme` on `on`, in words a coordinator can act on."""
    name = person.full_name
    day = date_format(on, "SHORT_DATE_FORMAT")
    held = list(Accreditation.objects.filter(person=person).select_related("programme"))
    if not held:
        return gettext("%(name)s has no trainer accreditation.") % {"name": name}
    mine = [a for a in held if a.programme_id == programme.pk]
    if not mine:
        others = sorted({a.programme.code for a in held})
        return gettext(
            "%(name)s is accredited for other programmes only (%(others)s), not for %(programme)s."
        ) % {"name": name, "others": ", ".join(others), "programme": programme.code}
    active = [a for a in mine if a.revoked_at is None]
    if not active:
        last = max(mine, key=lambda a: a.revoked_at or timezone.now())
        revoked_on = timezone.localdate(last.revoked_at) if last.revoked_at else on
        text = gettext("%(name)s's accreditation for %(programme)s was revoked on %(date)s.") % {
            "name": name,
            "programme": programme.code,
            "date": date_format(revoked_on, "SHORT_DATE_FORMAT"),
        }
        if last.revoked_reason:
            text = f"{text} {gettext('Reason:')} {last.revoked_reason}"
        return text
    later = [a for a in active if a.valid_from > on]
    if later:
        first = min(later, key=lambda a: a.valid_from)
        return gettext(
            "%(name)s's accreditation for %(programme)s is valid only from %(from)s, after the "
            "cohort starts on %(on)s."
        ) % {
            "name": name,
            "programme": programme.code,
            "from": date_format(first.valid_from, "SHORT_DATE_FORMAT"),
            "on": day,
        }
    expired = [a for a in active if a.valid_until < on]
    if expired:
        last_expired = max(expired, key=lambda a: a.valid_until)
        return gettext(
            "%(name)s's accreditation for %(programme)s expired on %(until)s, before the cohort "
            "starts on %(on)s."
        ) % {
            "name": name,
            "programme": programme.code,
            "until": date_format(last_expired.valid_until, "SHORT_DATE_FORMAT"),
            "on": day,
        }
    return gettext("%(name)s has no valid accreditation for %(programme)s on %(on)s.") % {
        "name": name,
        "programme": programme.code,
        "on": day,
    }


def trainer_assign(
    *, cohort: Cohort, person: Person, by: User, is_lead: bool = True
) -> CohortTrainer:
    """Only a person with a valid accreditation for the programme on the cohort's start date
    may train it; anything else is refused saying why."""
    _require_manager(by, cohort)
    _require_editable(cohort)
    if CohortTrainer.objects.filter(cohort=cohort, person=person).exists():
        raise DomainError(
            "trainer_already_assigned",
            _("%(name)s already trains this cohort.") % {"name": person.full_name},
            field="person",
        )
    programme = cohort.version.programme
    accreditation = _valid_accreditation(person=person, programme=programme, on=cohort.starts_on)
    if accreditation is None:
        raise DomainError(
            "trainer_not_accredited",
            accreditation_problem(person=person, programme=programme, on=cohort.starts_on),
            field="person",
        )
    try:
        with transaction.atomic():
            assignment = CohortTrainer.objects.create(
                cohort=cohort, person=person, accreditation=accreditation, is_lead=is_lead
            )
            audit_record(
                actor=by,
                action="create",
                obj=assignment,
                changes={
                    "cohort": cohort.pk,
                    "person": person.pk,
                    "accreditation": accreditation.pk,
                },
            )
    except IntegrityError:
        raise DomainError(
            "trainer_already_assigned",
            _("%(name)s already trains this cohort.") % {"name": person.full_name},
            field="person",
        ) from None
    return assignment


def trainer_remove(*, cohort: Cohort, person: Person, by: User) -> None:
    _require_manager(by, cohort)
    _require_editable(cohort)
    assignment = CohortTrainer.objects.filter(cohort=cohort, person=person).first()
    if assignment is None:
        # The cohort is in scope (checked above): this is its state (a second click, a stale
        # page), said in words, not a missing record.
        raise StateConflict("not_cohort_trainer", _("This person does not train the cohort."))
    with transaction.atomic():
        audit_record(
            actor=by,
            action="delete",
            obj=assignment,
            changes={"cohort": cohort.pk, "person": person.pk},
        )
        assignment.delete()
