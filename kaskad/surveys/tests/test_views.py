"""The pages: public answering without an account (throttled, one answer per form), creating
from an XLSForm with problems listed, results with suppression, and scope (out of scope = 404)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.delivery.tests.factories import coordinator_of, make_cohort
from kaskad.registry.tests.factories import branch
from kaskad.surveys.models import Response, Survey
from kaskad.surveys.services import SurveyFields, response_submit_public, survey_create
from kaskad.surveys.tests.factories import (
    CHOICES_SHEET,
    GOOD_ANSWERS,
    SURVEY_SHEET,
    officer,
    public_survey,
    workbook,
)

pytestmark = pytest.mark.django_db


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_public_page_asks_in_kazakh_and_keeps_one_answer_per_form() -> None:
    survey = public_survey()
    client = Client(HTTP_ACCEPT_LANGUAGE="kk")
    url = reverse("surveys:public", args=[survey.link])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Балаңыздың жасы" in body and "data-relevant" in body
    assert "<script>" not in body  # no inline script (the CSP forbids them)
    token = page.context["token"]
    data = {**GOOD_ANSWERS, "_token": token, "_group": "parent"}
    assert client.post(url, data).status_code == 200
    again = client.post(url, data)
    assert again.status_code == 200 and again.context["again"]
    assert Response.objects.count() == 1


def test_the_public_page_shows_what_is_wrong_and_keeps_the_answers() -> None:
    survey = public_survey()
    url = reverse("surveys:public", args=[survey.link])
    page = Client().post(url, {**GOOD_ANSWERS, "age": "40", "_token": "tok", "_group": "parent"})
    assert page.status_code == 400
    assert "От 6 до 18" in page.content.decode() or "6 мен 18" in page.content.decode()
    assert 'value="1.5"' in page.content.decode()
    assert Response.objects.count() == 0


@override_settings(KASKAD_SURVEY_PUBLIC_LIMIT=3)
def test_the_public_page_is_throttled() -> None:
    survey = public_survey()
    url = reverse("surveys:public", args=[survey.link])
    client = Client()
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_missing_or_draft_link_is_not_found() -> None:
    draft = public_survey(publish=False)
    assert Client().get(reverse("surveys:public", args=[draft.link])).status_code == 404
    assert Client().get(reverse("surveys:public", args=["nothing"])).status_code == 404


def test_creating_from_a_bad_xlsform_lists_the_problems_and_creates_nothing() -> None:
    today = timezone.localdate()
    choices = [*CHOICES_SHEET, ["yn", "yes", "Иә", "Да"]]
    upload = SimpleUploadedFile("bad.xlsx", workbook(choices=choices))
    page = _client(officer()).post(
        reverse("surveys:create"),
        {
            "title_kk": "Сауалнама",
            "audience": "public",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=3)).isoformat(),
            "xlsform": upload,
        },
    )
    assert page.status_code == 400
    assert page.context["problems"][0].row == 12
    assert Survey.objects.count() == 0


def test_creating_from_a_good_xlsform_and_closing_before_opening() -> None:
    today = timezone.localdate()
    client = _client(officer())
    data = {
        "title_kk": "Сауалнама",
        "audience": "public",
        "opens_on": today.isoformat(),
        "closes_on": (today - timedelta(days=3)).isoformat(),
        "xlsform": SimpleUploadedFile("good.xlsx", workbook()),
    }
    page = client.post(reverse("surveys:create"), data)
    assert page.status_code == 200 and page.context["form"].errors["closes_on"]
    assert Survey.objects.count() == 0
    data["closes_on"] = (today + timedelta(days=3)).isoformat()
    data["xlsform"] = SimpleUploadedFile("good.xlsx", workbook(SURVEY_SHEET))
    page = client.post(reverse("surveys:create"), data)
    survey = Survey.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse(
        "surveys:detail", args=[survey.pk]
    )


def test_results_hide_small_cells_and_export() -> None:
    survey = public_survey()
    for index in range(6):
        response_submit_public(
            survey=survey,
            raw={**GOOD_ANSWERS, "safe": "4" if index < 5 else "1"},
            token=f"t{index}",
            group="parent",
        )
    client = _client(officer())
    page = client.get(reverse("surveys:results", args=[survey.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "data-suppressed" in body
    safe = next(q for q in page.context["results"].questions if q.name == "safe")
    assert [c.count for c in safe.cells] == [
        None,
        0,
        0,
        None,
        0,
    ]  # 1 once, 4 five times: 1 hides 4 too
    for fmt in ("csv", "xlsx", "sav"):
        assert client.get(reverse("surveys:export", args=[survey.pk, fmt])).status_code == 200


def test_a_coordinator_sees_only_their_branch_and_others_see_nothing() -> None:
    coordinator = coordinator_of("ALA")
    today = timezone.localdate()
    cohort_b = make_cohort(branch_obj=branch("AST"))
    survey_b = survey_create(
        by=make_user(roles=[(Role.NATIONAL_ADMIN, None)]),
        fields=SurveyFields(
            title={"kk": "B"}, audience="cohort", opens_on=today, closes_on=today, cohort=cohort_b
        ),
    )
    client = _client(coordinator)
    assert client.get(reverse("surveys:detail", args=[survey_b.pk])).status_code == 404
    assert client.get(reverse("surveys:results", args=[survey_b.pk])).status_code == 404
    teacher = _client(make_user(roles=[(Role.TEACHER, None)]))
    assert teacher.get(reverse("surveys:detail", args=[survey_b.pk])).status_code == 404
    assert teacher.get(reverse("surveys:create")).status_code == 404
    assert teacher.get(reverse("surveys:list")).status_code == 200
    # A coordinator may not run a country-wide public survey.
    page = client.post(
        reverse("surveys:create"),
        {"title_kk": "X", "audience": "public", "opens_on": today, "closes_on": today},
    )
    assert page.status_code == 200 and Survey.objects.count() == 1


def test_course_feedback_for_a_cohort_of_the_branch() -> None:
    from kaskad.assessment.tests.factories import enrol
    from kaskad.delivery.tests.factories import make_teacher, teacher_user

    coordinator = coordinator_of("ALA")
    cohort = make_cohort(branch_obj=branch("ALA"), status="open")
    participant = make_teacher(branch_code="ALA")
    enrol(cohort, participant)
    other = make_cohort(branch_obj=branch("AST"))
    client = _client(coordinator)
    refused = client.post(reverse("surveys:course_feedback"), {"cohort": other.pk})
    assert refused.status_code == 404
    page = client.post(reverse("surveys:course_feedback"), {"cohort": cohort.pk})
    survey = Survey.objects.get()
    assert page.status_code == 302
    assert survey.published and survey.opens_on == cohort.ends_on
    assert [q["name"] for q in survey.questions()] == [
        "relevant",
        "clear",
        "practice",
        "apply",
        "improve",
    ]
    # The participant sees it under "Surveys" once it opens.
    survey.opens_on = survey.closes_on = timezone.localdate()
    survey.save(update_fields=["opens_on", "closes_on"])
    listing = _client(teacher_user(participant)).get(reverse("surveys:list"))
    assert survey in listing.context["mine"]


def test_teachers_of_the_chosen_schools_answer_once() -> None:
    from kaskad.delivery.tests.factories import make_teacher, teacher_user
    from kaskad.registry.tests.factories import area_of, make_organisation

    school = make_organisation(area=area_of("ALA"))
    teacher = teacher_user(make_teacher(branch_code="ALA", organisation=school))
    elsewhere = teacher_user(make_teacher(branch_code="ALA"))
    survey = public_survey(audience="teachers", organisations=(school,))
    url = reverse("surveys:answer", args=[survey.pk])
    assert _client(elsewhere).get(url).status_code == 404
    client = _client(teacher)
    assert survey in client.get(reverse("surveys:list")).context["mine"]
    assert client.post(url, GOOD_ANSWERS).status_code == 200
    response = Response.objects.get()
    assert response.group == "teacher" and response.organisation_id == school.pk
    again = client.get(url)
    assert again.context["already"]
    assert survey not in client.get(reverse("surveys:list")).context["mine"]


def test_a_question_added_on_the_screen_is_checked_like_an_import() -> None:
    today = timezone.localdate()
    by = officer()
    survey = survey_create(
        by=by,
        fields=SurveyFields(title={"kk": "С"}, audience="public", opens_on=today, closes_on=today),
    )
    client = _client(by)
    url = reverse("surveys:question_add", args=[survey.pk])
    bad = client.post(
        url,
        {"type": "integer", "name": "age", "label_kk": "Жасы", "relevant": "${nobody} = 1"},
    )
    assert bad.status_code == 400 and "${nobody}" in bad.content.decode()
    survey.refresh_from_db()
    assert survey.questions() == []
    good = client.post(
        url,
        {
            "type": "select_one",
            "name": "agree",
            "label_kk": "Келісесіз бе?",
            "label_ru": "Согласны?",
            "choices": "1 | Жоқ | Нет\n2 | Иә | Да",
            "required": "on",
        },
    )
    assert good.status_code == 302
    survey.refresh_from_db()
    assert survey.questions()[0]["choices"][1]["label"] == {"kk": "Иә", "ru": "Да"}


def test_the_example_xlsform_downloads_and_imports() -> None:
    from kaskad.surveys.services import survey_import_xlsform

    by = officer()
    page = _client(by).get(reverse("surveys:xlsform_example"))
    assert page.status_code == 200
    today = timezone.localdate()
    survey = survey_import_xlsform(
        by=by,
        fields=SurveyFields(title={}, audience="public", opens_on=today, closes_on=today),
        data=page.content,
        filename="parents-survey.xlsx",
    )
    assert survey.title == "Ата-аналар сауалнамасы"  # from the settings sheet
    assert (
        _client(make_user(roles=[(Role.TEACHER, None)]))
        .get(reverse("surveys:xlsform_example"))
        .status_code
        == 404
    )
