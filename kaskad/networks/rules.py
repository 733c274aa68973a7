"""The rules of a network, shared by the services and the import (one wording, one code)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kaskad.core.errors import DomainError
from kaskad.networks.models import HubKind, LeadingSchool
from kaskad.registry.choices import Locality, OrganisationKind
from kaskad.registry.models import Area, Organisation


def branch_id_of(school: Organisation) -> int:
    area = school.area if isinstance(getattr(school, "area", None), Area) else None
    if area is None:
        area = Area.objects.get(pk=school.area_id)
    return int(area.branch_id)


def check_centre_school(school: Organisation) -> None:
    if school.kind != OrganisationKind.NIS:
        raise DomainError(
            "not_intellectual_school",
            _("%(school)s is not an Intellectual school: only they host methodological centres.")
            % {"school": school},
            field="school",
        )


def check_leading_school(school: Organisation) -> None:
    if school.kind != OrganisationKind.SCHOOL:
        raise DomainError(
            "not_general_school",
            _("%(school)s is not a general school (%(kind)s): a leading school must be one.")
            % {"school": school, "kind": school.get_kind_display()},
            field="school",
        )
    if not school.is_open:
        raise DomainError("closed_school", _("%(school)s is closed.") % {"school": school})


def check_partner_school(school: Organisation, *, leading: LeadingSchool) -> None:
    if school.kind != OrganisationKind.SCHOOL:
        raise DomainError(
            "not_general_school",
            _("%(school)s is not a general school (%(kind)s): a partner school must be one.")
            % {"school": school, "kind": school.get_kind_display()},
            field="school",
        )
    if school.pk == leading.school_id:
        raise DomainError(
            "own_partner", _("A leading school cannot be its own partner."), field="school"
        )
    check_same_branch(leading.branch_id, school, field="school")


def check_same_branch(branch_id: int, school: Organisation, *, field: str) -> None:
    if branch_id_of(school) != branch_id:
        raise DomainError(
            "other_branch",
            _("%(school)s lies in another branch's areas: a network stays within one branch.")
            % {"school": school},
            field=field,
        )


def check_hub_link(*, mentor: Organisation, mentee: Organisation, kind: str) -> None:
    if mentor.pk == mentee.pk:
        raise DomainError("own_mentor", _("A school cannot mentor itself."), field="mentee")
    if kind == HubKind.RURAL:
        if mentor.kind != OrganisationKind.NIS:
            raise DomainError(
                "hub_mentor_kind",
                _(
                    "Rural hub schools are mentored by an Intellectual school; %(school)s is not "
                    "one."
                )
                % {"school": mentor},
                field="mentor",
            )
        if mentee.locality != Locality.RURAL:
            raise DomainError(
                "hub_not_rural",
                _("%(school)s is not a rural school.") % {"school": mentee},
                field="mentee",
            )
    elif kind == HubKind.CITY:
        if mentor.kind != OrganisationKind.SCHOOL or mentee.kind != OrganisationKind.SCHOOL:
            raise DomainError(
                "hub_mentor_kind",
                _("A city link joins two general schools."),
                field="mentor",
            )
    else:
        raise DomainError("hub_kind", _("Unknown kind of hub link."), field="kind")


PARTNERS_MIN = 8
PARTNERS_MAX = 10


def partner_count_warning(count: int) -> str:
    """Empty when a leading school has 8 to 10 partners; else what to look at."""
    if count < PARTNERS_MIN:
        return _("fewer than %(n)s partner schools") % {"n": PARTNERS_MIN}
    if count > PARTNERS_MAX:
        return _("more than %(n)s partner schools") % {"n": PARTNERS_MAX}
    return ""
