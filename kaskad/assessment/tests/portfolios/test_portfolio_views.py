"""The portfolio pages: the teacher's list and portfolio page, uploads of several files at once,
downloads through a scoped view, the released result without the assessor's identity, the
consent to publish, and the trainer's cohort page with feedback on drafts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaskad.assessment.models import (
    Assignment,
    Criterion,
    CriterionMark,
    DraftFeedback,
    Portfolio,
    PortfolioFile,
    PortfolioStatus,
    Rating,
)
from kaskad.assessment.portfolios.services import draft_feedback_add, portfolio_submit
from kaskad.assessment.tests.factories import make_assessor
from kaskad.assessment.tests.portfolio_documents import AUTHOR, make_docx
from kaskad.assessment.tests.portfolio_helpers import (
    TEXT,
    Case,
    add_text_file,
    cohort_trainer,
    participant_case,
    stored_files,
)
from kaskad.delivery.tests.factories import coordinator_of, make_teacher, teacher_user

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_after(client: Client, response: Any) -> list[str]:
    assert response.status_code == 302
    page = client.get(response["Location"])
    return [str(m) for m in page.context["messages"]]


def detail_url(case: Case) -> str:
    return reverse("assessment:portfolio_detail", args=[case.portfolio.pk])


# --- My portfolios ----------------------------------------------------------------------------


def test_my_portfolios_lists_the_courses_with_an_assessment() -> None:
    case = participant_case()
    client = login(case.user)
    page = client.get(reverse("assessment:my_portfolios"))
    assert page.status_code == 200
    text = page.content.decode()
    assert case.cohort.code in text and detail_url(case) in text
    assert "draft" in text.lower()


def test_a_portfolio_is_started_from_the_list() -> None:
    case = participant_case()
    Portfolio.objects.all().delete()
    client = login(case.user)
    page = client.get(reverse("assessment:my_portfolios")).content.decode()
    start = reverse("assessment:portfolio_start", args=[case.enrolment.pk])
    assert start in page and "Start the portfolio" in page
    response = client.post(start)
    portfolio = Portfolio.objects.get()
    assert response["Location"] == reverse("assessment:portfolio_detail", args=[portfolio.pk])
    outsider = login(teacher_user(make_teacher()))
    assert outsider.post(start).status_code == 404


# --- The portfolio page -----------------------------------------------------------------------


def test_the_portfolio_page_shows_files_with_word_counts_and_the_forms() -> None:
    case = participant_case()
    add_text_file(case, "one two three four five", "notes.txt")
    text = login(case.user).get(detail_url(case)).content.decode()
    assert "notes.txt" in text and ">5<" in text
    assert reverse("assessment:portfolio_upload", args=[case.portfolio.pk]) in text
    assert 'name="files"' in text and "multiple" in text
    assert reverse("assessment:portfolio_submit", args=[case.portfolio.pk]) in text
    assert "data-confirm=" in text


@pytest.mark.parametrize("who", ["teacher", "other coordinator", "trainer of another cohort"])
def test_someone_else_s_portfolio_page_is_not_found(who: str) -> None:
    case = participant_case()
    add_text_file(case)
    record = PortfolioFile.objects.get()
    user = {
        "teacher": lambda: teacher_user(make_teacher()),
        "other coordinator": lambda: coordinator_of("AST"),
        "trainer of another cohort": lambda: cohort_trainer(participant_case().cohort),
    }[who]()
    client = login(user)
    pk = case.portfolio.pk
    assert client.get(detail_url(case)).status_code == 404
    assert client.get(reverse("assessment:portfolio_file", args=[pk, record.pk])).status_code == 404
    assert client.post(reverse("assessment:portfolio_submit", args=[pk])).status_code == 404
    assert (
        client.post(
            reverse("assessment:portfolio_upload", args=[pk]),
            {"files": SimpleUploadedFile("x.txt", b"some text")},
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("assessment:portfolio_file_remove", args=[pk, record.pk])).status_code
        == 404
    )
    assert PortfolioFile.objects.count() == 1
    assert Portfolio.objects.get(pk=pk).status == PortfolioStatus.DRAFT


def test_several_files_at_once_and_a_bad_one_is_named() -> None:
    case = participant_case()
    client = login(case.user)
    response = client.post(
        reverse("assessment:portfolio_upload", args=[case.portfolio.pk]),
        {
            "files": [
                SimpleUploadedFile("plan.docx", make_docx([TEXT], author=AUTHOR)),
                SimpleUploadedFile("picture.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
                SimpleUploadedFile("notes.txt", "Рефлексия: әғқңөұүһі.".encode()),
            ]
        },
    )
    shown = messages_after(client, response)
    assert any("“picture.pdf” is not a PDF, DOCX, ODT or plain text file" in m for m in shown)
    assert any("“plan.docx”" in m and "“notes.txt”" in m for m in shown)
    assert sorted(PortfolioFile.objects.values_list("original_name", flat=True)) == [
        "notes.txt",
        "plan.docx",
    ]
    assert len(stored_files()) == 2


def test_an_upload_without_files_says_so() -> None:
    case = participant_case()
    client = login(case.user)
    response = client.post(reverse("assessment:portfolio_upload", args=[case.portfolio.pk]))
    assert messages_after(client, response) == ["Choose at least one file to upload."]


def test_removing_and_submitting_from_the_page() -> None:
    case = participant_case()
    client = login(case.user)
    record = add_text_file(case)
    remove = reverse("assessment:portfolio_file_remove", args=[case.portfolio.pk, record.pk])
    assert any("was removed" in m for m in messages_after(client, client.post(remove)))
    submit = reverse("assessment:portfolio_submit", args=[case.portfolio.pk])
    shown = messages_after(client, client.post(submit))
    assert shown == ["Add at least one file before submitting the portfolio."]
    add_text_file(case, "A second version of the text.", "v2.txt")
    shown = messages_after(client, client.post(submit))
    assert any("was submitted" in m for m in shown)
    assert Portfolio.objects.get().status == PortfolioStatus.SUBMITTED
    page = client.get(detail_url(case)).content.decode()
    assert 'name="files"' not in page and "assessed anonymously" in page


def test_after_the_deadline_the_page_says_so_and_takes_nothing() -> None:
    case = participant_case()
    add_text_file(case)
    Portfolio.objects.update(deadline=timezone.now() - timedelta(hours=1))
    client = login(case.user)
    page = client.get(detail_url(case)).content.decode()
    assert "has passed" in page and 'name="files"' not in page
    shown = messages_after(
        client, client.post(reverse("assessment:portfolio_submit", args=[case.portfolio.pk]))
    )
    assert any("has passed" in m for m in shown)
    assert Portfolio.objects.get().status == PortfolioStatus.DRAFT


# --- Downloads --------------------------------------------------------------------------------


def test_the_participant_downloads_the_stripped_copy() -> None:
    case = participant_case()
    client = login(case.user)
    client.post(
        reverse("assessment:portfolio_upload", args=[case.portfolio.pk]),
        {"files": SimpleUploadedFile("plan.docx", make_docx([TEXT], author=AUTHOR))},
    )
    record = PortfolioFile.objects.get()
    response = client.get(reverse("assessment:portfolio_file", args=[case.portfolio.pk, record.pk]))
    assert response.status_code == 200
    assert 'attachment; filename="plan.docx"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body[:2] == b"PK" and AUTHOR.encode() not in body
    # The file is not reachable from a public media URL of its original name.
    assert "plan.docx" not in str(record.stored.name)


def test_a_trainer_opens_a_draft_s_files_but_not_once_submitted() -> None:
    case = participant_case()
    record = add_text_file(case)
    trainer = login(cohort_trainer(case.cohort))
    url = reverse("assessment:portfolio_file", args=[case.portfolio.pk, record.pk])
    assert trainer.get(url).status_code == 200
    portfolio_submit(portfolio=case.portfolio, by=case.user)
    assert trainer.get(url).status_code == 404


# --- The released result ----------------------------------------------------------------------


def _marked(case: Case, *, released: bool) -> Any:
    assessor, _user = make_assessor(programme=case.cohort.version.programme, branch_code="AST")
    now = timezone.now()
    assignment = Assignment.objects.create(
        portfolio=case.portfolio,
        attempt=1,
        role="first",
        assessor=assessor,
        status="marked",
        allocated_at=now,
        due_at=now + timedelta(days=7),
        marked_at=now,
        rating=Rating.GOOD,
        comment="A coherent series with strong reflection.",
    )
    for criterion in Criterion.objects.filter(rubric=case.rubric):
        CriterionMark.objects.create(
            assignment=assignment,
            criterion=criterion,
            level=3,
            comment=f"Mark comment for criterion {criterion.order}.",
        )
    Portfolio.objects.filter(pk=case.portfolio.pk).update(
        status=PortfolioStatus.CERTIFIED if released else PortfolioStatus.AWAITING_PLAGIARISM,
        rating=Rating.GOOD,
        submitted_at=now,
        released_at=now if released else None,
        plagiarism_status="clear" if released else "pending",
    )
    return assessor


def test_the_released_result_shows_marks_descriptors_and_comments_but_no_assessor() -> None:
    case = participant_case()
    add_text_file(case)
    assessor = _marked(case, released=True)
    page = login(case.user).get(detail_url(case)).content.decode()
    assert "A coherent series with strong reflection." in page
    assert "Mark comment for criterion 1." in page
    assert "exceeds the standard" in page  # the level descriptor of level 3
    assert "Planning of the lesson series" in page
    assert "Good" in page
    assert assessor.surname not in page and assessor.full_name not in page


def test_nothing_of_the_marks_shows_before_release() -> None:
    case = participant_case()
    add_text_file(case)
    _marked(case, released=False)
    page = login(case.user).get(detail_url(case)).content.decode()
    assert "A coherent series" not in page and "Mark comment" not in page


def test_consent_to_publish_a_good_portfolio() -> None:
    case = participant_case()
    add_text_file(case)
    _marked(case, released=True)
    client = login(case.user)
    page = client.get(detail_url(case)).content.decode()
    consent = reverse("assessment:portfolio_consent", args=[case.portfolio.pk])
    assert consent in page and "I agree to publish my portfolio with my name and school" in page
    client.post(consent, {"consent": "1"})
    assert Portfolio.objects.get().publish_consent_at is not None
    assert "Withdraw my consent" in client.get(detail_url(case)).content.decode()
    client.post(consent, {"consent": "0"})
    assert Portfolio.objects.get().publish_consent_at is None
    # Staff see the page but are not asked for consent.
    staff_page = login(coordinator_of("ALA")).get(detail_url(case)).content.decode()
    assert consent not in staff_page


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        (
            "en",
            [
                "your full name and the name of your school",
                "the level you teach",
                "the date of publication",
                "your files to download",
            ],
            "Not shown: your IIN",
        ),
        (
            "kk",
            [
                "толық аты-жөніңіз және мектебіңіздің атауы",
                "сабақ беретін деңгейіңіз",
                "жарияланған күні",
                "жүктеп алуға болатын файлдарыңыз",
            ],
            "Көрсетілмейді: ЖСН-іңіз",
        ),
        (
            "ru",
            [
                "ваши фамилия, имя и отчество и название вашей школы",
                "уровень, на котором вы преподаёте",
                "дата публикации",
                "ваши файлы для скачивания",
            ],
            "Не показываются: ваш ИИН",
        ),
    ],
)
def test_the_consent_says_what_will_be_shown_publicly(
    language: str, shown: list[str], not_shown: str
) -> None:
    case = participant_case()
    add_text_file(case)
    _marked(case, released=True)
    client = login(case.user)
    client.cookies["django_language"] = language
    for consented in (False, True):
        page = client.get(detail_url(case), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for item in [*shown, not_shown]:
            assert item in page, (consented, item)
        client.post(
            reverse("assessment:portfolio_consent", args=[case.portfolio.pk]), {"consent": "1"}
        )


# --- The trainer ------------------------------------------------------------------------------


def test_the_trainer_s_cohort_page_and_feedback_on_a_draft() -> None:
    case = participant_case()
    add_text_file(case, "draft words here", "draft.txt")
    trainer_user = cohort_trainer(case.cohort)
    client = login(trainer_user)
    index = client.get(reverse("assessment:trainer_portfolios")).content.decode()
    cohort_url = reverse("assessment:cohort_portfolios", args=[case.cohort.pk])
    assert cohort_url in index
    page = client.get(cohort_url).content.decode()
    assert case.enrolment.person.full_name in page and "draft.txt" in page
    feedback_url = reverse("assessment:portfolio_feedback", args=[case.portfolio.pk])
    assert feedback_url in page
    response = client.post(feedback_url, {"text": "Add pupils' work samples."})
    assert any("Feedback sent" in m for m in messages_after(client, response))
    assert DraftFeedback.objects.get().author == trainer_user
    participant_page = login(case.user).get(detail_url(case)).content.decode()
    assert "Add pupils&#x27; work samples." in participant_page


def test_empty_feedback_is_refused_with_a_message() -> None:
    case = participant_case()
    client = login(cohort_trainer(case.cohort))
    response = client.post(
        reverse("assessment:portfolio_feedback", args=[case.portfolio.pk]), {"text": "  "}
    )
    assert messages_after(client, response)
    assert not DraftFeedback.objects.exists()


def test_a_trainer_of_another_cohort_gets_not_found() -> None:
    case = participant_case()
    other = login(cohort_trainer(participant_case().cohort))
    assert (
        other.get(reverse("assessment:cohort_portfolios", args=[case.cohort.pk])).status_code == 404
    )
    response = other.post(
        reverse("assessment:portfolio_feedback", args=[case.portfolio.pk]), {"text": "Hello"}
    )
    assert response.status_code == 404
    assert not DraftFeedback.objects.exists()


def test_teachers_have_no_trainer_pages() -> None:
    case = participant_case()
    client = login(case.user)
    assert client.get(reverse("assessment:trainer_portfolios")).status_code == 404
    assert (
        client.get(reverse("assessment:cohort_portfolios", args=[case.cohort.pk])).status_code
        == 404
    )


def test_feedback_is_shown_to_the_participant_once_given() -> None:
    case = participant_case()
    draft_feedback_add(portfolio=case.portfolio, text="Good start.", by=cohort_trainer(case.cohort))
    assert "Good start." in login(case.user).get(detail_url(case)).content.decode()


def test_the_trainer_reads_the_draft_and_their_earlier_comments_in_the_page() -> None:
    case = participant_case()
    add_text_file(case, "Сабақ жоспары: оқушылар топта жұмыс істейді.", "plan.txt")
    trainer_user = cohort_trainer(case.cohort)
    client = login(trainer_user)
    feedback_url = reverse("assessment:portfolio_feedback", args=[case.portfolio.pk])
    client.post(feedback_url, {"text": "Add the success criteria."})
    page = client.get(reverse("assessment:cohort_portfolios", args=[case.cohort.pk]))
    body = page.content.decode()
    assert "Сабақ жоспары: оқушылар топта жұмыс істейді." in body  # the text itself
    assert "Add the success criteria." in body  # the comment, not only a count
    comments = body.split('class="draft-comments"')[1].split("</section>")[0]
    assert "Add the success criteria." in comments and "you" in comments
