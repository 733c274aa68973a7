"""The cascade's figures: trainers trained in the year (their accreditation began), split into
the centre's own and general-education organisations'; school trainers by strand, trained in
the year and holding an accreditation at its end."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from kaskad.cascade.models import Accreditation, TrainerLevel
from kaskad.registry.choices import OrganisationKind
from kaskad.reports.figures import DrillRow, Metric, Source, register
from kaskad.reports.sources._common import full_name, years_of

# The centre's own people: its branches, the Intellectual schools and their methodological
# centres. Everyone else works at a general-education (or other) organisation.
CENTRE_KINDS = (OrganisationKind.BRANCH, OrganisationKind.NIS, OrganisationKind.METHOD_CENTRE)
TRAINER_LEVELS = (TrainerLevel.NATIONAL, TrainerLevel.REGIONAL)
ORIGINS = {"centre": _("Centre (NIS)"), "general": _("General-education organisations")}


def _origin() -> Case:
    return Case(
        When(person__current_organisation__kind__in=CENTRE_KINDS, then=Value("centre")),
        default=Value("general"),
        output_field=CharField(),
    )


def trainers_trained(year: int) -> QuerySet[Accreditation]:
    return Accreditation.objects.filter(level__in=TRAINER_LEVELS, valid_from__year=year).annotate(
        origin_=_origin()
    )


def school_trainers_trained(year: int) -> QuerySet[Accreditation]:
    return Accreditation.objects.filter(level=TrainerLevel.SCHOOL, valid_from__year=year)


def school_trainers_active(year: int) -> QuerySet[Accreditation]:
    """School trainers whose accreditation was in force on the last day of `year` (and not
    revoked by then)."""
    end = date(year, 12, 31)
    return Accreditation.objects.filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=end),
        level=TrainerLevel.SCHOOL,
        valid_from__lte=end,
        valid_until__gte=end,
    )


def accreditation_row(accreditation: Accreditation) -> DrillRow:
    organisation = accreditation.person.current_organisation
    return DrillRow(
        name=full_name(accreditation.person),
        organisation=str(organisation) if organisation else "",
        programme=accreditation.programme.code,
        on=accreditation.valid_from,
        detail=str(accreditation.get_strand_display() or accreditation.get_level_display()),
    )


RELATED = ("person__current_organisation", "programme")
# Where a trainer belongs: the branch of the course they earned it through, else the branch of
# the area they work in.
AREA = "person__current_organisation__area_id"
BRANCH = "person__current_organisation__area__branch_id"


def changed_years(since: datetime) -> set[int]:
    changed = Accreditation.objects.filter(updated_at__gt=since)
    return years_of(changed, "valid_from", "valid_until", "revoked_at")


SOURCE = register(
    Source(
        name="cascade",
        metrics=[
            Metric(
                code="trainers_trained",
                label=_("Trainers trained"),
                records=trainers_trained,
                branch=BRANCH,
                area=AREA,
                programme="programme_id",
                key="origin_",
                counts="person_id",
                describe=accreditation_row,
                related=RELATED,
                person="person__",
            ),
            Metric(
                code="school_trainers_trained",
                label=_("School trainers trained"),
                records=school_trainers_trained,
                branch=BRANCH,
                area=AREA,
                key="strand",
                counts="person_id",
                describe=accreditation_row,
                related=RELATED,
                person="person__",
            ),
            Metric(
                code="school_trainers_active",
                label=_("School trainers"),
                records=school_trainers_active,
                branch=BRANCH,
                area=AREA,
                key="strand",
                counts="person_id",
                describe=accreditation_row,
                related=RELATED,
                person="person__",
            ),
            Metric(
                code="school_trainer_people",
                label=_("School trainers (people)"),
                records=school_trainers_active,
                branch=BRANCH,
                area=AREA,
                counts="person_id",
                describe=accreditation_row,
                related=RELATED,
                person="person__",
            ),
        ],
        changed_years=changed_years,
    )
)
