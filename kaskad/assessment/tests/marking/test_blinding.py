"""Blind marking: nothing an assessor or a moderator is shown — pages, API answers, the files
they download — names the participant, their IIN, organisation, area, cohort or trainer, even
when the participant's documents carry their name in the file's own metadata.

The portfolio goes through the real path: opened for the enrolment, files uploaded (DOCX with
the author and company in docProps, PDF with /Author and XMP), submitted, allocated.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kaskad.assessment.allocation.services import assign_one
from kaskad.assessment.marking.services import assignment_mark
from kaskad.assessment.models import AssignmentRole, PortfolioStatus
from kaskad.assessment.portfolios.services import (
    portfolio_file_add,
    portfolio_for_enrolment,
    portfolio_submit,
)
from kaskad.assessment.tests.factories import (
    UNSATISFACTORY,
    enrol,
    live,
    make_assessor,
    make_rubric,
    marks_for,
    user_of,
)
from kaskad.assessment.tests.portfolio_documents import make_docx, make_pdf
from kaskad.delivery.services import trainer_assign
from kaskad.delivery.tests.factories import (
    make_cohort,
    make_teacher,
    make_trainer,
    make_version,
    national_admin,
    teacher_user,
)
from kaskad.registry.tests.factories import area_of, make_organisation

pytestmark = pytest.mark.django_db

SURNAME = "Zhaksylykova"
GIVEN = "Aigerimka"
PATRONYMIC = "Nurlanovna"
ORG = "Qyzylzhar Lyceum Seventy Seven"
TRAINER_SURNAME = "Trainerbekov"
PARAGRAPHS = [
    "A series of four lessons on fractions for Grade 5, with formative assessment.",
    "Reflection: pupils explained their reasoning in pairs; the exit tickets showed progress.",
]


def _world(*, xmp: bool):
    version = make_version()
    rubric = make_rubric(version=version, second_marking_percent=100)
    cohort = make_cohort(
        version=version, status="open", starts_on=timezone.localdate() - timedelta(days=3)
    )
    trainer, _trainer_user = make_trainer(programme=version.programme)
    trainer.surname = TRAINER_SURNAME
    trainer.save(update_fields=["surname"])
    trainer_assign(cohort=cohort, person=trainer, by=national_admin())
    school = make_organisation(
        area=area_of(cohort.branch.code), name=ORG, name_ru=ORG + " RU", name_en=ORG + " EN"
    )
    participant = make_teacher(
        branch_code=cohort.branch.code,
        organisation=school,
        surname=SURNAME,
        given_name=GIVEN,
        patronymic=PATRONYMIC,
    )
    user = teacher_user(participant)
    enrolment = enrol(cohort, participant)
    portfolio = portfolio_for_enrolment(enrolment=enrolment, by=user)
    author = f"{GIVEN} {PATRONYMIC} {SURNAME}"
    uploads = [
        SimpleUploadedFile(
            f"{SURNAME}_portfolio.docx",
            make_docx(PARAGRAPHS, author=author, company=ORG, comment_author=author),
        ),
        SimpleUploadedFile(
            f"{SURNAME}_lessons.pdf",
            make_pdf(PARAGRAPHS, author=author, xmp_author=author if xmp else ""),
        ),
    ]
    for upload in uploads:
        portfolio_file_add(portfolio=portfolio, upload=upload, by=user)
    portfolio_submit(portfolio=portfolio, by=user)
    assessors = [make_assessor(programme=version.programme, branch_code="AST") for _ in range(3)]
    moderator = make_assessor(programme=version.programme, branch_code="AST", moderator=True)
    first = assign_one(portfolio=portfolio, role=AssignmentRole.FIRST, by=None)
    assert first is not None
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.IN_ASSESSMENT
    area = school.area
    secrets_ = {
        SURNAME,
        GIVEN,
        PATRONYMIC,
        participant.iin,
        ORG,
        cohort.code,
        TRAINER_SURNAME,
        area.name,
        getattr(area, "name_ru", "") or area.name,
        getattr(area, "name_kk", "") or area.name,
        getattr(area, "name_en", "") or area.name,
    }
    return {
        "portfolio": portfolio,
        "rubric": rubric,
        "first": first,
        "assessors": assessors,
        "moderator": moderator,
        "secrets": {s for s in secrets_ if s},
    }


@pytest.fixture
def blind_world():
    return _world(xmp=False)


def _file_texts(content: bytes) -> list[str]:
    """The raw bytes, and for a ZIP container every member, and a PDF's metadata."""
    texts = [content.decode("latin-1")]
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            texts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    if content[:4] == b"%PDF":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content))
        texts.append(repr(dict(reader.metadata or {})))
        xmp = reader.xmp_metadata
        if xmp is not None:
            texts.append(xmp.rdf_root.toxml())
        texts += [page.extract_text() for page in reader.pages]
    return texts


