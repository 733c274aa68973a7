"""Writes of the network: centres, leading schools, partners, hub links, coordinators, and the
copy of last year's network. Every rule of the import holds here too (`rules.py`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kaskad.core.audit import audit_record
from kaskad.core.errors import NotFoundError, PermissionDeniedError, StateConflict
from kaskad.networks import rules
from kaskad.networks.models import (
    HubLink,
    LeadingSchool,
    MethodCentre,
    NetworkCoordinator,
    Partnership,
)
from kaskad.networks.permissions import manages_branch
from kaskad.registry.models import Area, Branch, District, Organisation, Person

if TYPE_CHECKING:
    from kaskad.accounts.models import User


def _require_branch(by: User | None, branch_id: int) -> None:
    if by is not None and not manages_branch(by, branch_id):
        raise PermissionDeniedError(
            "not_your_branch", _("Only the branch's coordinators may change its network.")
        )


@transaction.atomic
def centre_upsert(
    *, year: int, school: Organisation, areas: list[Area], by: User | None
) -> MethodCentre:
    rules.check_centre_school(school)
    branch_id = rules.branch_id_of(school)
    _require_branch(by, branch_id)
    centre, created = MethodCentre.objects.get_or_create(
        year=year, school=school, defaults={"branch_id": branch_id}
    )
    before = sorted(centre.areas.values_list("id", flat=True))
    after = sorted(a.pk for a in areas)
    if before != after:
        centre.areas.set(areas)
    if created or before != after:
        audit_record(
            actor=by,
            action="update",
            source="networks.centre_set",
            obj=centre,
            changes={"year": year, "areas": [before, after]},
        )
    return centre


@transaction.atomic
def leading_upsert(
    *,
    year: int,
    school: Organisation,
    centre: MethodCentre | None = None,
    district: District | None = None,
    decision_number: str = "",
    decision_date: date | None = None,
    by: User | None,
) -> LeadingSchool:
    rules.check_leading_school(school)
    branch_id = rules.branch_id_of(school)
    _require_branch(by, branch_id)
    if centre is not None:
        rules.check_same_branch(centre.branch_id, school, field="centre")
    if Partnership.objects.filter(year=year, school=school).exists():
        raise StateConflict(
            "two_networks",
            _("%(school)s is a partner school in this year: a school belongs to one network.")
            % {"school": school},
        )
    values = {
        "centre": centre,
        "branch_id": branch_id,
        "district": district or school.district,
        "decision_number": decision_number,
        "decision_date": decision_date,
    }
    leading = LeadingSchool.objects.filter(year=year, school=school).first()
    if leading is None:
        leading = LeadingSchool.objects.create(year=year, school=school, **values)
        audit_record(
            actor=by,
            action="create",
            source="networks.leading_create",
            obj=leading,
            changes={"year": year},
        )
        return leading
    changes = {}
    for key, value in values.items():
        old = getattr(leading, key)
        if old != value:
            changes[key] = [getattr(old, "pk", old), getattr(value, "pk", value)]
            setattr(leading, key, value)
    if changes:
        leading.save()
        audit_record(
            actor=by,
            action="update",
            source="networks.leading_update",
            obj=leading,
            changes=changes,
        )
    return leading


@transaction.atomic
def partner_set(
    *, leading: LeadingSchool, school: Organisation, by: User | None, move: bool = False
) -> Partnership:
    """Attach `school` to `leading` for its year. A school partners one leading school a
    year: attached elsewhere, it is refused unless `move` (then it moves, audited)."""
    _require_branch(by, leading.branch_id)
    rules.check_partner_school(school, leading=leading)
    if LeadingSchool.objects.filter(year=leading.year, school=school).exists():
        raise StateConflict(
            "two_networks",
            _("%(school)s is a leading school in this year: a school belongs to one network.")
            % {"school": school},
        )
    existing = (
        Partnership.objects.select_for_update()
        .filter(year=leading.year, school=school)
        .select_related("leading__school")
        .first()
    )
    if existing is not None:
        if existing.leading_id == leading.pk:
            return existing
        if not move:
            raise StateConflict(
                "two_networks",
                _("%(school)s already partners %(leading)s in this year.")
                % {"school": school, "leading": existing.leading.school},
            )
        old = existing.leading_id
        existing.leading = leading
        existing.save(update_fields=["leading", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            source="networks.partner_move",
            obj=existing,
            changes={"leading": [old, leading.pk]},
        )
        return existing
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(
                year=leading.year, leading=leading, school=school
            )
    except IntegrityError as exc:  # a concurrent attach of the same school
        raise StateConflict(
            "two_networks",
            _("%(school)s already partners a leading school in this year.") % {"school": school},
        ) from exc
    audit_record(
        actor=by,
        action="create",
        source="networks.partner_add",
        obj=partnership,
        changes={"leading": leading.pk},
    )
    return partnership


@transaction.atomic
def partner_remove(*, partnership: Partnership, by: User | None) -> None:
    _require_branch(by, partnership.leading.branch_id)
    audit_record(
        actor=by,
        action="delete",
        source="networks.partner_remove",
        obj=partnership,
        changes={"leading": [partnership.leading_id, None]},
    )
    partnership.delete()


@transaction.atomic
def hub_link_create(
    *, year: int, mentor: Organisation, mentee: Organisation, kind: str, by: User | None
) -> HubLink:
    rules.check_hub_link(mentor=mentor, mentee=mentee, kind=kind)
    _require_branch(by, rules.branch_id_of(mentor))
    link, created = HubLink.objects.get_or_create(
        year=year, mentor=mentor, mentee=mentee, defaults={"kind": kind}
    )
    if created:
        audit_record(
            actor=by,
            action="create",
            source="networks.hub_link_create",
            obj=link,
            changes={"kind": kind},
        )
    elif link.kind != kind:
        old = link.kind
        link.kind = kind
        link.save(update_fields=["kind", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            source="networks.hub_link_update",
            obj=link,
            changes={"kind": [old, kind]},
        )
    return link


@transaction.atomic
def coordinator_add(
    *,
    year: int,
    person: Person,
    branch: Branch,
    centre: MethodCentre | None = None,
    by: User | None,
) -> NetworkCoordinator:
    _require_branch(by, branch.pk)
    row, created = NetworkCoordinator.objects.get_or_create(
        year=year, person=person, branch=branch, defaults={"centre": centre}
    )
    if created:
        audit_record(
            actor=by,
            action="create",
            source="networks.coordinator_add",
            obj=row,
            changes={"year": year},
        )
    return row


@transaction.atomic
def network_copy_year(
    *, branch: Branch, from_year: int, to_year: int, by: User | None
) -> dict[str, int]:
    """Start `to_year` from `from_year`'s network of the branch: the same centres, leading
    schools (with their decision), partners, hub links and coordinators. Rows the new year
    already has are kept as they are; the earlier year is not touched. Closed schools are
    left out. Running it twice changes nothing the second time."""
    _require_branch(by, branch.pk)
    if from_year == to_year:
        raise StateConflict("same_year", _("Choose another year to copy from."))
    counts = {"centres": 0, "leading": 0, "partners": 0, "hub_links": 0, "coordinators": 0}
    centre_map: dict[int, MethodCentre] = {}
    for centre in MethodCentre.objects.filter(year=from_year, branch=branch).select_related(
        "school"
    ):
        if not centre.school.is_open:
            continue
        new, created = MethodCentre.objects.get_or_create(
            year=to_year, school=centre.school, defaults={"branch": branch}
        )
        if created:
            new.areas.set(centre.areas.all())
            counts["centres"] += 1
        centre_map[centre.pk] = new
    taken = set(Partnership.objects.filter(year=to_year).values_list("school_id", flat=True))
    for leading in LeadingSchool.objects.filter(year=from_year, branch=branch).select_related(
        "school"
    ):
        if not leading.school.is_open or leading.school_id in taken:
            continue
        new_leading, created = LeadingSchool.objects.get_or_create(
            year=to_year,
            school=leading.school,
            defaults={
                "branch": branch,
                "centre": centre_map.get(leading.centre_id or 0),
                "district_id": leading.district_id,
                "decision_number": leading.decision_number,
                "decision_date": leading.decision_date,
            },
        )
        counts["leading"] += int(created)
        leading_schools = set(
            LeadingSchool.objects.filter(year=to_year).values_list("school_id", flat=True)
        )
        for partnership in leading.partnerships.select_related("school"):
            school_id = partnership.school_id
            if not partnership.school.is_open or school_id in taken or school_id in leading_schools:
                continue
            Partnership.objects.create(year=to_year, leading=new_leading, school_id=school_id)
            taken.add(school_id)
            counts["partners"] += 1
    branch_areas = set(branch.areas.values_list("id", flat=True))
    for link in HubLink.objects.filter(year=from_year, mentor__area_id__in=branch_areas):
        _link, created = HubLink.objects.get_or_create(
            year=to_year,
            mentor_id=link.mentor_id,
            mentee_id=link.mentee_id,
            defaults={"kind": link.kind},
        )
        counts["hub_links"] += int(created)
    for row in NetworkCoordinator.objects.filter(year=from_year, branch=branch):
        _row, created = NetworkCoordinator.objects.get_or_create(
            year=to_year,
            person_id=row.person_id,
            branch=branch,
            defaults={"centre": centre_map.get(row.centre_id or 0)},
        )
        counts["coordinators"] += int(created)
    audit_record(
        actor=by,
        action="import",
        source="networks.copy_year",
        obj=branch,
        changes={"from_year": from_year, "to_year": to_year, **counts},
    )
    return counts


def leading_for_school(*, school: Organisation, year: int) -> LeadingSchool:
    try:
        return LeadingSchool.objects.get(year=year, school=school)
    except LeadingSchool.DoesNotExist as exc:
        raise NotFoundError("not_found", _("No such leading school.")) from exc
