from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from kaskad.accounts.tests.factories import make_user
from kaskad.certificates.pdf import qr_data_uri, verification_url
from kaskad.certificates.services import certificate_issue
from kaskad.certificates.tests.factories import TITLES, certificate_cohort, certified_portfolio
from kaskad.delivery.tests.factories import national_admin

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_pdf_says_who_what_and_which_number_in_each_language(language: str) -> None:
    portfolio = certified_portfolio(
        cohort=certificate_cohort(language=language),
        surname="Қасымова",
        given_name="Әлия",
        patronymic="Нұрланқызы",
    )
    certificate = certificate_issue(portfolio=portfolio, by=national_admin())
    reader = PdfReader(io.BytesIO(certificate.pdf.read()))
    page = reader.pages[0]
    # A4 landscape: 842 x 595 points.
    assert round(float(page.mediabox.width)) == 842
    assert round(float(page.mediabox.height)) == 595
    text = " ".join(page.extract_text().split())
    assert "Қасымова Әлия Нұрланқызы" in text  # Kazakh letters survive the fonts
    assert TITLES[language] in text
    assert certificate.number in text
    assert "72" in text
    assert "/certificates/verify/" in text


def test_the_language_follows_the_participant(settings) -> None:
    portfolio = certified_portfolio(cohort=certificate_cohort(language="kk"))
    make_user(person=portfolio.enrolment.person, language="en")
    certificate = certificate_issue(portfolio=portfolio, by=national_admin())
    text = _text(certificate.pdf.read())
    assert "This is to certify that" in text
    assert TITLES["en"] in text
    assert "good" in text


def test_the_qr_code_points_at_the_public_address(settings) -> None:
    settings.KASKAD_PUBLIC_URL = "https://kaskad.example.kz/"
    url = verification_url("abc_DEF-123")
    assert url == "https://kaskad.example.kz/certificates/v/abc_DEF-123/"
    uri = qr_data_uri(url)
    assert uri.startswith("data:image/png;base64,")


def test_the_verify_address_printed_on_the_pdf_comes_from_the_setting(settings) -> None:
    settings.KASKAD_PUBLIC_URL = "https://kaskad.example.kz"
    certificate = certificate_issue(portfolio=certified_portfolio(), by=national_admin())
    assert "https://kaskad.example.kz/certificates/verify/" in _text(certificate.pdf.read())


def test_the_pdf_names_the_course_s_year_once() -> None:
    from datetime import date

    portfolio = certified_portfolio(cohort=certificate_cohort(language="ru"))
    certificate = certificate_issue(portfolio=portfolio, by=national_admin())
    text = _text(certificate.pdf.read())
    start, end = certificate.starts_on, certificate.ends_on
    assert isinstance(start, date) and isinstance(end, date)
    assert text.count(str(end.year)) >= 1
    assert f"{start.year} г. –" not in text  # not "… 2026 г. – … 2026 г."
    assert "в период" in text
