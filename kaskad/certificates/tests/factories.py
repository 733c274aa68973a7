"""Test data for certificates: certified portfolios (made directly, the state a test starts
from); what a test checks goes through the services.

    portfolio = certified_portfolio(cohort=cohort, surname="Қасымова", given_name="Әлия")
    certificate = certificate_issue(portfolio=portfolio, by=national_admin())
"""

from __future__ import annotations

from typing import Any

from kaskad.assessment.models import Portfolio
from kaskad.assessment.tests.factories import enrol, make_portfolio
from kaskad.catalogue.models import ProgrammeVersion
from kaskad.delivery.models import Cohort
from kaskad.delivery.tests.factories import make_cohort, make_teacher, make_version
from kaskad.registry.models import Person

TITLES = {
    "kk": "Оқытудағы бағалаудың жаңа тәсілдері",
    "ru": "Новые подходы к оцениванию в обучении",
    "en": "New approaches to assessment in teaching",
}


def certificate_cohort(*, branch_code: str = "ALA", language: str = "kk", **extra: Any) -> Cohort:
    """An open cohort of a version titled in all three languages."""
    from kaskad.registry.tests.factories import branch

    version = make_version(languages=["kk", "ru", "en"], title=TITLES["kk"], hours=72)
    ProgrammeVersion.objects.filter(pk=version.pk).update(
        title_kk=TITLES["kk"], title_ru=TITLES["ru"], title_en=TITLES["en"]
    )
    version.refresh_from_db()
    return make_cohort(
        version=version,
        branch_obj=branch(branch_code),
        language=language,
        status="open",
        **extra,
    )


def certified_portfolio(
    *,
    cohort: Cohort | None = None,
    person: Person | None = None,
    rating: str = "good",
    status: str = "certified",
    **names: str,
) -> Portfolio:
    cohort = cohort or certificate_cohort()
    if person is None:
        person = make_teacher(branch_code=cohort.branch.code, **names)
    portfolio = make_portfolio(enrolment=enrol(cohort, person), status=status)
    portfolio.rating = rating
    portfolio.plagiarism_status = "clear"
    portfolio.save(update_fields=["rating", "plagiarism_status"])
    return portfolio