def _check(texts: list[str], secrets_: set[str], where: str) -> None:
    for text in texts:
        for secret in secrets_:
            assert secret.lower() not in text.lower(), f"{secret!r} leaked in {where}"


def _everything_an_assessor_sees(
    client: Any, assignment: Any, *, moderation: bool = False
) -> list[tuple[str, list[str]]]:
    seen: list[tuple[str, list[str]]] = []
    client.force_login(user_of(assignment))
    queue = "assessment:moderation_queue" if moderation else "assessment:marking_queue"
    page = "assessment:moderation_task" if moderation else "assessment:marking_task"
    for name, args in ((queue, []), (page, [assignment.pk])):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        seen.append((name, [response.content.decode()]))
    for url in ("/api/assessment/tasks", f"/api/assessment/tasks/{assignment.pk}"):
        response = client.get(url)
        assert response.status_code == 200
        seen.append((url, [response.content.decode()]))
    detail = client.get(f"/api/assessment/tasks/{assignment.pk}").json()
    assert len(detail["files"]) == 2
    for item in detail["files"]:
        response = client.get(item["url"])
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert item["name"] in disposition and item["name"].startswith(
            f"P-{assignment.portfolio_id}-"
        )
        content = b"".join(response.streaming_content)
        seen.append((item["url"], [disposition, *_file_texts(content)]))
    return seen


def test_assessor_sees_nothing_identifying(client, blind_world):
    seen = _everything_an_assessor_sees(client, blind_world["first"])
    # The page really shows the work (else the check below proves nothing).
    page = dict(seen)["assessment:marking_task"][0]
    assert "fractions for Grade 5" in page
    for where, texts in seen:
        _check(texts, blind_world["secrets"], where)
    # The downloaded copies still hold the work itself.
    downloads = [texts for where, texts in seen if "/files/" in where]
    assert any("fractions" in " ".join(texts) for texts in downloads)


def test_second_marker_and_moderator_see_nothing_identifying(client, blind_world):
    first = blind_world["first"]
    assignment_mark(
        assignment=first,
        marks=marks_for(blind_world["rubric"], UNSATISFACTORY),
        comment="Needs more evidence of impact.",
        by=user_of(first),
    )
    portfolio = blind_world["portfolio"]
    second = live(portfolio, AssignmentRole.SECOND)
    assert second is not None
    for where, texts in _everything_an_assessor_sees(client, second):
        _check(texts, blind_world["secrets"], where)
    assignment_mark(
        assignment=second,
        marks=marks_for(blind_world["rubric"], [2, 3, 3, 3]),
        comment="Good evidence.",
        by=user_of(second),
    )
    moderation = live(portfolio, AssignmentRole.MODERATION)
    assert moderation is not None
    secrets_ = blind_world["secrets"] | {
        first.assessor.surname,
        first.assessor.iin,
        second.assessor.surname,
        second.assessor.iin,
    }
    seen = _everything_an_assessor_sees(client, moderation, moderation=True)
    assert "Assessor A" in dict(seen)["assessment:moderation_task"][0]
    for where, texts in seen:
        _check(texts, secrets_, where)


def test_pdf_xmp_author_is_not_served(client):
    """A PDF whose XMP packet (not only /Info) names the author: the served copy must not
    carry it, not even as an unreferenced object left in the file."""
    world = _world(xmp=True)
    for where, texts in _everything_an_assessor_sees(client, world["first"]):
        _check(texts, world["secrets"], where)
