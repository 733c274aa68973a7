from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.certificates.models import Certificate
from kaskad.certificates.services import certificate_issue, certificate_revoke
from kaskad.certificates.tests.factories import certificate_cohort, certified_portfolio
from kaskad.core.models import Job
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_teacher,
    make_trainer,
    national_admin,
    teacher_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    admin = national_admin()
    ala = certificate_cohort(branch_code="ALA")
    ast = certificate_cohort(branch_code="AST")
    mine = certificate_issue(portfolio=certified_portfolio(cohort=ala), by=admin)
    theirs = certificate_issue(portfolio=certified_portfolio(cohort=ast), by=admin)
    assert mine.person is not None
    owner = teacher_user(mine.person)
    return {"admin": admin, "ala": ala, "ast": ast, "mine": mine, "theirs": theirs, "owner": owner}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_national_admin_sees_every_certificate(world) -> None:
    body = _client(world["admin"]).get(reverse("certificates:list")).content.decode()
    assert world["mine"].number in body and world["theirs"].number in body


def test_a_coordinator_sees_only_their_branch(world) -> None:
    client = _client(coordinator_of("ALA"))
    body = client.get(reverse("certificates:list")).content.decode()
    assert world["mine"].number in body and world["theirs"].number not in body
    assert client.get(reverse("certificates:detail", args=[world["mine"].pk])).status_code == 200
    for name in ("detail", "pdf", "revoke", "reissue"):
        url = reverse(f"certificates:{name}", args=[world["theirs"].pk])
        assert client.get(url).status_code == 404, name
    assert client.get(reverse("certificates:cohort", args=[world["ast"].pk])).status_code == 404


def test_an_analyst_sees_no_certificate_but_verifies_like_anyone(world) -> None:
    """A certificate is an individual result: analysts read reports (ADR 0002)."""
    client = _client(make_user(roles=[(Role.ANALYST, None)]))
    assert client.get(reverse("certificates:list")).status_code == 404
    for name in ("detail", "pdf"):
        for certificate in (world["mine"], world["theirs"]):
            url = reverse(f"certificates:{name}", args=[certificate.pk])
            assert client.get(url).status_code == 404, name
    public = client.get(reverse("certificates:verify_token", args=[world["mine"].token]))
    assert public.status_code == 200
    assert world["mine"].number in public.content.decode()


