"""The trainer pages: the scoped list, a trainer's page with lineage, granting and revoking."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.cascade.models import Accreditation
from kaskad.cascade.services import accreditation_grant
from kaskad.catalogue.tests.factories import (
    current,
    make_cohort,
    make_enrolment,
    make_programme,
    make_trainer_row,
)
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = pytest.mark.django_db

LIST = reverse("cascade:trainer_list")


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def coordinator() -> User:
    return make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])


def grant(person, programme, level="regional", strand="", earned_through=None):
    return accreditation_grant(
        person=person,
        programme=programme,
        level=level,
        strand=strand,
        valid_from=date(2020, 1, 1),
        valid_until=date(2030, 12, 31),
        earned_through=earned_through,
        by=None,
    )


def test_the_list_is_scoped_and_filtered(client: Client, coordinator: User) -> None:
    programme = make_programme(code="EL")
    here = make_person(organisation=make_organisation(area=area_of("ALA")), surname="Қасымова")
    there = make_person(organisation=make_organisation(area=area_of("AST")), surname="Ахметов")
    grant(here, programme, level="school", strand="research")
    grant(there, programme)
    client.force_login(coordinator)
    response = client.get(LIST)
    assert [a.person for a in response.context["page"].object_list] == [here]
    filtered = client.get(LIST, {"level": "regional"})
    assert list(filtered.context["page"].object_list) == []
    assert client.get(LIST, {"q": "kasym"}).context["page"].paginator.count == 1
    assert client.get(reverse("cascade:trainer_detail", args=[there.pk])).status_code == 404


def test_teachers_have_no_trainer_list_but_see_their_own_page(client: Client) -> None:
    programme = make_programme(code="EL")
    me = make_person()
    grant(me, programme)
    client.force_login(make_user(roles=[(Role.TEACHER, None)], person=me))
    assert client.get(LIST).status_code == 403
    page = client.get(reverse("cascade:trainer_detail", args=[me.pk]))
    assert page.status_code == 200
    assert "Revoke" not in page.content.decode()


def test_the_trainer_page_shows_lineage_hiding_names_out_of_scope(
    client: Client, coordinator: User
) -> None:
    programme = make_programme(code="EL")
    version = current(programme)
    national = make_person(surname="Нұрланов", given_name="Ерлан", sex="M")
    national_acc = grant(national, programme, level="national")
    cohort = make_cohort(version=version, branch=branch("ALA"), status="closed", code="EL-ALA-1")
    make_trainer_row(cohort=cohort, accreditation=national_acc)
    trainee = make_person(organisation=make_organisation(area=area_of("ALA")), surname="Омарова")
    grant(trainee, programme, earned_through=make_enrolment(cohort=cohort, person=trainee))
    elsewhere = make_person(organisation=make_organisation(area=area_of("AST")), surname="Иванова")
    grant(elsewhere, programme, earned_through=make_enrolment(cohort=cohort, person=elsewhere))
    client.force_login(coordinator)
    html = client.get(reverse("cascade:trainer_detail", args=[trainee.pk])).content.decode()
    assert "Нұрланов Ерлан" in html and "EL-ALA-1" in html
    national_page = client.get(reverse("cascade:trainer_detail", args=[national.pk]))
    html = national_page.content.decode()
    assert "Омарова" in html
    assert "Иванова" not in html and "a trainer outside your scope" in html


def test_a_coordinator_grants_a_school_trainer_accreditation(
    client: Client, coordinator: User
) -> None:
    programme = make_programme(code="EL")
    person = make_person(organisation=make_organisation(area=area_of("ALA")))
    cohort = make_cohort(version=current(programme), branch=branch("ALA"), status="closed")
    enrolment = make_enrolment(cohort=cohort, person=person, status="completed")
    client.force_login(coordinator)
    url = reverse("cascade:accreditation_grant", args=[person.pk])
    form = client.get(url).context["form"]
    assert [value for value, _label in form.fields["level"].choices] == ["regional", "school"]
    assert form.initial["level"] == "school"  # the lowest, most common level
    values = {
        "programme": str(programme.pk),
        "level": "school",
        "strand": "",
        "valid_from": "2025-01-01",
        "valid_until": "2027-12-31",
        "earned_through": str(enrolment.pk),
    }
    missing = client.post(url, values)
    assert "needs a strand" in missing.content.decode()
    reversed_dates = client.post(url, {**values, "strand": "methods", "valid_until": "2024-01-01"})
    assert "is before" in reversed_dates.content.decode()
    national = client.post(url, {**values, "level": "national"})
    assert national.status_code == 200 and not Accreditation.objects.exists()
    done = client.post(url, {**values, "strand": "methods"})
    assert done.status_code == 302
    accreditation = Accreditation.objects.get()
    assert (accreditation.level, accreditation.strand, accreditation.earned_through) == (
        "school",
        "methods",
        enrolment,
    )


def test_granting_outside_the_scope_is_404_and_for_others_403(
    client: Client, coordinator: User
) -> None:
    outsider = make_person(organisation=make_organisation(area=area_of("AST")))
    client.force_login(coordinator)
    assert client.get(reverse("cascade:accreditation_grant", args=[outsider.pk])).status_code == 404
    client.force_login(make_user(roles=[(Role.ANALYST, None)]))
    assert client.get(reverse("cascade:accreditation_grant", args=[outsider.pk])).status_code == 403
    assert client.get(reverse("cascade:grant_start")).status_code == 403


def test_the_grant_search_finds_people_in_scope(client: Client, coordinator: User) -> None:
    here = make_person(organisation=make_organisation(area=area_of("ALA")), surname="Сейітқали")
    make_person(organisation=make_organisation(area=area_of("AST")), surname="Сейітқали")
    client.force_login(coordinator)
    rows = client.get(reverse("cascade:grant_start"), {"q": "seitkali"}).context["rows"]
    assert [person for person, _iin in rows] == [here]


def test_revoking_from_the_trainer_page(client: Client, coordinator: User) -> None:
    programme = make_programme(code="EL")
    person = make_person(organisation=make_organisation(area=area_of("ALA")))
    accreditation = grant(person, programme)
    client.force_login(coordinator)
    url = reverse("cascade:accreditation_revoke", args=[accreditation.pk])
    empty = client.post(url, {"reason": ""}, follow=True)
    assert "Give the reason" in empty.content.decode()
    client.post(url, {"reason": "Moved abroad"})
    accreditation.refresh_from_db()
    assert accreditation.revoked_reason == "Moved abroad"
    national = grant(make_person(), programme, level="national")
    assert (
        client.post(
            reverse("cascade:accreditation_revoke", args=[national.pk]), {"reason": "x"}
        ).status_code
        == 403
    )


def test_the_grant_form_of_a_national_administrator_does_not_default_to_national(
    client: Client,
) -> None:
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    person = make_person(organisation=make_organisation(area=area_of("ALA")))
    client.force_login(admin)
    form = client.get(reverse("cascade:accreditation_grant", args=[person.pk])).context["form"]
    assert form.initial["level"] == "school"


def test_the_trainer_list_costs_the_same_queries_for_two_trainers_or_ten(
    client: Client, coordinator: User
) -> None:
    programme = make_programme(code="QC")
    organisation = make_organisation(area=area_of("ALA"))
    for _ in range(2):
        grant(make_person(organisation=organisation), programme, level="school", strand="research")
    client.force_login(coordinator)
    client.get(LIST)  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for _ in range(8):
        grant(make_person(organisation=organisation), programme, level="school", strand="research")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 10
    assert len(many.captured_queries) == len(few.captured_queries)
