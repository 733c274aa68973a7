"""Project pages: visible to members, mentors and trainers and the branch's staff; 404 for
anyone else, exactly like a project that does not exist. The summary PDF in the group's
language, and no pupil name anywhere."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django import forms as django_forms
from django.apps import apps
from django.test import Client
from pypdf import PdfReader

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.projects import forms as project_forms
from kaskad.projects.services import case_pupil_add, research_lesson_add
from kaskad.projects.tests.factories import (
    CONSENT,
    coordinator,
    make_research,
    make_world,
    person_user,
)
from kaskad.registry.tests.factories import make_person

pytestmark = pytest.mark.django_db


CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*')


def page(content: bytes, url: str) -> bytes:
    return CSRF.sub(rb"\1", content.replace(url.encode(), b"{url}"))


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_visible_to_members_mentors_and_branch_staff_404_for_others() -> None:
    world = make_world()
    assert world.group is not None and world.mentor is not None
    research = make_research(world)
    urls = [
        f"/projects/{world.project.code}/",
        f"/projects/lesson-study/{world.group.pk}/",
        f"/projects/lesson-study/{world.group.pk}/report.pdf",
        f"/projects/action-research/{research.pk}/",
        f"/projects/action-research/{research.pk}/report.pdf",
    ]
    missing = [
        "/projects/no-such-project/",
        "/projects/lesson-study/987654/",
        "/projects/lesson-study/987654/report.pdf",
        "/projects/action-research/987654/",
        "/projects/action-research/987654/report.pdf",
    ]
    allowed = [
        person_user(world.teachers[0]),
        person_user(world.mentor),
        coordinator("AST"),
        world.admin,
    ]
    for user in allowed:
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)
    outsiders = [
        person_user(make_person()),
        coordinator("ALA"),
        make_user(roles=[(Role.ANALYST, None)]),
    ]
    for user in outsiders:
        client = client_for(user)
        for url, nothing in zip(urls, missing, strict=True):
            seen = client.get(url)
            absent = client.get(nothing)
            assert seen.status_code == absent.status_code == 404
            assert page(seen.content, url) == page(absent.content, nothing)
    assert world.project.name not in client_for(outsiders[0]).get("/projects/").content.decode()


def test_no_form_or_model_field_takes_a_pupil_name() -> None:
    """Pupils are codes by construction: no field of this app is a name of a pupil."""
    for model in apps.get_app_config("projects").get_models():
        names = {f.name for f in model._meta.get_fields()}
        if model.__name__ in {"CasePupil", "StagePrediction", "ObserverNote", "PupilInterview"}:
            assert not {n for n in names if "name" in n}, model
    case_fields = {f.name for f in apps.get_model("projects", "CasePupil")._meta.get_fields()}
    assert case_fields <= {"id", "group", "code", "attainment", "consent_recorded_on"}
    for form_class in vars(project_forms).values():
        pupil_form = getattr(form_class, "__name__", "") in {
            "CasePupilForm",
            "NoteForm",
            "InterviewForm",
            "PredictionForm",
        }
        if (
            isinstance(form_class, type)
            and issubclass(form_class, django_forms.Form)
            and pupil_form
        ):
            assert not [n for n in form_class.base_fields if "name" in n], form_class
    # The code field takes A, B or C only: a name typed into it is refused.
    form = project_forms.CasePupilForm(
        data={"code": "Айгерім", "attainment": "high", "consent_recorded_on": "2024-09-01"}
    )
    assert not form.is_valid() and "code" in form.errors


def test_summary_pdf_in_the_group_language_with_case_pupils_and_no_outsiders() -> None:
    world = make_world()
    group = world.group
    assert group is not None
    outsider = make_person(surname="Бөтенова")
    for code, level in zip("ABC", ("high", "middle", "low"), strict=True):
        case_pupil_add(
            group=group, code=code, attainment=level, consent_recorded_on=CONSENT, by=world.admin
        )
    research_lesson_add(
        group=group,
        taught_on=date(2024, 10, 1),
        plan="Бөлшектерді модельмен көрсету",
        success_criteria="Оқушы 1/2 мен 2/4 теңдігін түсіндіреді",
        stages=["Кіріспе", "Топтық жұмыс"],
        by=world.admin,
    )
    response = client_for(world.admin).get(f"/projects/lesson-study/{group.pk}/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Lesson Study" in text  # the Kazakh title keeps the method's name
    assert "Зерттеу сұрағы" in text or "зерттеу сұрағы" in text.lower()
    assert world.teachers[1].surname in text
    assert outsider.surname not in text
    assert "RL1" in text


def test_team_member_by_iin_on_the_project_page() -> None:
    world = make_world()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(coordinator("AST"))
    url = f"/projects/{world.project.code}/"
    form = {"action": "member", "school_id": world.school.pk, "member-role": "teacher"}
    unknown = client.post(url, {**form, "member-iin": "871008401427"})
    assert unknown.status_code == 400
    assert "No one with this IIN is in the registry." in unknown.content.decode()
    newcomer = make_person(organisation=world.school.organisation)
    added = client.post(url, {**form, "member-iin": newcomer.iin})
    assert added.status_code == 302
    assert world.school.team.filter(person=newcomer).exists()
    second = make_person(organisation=world.school.organisation)
    refused = client.post(url, {**form, "member-iin": second.iin, "member-role": "principal"})
    assert refused.status_code == 400
    assert "already has a principal" in refused.content.decode()
    assert not world.school.team.filter(person=second).exists()


def test_entry_page_refuses_a_picture_and_keeps_nothing() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kaskad.projects.models import ArEntry

    world = make_world()
    research = make_research(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person_user(world.teachers[2]))
    url = f"/projects/action-research/{research.pk}/"
    form = {
        "action": "entry",
        "entry-cycle": "1",
        "entry-step": "observe",
        "entry-dated": "2024-11-02",
        "entry-text": "Scores of Grade 7",
    }
    picture = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    refused = client.post(url, {**form, "entry-attachment": picture})
    assert refused.status_code == 400
    assert "photo.jpg is not a document" in refused.content.decode()
    assert not ArEntry.objects.exists()
    table = SimpleUploadedFile("scores.csv", b"code;score\nA;7\n")
    assert client.post(url, {**form, "entry-attachment": table}).status_code == 302
    assert ArEntry.objects.get().attachment.name