def test_the_participant_sees_and_downloads_only_their_own(world) -> None:
    client = _client(world["owner"])
    assert client.get(reverse("certificates:list"))["Location"] == reverse(
        "certificates:my_certificates"
    )
    body = client.get(reverse("certificates:my_certificates")).content.decode()
    assert world["mine"].number in body and world["theirs"].number not in body
    pdf = client.get(reverse("certificates:pdf", args=[world["mine"].pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.getvalue().startswith(b"%PDF")
    detail = client.get(reverse("certificates:detail", args=[world["mine"].pk])).content.decode()
    assert reverse("certificates:revoke", args=[world["mine"].pk]) not in detail
    for name in ("detail", "pdf"):
        assert (
            client.get(reverse(f"certificates:{name}", args=[world["theirs"].pk])).status_code
            == 404
        )
    for name in ("revoke", "reissue"):
        assert (
            client.get(reverse(f"certificates:{name}", args=[world["mine"].pk])).status_code == 404
        )
    assert client.get(reverse("certificates:cohort", args=[world["ala"].pk])).status_code == 404


def test_a_revoked_certificate_is_no_longer_downloadable_by_the_participant(world) -> None:
    certificate_revoke(certificate=world["mine"], reason="error", by=world["admin"])
    client = _client(world["owner"])
    assert client.get(reverse("certificates:pdf", args=[world["mine"].pk])).status_code == 404
    staff = _client(world["admin"])
    assert staff.get(reverse("certificates:pdf", args=[world["mine"].pk])).status_code == 200


@pytest.mark.parametrize("role", [Role.TRAINER, Role.ASSESSOR, Role.SCHOOL_LEADER])
def test_other_roles_see_nothing(world, role) -> None:
    if role == Role.SCHOOL_LEADER:
        user = make_user(roles=[(role, world["mine"].person.current_organisation)])
    else:
        user = make_user(roles=[(role, None)])
    client = _client(user)
    assert client.get(reverse("certificates:list")).status_code == 404
    assert client.get(reverse("certificates:my_certificates")).status_code == 404
    assert client.get(reverse("certificates:detail", args=[world["mine"].pk])).status_code == 404


def test_a_teacher_without_certificates_sees_an_empty_page(world) -> None:
    client = _client(teacher_user(make_teacher()))
    response = client.get(reverse("certificates:my_certificates"))
    assert response.status_code == 200
    assert "You have no certificates yet." in response.content.decode()


def test_anonymous_users_are_sent_to_sign_in(world) -> None:
    response = Client().get(reverse("certificates:detail", args=[world["mine"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_revoking_without_a_reason_shows_the_error_and_changes_nothing(world) -> None:
    client = _client(coordinator_of("ALA"))
    url = reverse("certificates:revoke", args=[world["mine"].pk])
    response = client.post(url, {"category": "other", "reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    world["mine"].refresh_from_db()
    assert world["mine"].status == "valid"


def test_revoking_through_the_page(world) -> None:
    client = _client(coordinator_of("ALA"))
    response = client.post(
        reverse("certificates:revoke", args=[world["mine"].pk]),
        {"category": "issued_in_error", "reason": "Wrong cohort"},
        follow=True,
    )
    body = response.content.decode()
    assert "has been revoked" in body
    assert "Wrong cohort" in body  # the history shows the reason to staff
    world["mine"].refresh_from_db()
    assert world["mine"].status == "revoked"


def test_reissuing_through_the_page_shows_the_history(world) -> None:
    client = _client(world["admin"])
    response = client.post(
        reverse("certificates:reissue", args=[world["mine"].pk]),
        {"reason": "Name corrected", "language": "en"},
        follow=True,
    )
    new = Certificate.objects.get(replaces=world["mine"])
    body = response.content.decode()
    assert new.number in body and world["mine"].number in body
    assert "Name corrected" in body
    assert new.language == "en"


def test_the_cohort_page_starts_a_job(world) -> None:
    client = _client(coordinator_of("ALA"))
    page = client.get(reverse("certificates:cohort", args=[world["ala"].pk]))
    assert page.status_code == 200
    assert "Generate certificates" in page.content.decode()
    response = client.post(reverse("certificates:cohort", args=[world["ala"].pk]))
    job = Job.objects.get(kind="certificates_bulk")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.params == {"cohort_id": world["ala"].pk}


def test_a_trainer_of_the_cohort_cannot_generate(world) -> None:
    _person, trainer = make_trainer(programme=world["ala"].version.programme)
    client = _client(trainer)
    assert client.post(reverse("certificates:cohort", args=[world["ala"].pk])).status_code == 404
    assert not Job.objects.exists()


def test_the_list_page_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries) -> None:
    admin = world["admin"]
    for _ in range(5):
        certificate_issue(portfolio=certified_portfolio(cohort=world["ala"]), by=admin)
    client = _client(admin)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("certificates:list")).status_code == 200


def test_the_page_shows_the_title_in_the_reader_s_language_when_the_certificate_has_another(
    world,
) -> None:
    from django.utils import translation

    certificate = world["mine"]
    version = certificate.portfolio.enrolment.cohort.version
    version.title_kk, version.title_ru = "Тиімді оқыту", "Эффективное обучение"
    version.save()
    Certificate.objects.filter(pk=certificate.pk).update(
        language="ru", programme_title="Эффективное обучение"
    )
    client = _client(world["admin"])
    url = reverse("certificates:detail", args=[certificate.pk])
    with translation.override("kk"):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Эффективное обучение" in body and "Тиімді оқыту" in body


def test_staff_are_warned_when_qr_codes_point_at_a_loopback_address(world, settings) -> None:
    settings.ALLOWED_HOSTS = ["kaskad.example.kz", "127.0.0.1"]
    url = reverse("certificates:detail", args=[world["mine"].pk])
    settings.KASKAD_PUBLIC_URL = "http://127.0.0.1:8000"
    body = _client(world["admin"]).get(url, HTTP_HOST="kaskad.example.kz").content.decode()
    assert "an address only the server itself can open" in body
    local = _client(world["admin"]).get(url, HTTP_HOST="127.0.0.1:8000").content.decode()
    assert "an address only the server itself can open" not in local
    settings.KASKAD_PUBLIC_URL = "https://kaskad.example.kz"
    body = _client(world["admin"]).get(url, HTTP_HOST="kaskad.example.kz").content.decode()
    assert "an address only the server itself can open" not in body
