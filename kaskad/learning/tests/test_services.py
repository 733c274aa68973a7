from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.certificates.selectors import certificate_verify
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError, StateConflict
from kaskad.delivery.models import EnrolmentStatus as DeliveryStatus
from kaskad.delivery.tests.factories import make_cohort, make_teacher
from kaskad.learning import services, steps
from kaskad.learning.models import Attempt, Course, CourseVersion, Enrolment, Step, StepProgress
from kaskad.learning.tests.factories import (
    course_admin,
    make_course,
    outline_with_quiz,
    published_course,
)

pytestmark = pytest.mark.django_db


def teacher_user() -> Any:
    return make_user(roles=[(Role.TEACHER, None)], person=make_teacher())


def current(course: Course) -> CourseVersion:
    assert course.current_version is not None
    return course.current_version


def quiz_steps(enrolment: Enrolment) -> list[Step]:
    return [
        s for s in Step.objects.filter(version=enrolment.version).order_by("position") if s.is_quiz
    ]


def right(enrolment: Enrolment, step: Step) -> dict[str, Any]:
    p = services.step_open(enrolment=enrolment, step=step)
    return steps.correct_reply(step.definition, p.variant or {})


def wrong(enrolment: Enrolment, step: Step) -> dict[str, Any]:
    p = services.step_open(enrolment=enrolment, step=step)
    if step.kind == "single_choice":
        good = steps.correct_reply(step.definition, p.variant or {})["choice"]
        return {"choice": (good + 1) % len(step.definition["options"])}
    if step.kind == "true_false":
        return {"value": not step.definition["answer"]}
    return {"value": "1"}


def test_text_is_sanitised_and_gift_becomes_steps() -> None:
    course, _ = published_course()
    version = current(course)
    kinds = list(Step.objects.filter(version=version).values_list("kind", flat=True))
    assert kinds == ["text", "single_choice", "true_false", "number"]
    text = Step.objects.get(version=course.current_version, kind="text")
    assert "<h2>Welcome</h2>" in text.body_html
    assert version.total_points == 3
    assert version.required_count == 3


def test_script_is_removed_from_text() -> None:
    by = course_admin()
    course = make_course(by=by)
    _, _, lesson = outline_with_quiz(course, by=by)
    step = services.step_add(
        lesson=lesson,
        definition={
            "kind": "text",
            "format": "html",
            "body": '<p onclick="x()">Hi</p><script>alert(1)</script><a href="javascript:x">l</a>',
        },
        by=by,
    )
    assert "script" not in step.body_html and "onclick" not in step.body_html
    assert "javascript" not in step.body_html


def test_learner_completes_after_failing_and_retrying() -> None:
    course, _ = published_course(pass_percent=100)
    user = teacher_user()
    enrolment = services.enrol(course=course, user=user)
    first = quiz_steps(enrolment)[0]
    out = services.reply_submit(
        enrolment=enrolment, step=first, reply=wrong(enrolment, first), idempotency_key="a1"
    )
    assert out.result["score"] == 0 and not out.completed
    out = services.reply_submit(
        enrolment=enrolment, step=first, reply=right(enrolment, first), idempotency_key="a2"
    )
    assert out.result["score"] == 1
    for step in quiz_steps(enrolment)[1:]:
        out = services.reply_submit(
            enrolment=enrolment,
            step=step,
            reply=right(enrolment, step),
            idempotency_key=f"k{step.pk}",
        )
    assert out.completed
    enrolment.refresh_from_db()
    assert enrolment.status == "completed" and enrolment.hours == 24
    # An open enrolment counts in the area of the teacher's school on the day of completion.
    assert enrolment.person is not None and enrolment.person.current_organisation is not None
    assert enrolment.area_id == enrolment.person.current_organisation.area_id
    assert enrolment.points == 3 and enrolment.steps_done == 3  # the text step is not opened
    assert Attempt.objects.filter(progress__enrolment=enrolment).count() == 4
    certificate = services.certificate_pdf_for(enrolment=enrolment)
    assert certificate.pdf and certificate.portfolio_id is None
    assert certificate_verify(number=certificate.number).status == "valid"
    # The second download finds the same certificate.
    assert services.certificate_for(enrolment=enrolment).pk == certificate.pk


def test_best_score_kept_and_module_totals_incremental() -> None:
    course, _ = published_course()
    enrolment = services.enrol(course=course, user=teacher_user())
    step = quiz_steps(enrolment)[0]
    services.reply_submit(
        enrolment=enrolment, step=step, reply=right(enrolment, step), idempotency_key="1"
    )
    services.reply_submit(
        enrolment=enrolment, step=step, reply=wrong(enrolment, step), idempotency_key="2"
    )
    enrolment.refresh_from_db()
    assert enrolment.points == 1
    assert enrolment.module_progress == {str(step.module_id): [1, 1.0]}


def test_double_submit_records_one_attempt() -> None:
    course, _ = published_course()
    enrolment = services.enrol(course=course, user=teacher_user())
    step = quiz_steps(enrolment)[0]
    reply = right(enrolment, step)
    one = services.reply_submit(enrolment=enrolment, step=step, reply=reply, idempotency_key="same")
    two = services.reply_submit(enrolment=enrolment, step=step, reply=reply, idempotency_key="same")
    assert two.repeated and two.attempt.pk == one.attempt.pk
    assert Attempt.objects.filter(step=step).count() == 1
    enrolment.refresh_from_db()
    assert enrolment.points == 1


def test_attempt_limit() -> None:
    course, _ = published_course(max_attempts=1)
    enrolment = services.enrol(course=course, user=teacher_user())
    step = quiz_steps(enrolment)[0]
    services.reply_submit(
        enrolment=enrolment, step=step, reply=wrong(enrolment, step), idempotency_key="1"
    )
    with pytest.raises(StateConflict) as err:
        services.reply_submit(
            enrolment=enrolment, step=step, reply=right(enrolment, step), idempotency_key="2"
        )
    assert err.value.code == "attempts_used"


def test_reply_to_another_version_is_refused_and_progress_survives_publishing() -> None:
    course, by = published_course()
    enrolment = services.enrol(course=course, user=teacher_user())
    step = quiz_steps(enrolment)[0]
    services.reply_submit(
        enrolment=enrolment, step=step, reply=right(enrolment, step), idempotency_key="1"
    )
    draft = services.draft_for(course=course, by=by)
    v2 = services.version_publish(version=draft, by=by)
    other = Step.objects.get(version=v2, key=step.key)
    with pytest.raises(StateConflict) as err:
        services.reply_submit(
            enrolment=enrolment, step=other, reply={"choice": 0}, idempotency_key="2"
        )
    assert err.value.code == "step_other_version"
    enrolment.refresh_from_db()
    assert enrolment.version_id == step.version_id and enrolment.points == 1
    moved = services.enrolment_move(enrolment=enrolment, version=v2, by=by)
    assert moved.version_id == v2.pk and moved.points == 1 and moved.steps_done == 1
    assert StepProgress.objects.filter(enrolment=enrolment, step=other, status="done").exists()


def test_published_version_cannot_be_edited() -> None:
    course, by = published_course()
    module = current(course).modules.get()
    with pytest.raises(StateConflict):
        services.lesson_add(module=module, title="More", by=by)


def test_hard_deadline_refuses_and_soft_deadline_penalises() -> None:
    now = timezone.now()
    course, _ = published_course(
        module={
            "soft_deadline": now - timedelta(days=1),
            "hard_deadline": now + timedelta(days=1),
            "penalty_percent": 50,
        }
    )
    enrolment = services.enrol(course=course, user=teacher_user())
    step = quiz_steps(enrolment)[0]
    out = services.reply_submit(
        enrolment=enrolment, step=step, reply=right(enrolment, step), idempotency_key="1"
    )
    assert out.result["credited"] == 0.5 and out.result["penalised"]
    late, _ = published_course(
        module={"soft_deadline": now - timedelta(days=2), "hard_deadline": now - timedelta(days=1)}
    )
    enrolment = services.enrol(course=late, user=teacher_user())
    step = quiz_steps(enrolment)[0]
    with pytest.raises(StateConflict) as err:
        services.reply_submit(
            enrolment=enrolment, step=step, reply=right(enrolment, step), idempotency_key="1"
        )
    assert err.value.code == "hard_deadline_passed"


@pytest.mark.parametrize(
    ("definition", "code"),
    [
        (
            {"kind": "single_choice", "prompt": "Q", "options": [{"text": "a"}, {"text": "b"}]},
            "no_correct",
        ),
        ({"kind": "number", "prompt": "Q", "answers": [{"value": 3}]}, ""),
        ({"kind": "matching", "prompt": "Q", "left": ["a", "b", "c"], "right": ["1", "2"]}, ""),
    ],
)
def test_bad_definitions_are_refused(definition: dict[str, Any], code: str) -> None:
    by = course_admin()
    course = make_course(by=by)
    _, _, lesson = outline_with_quiz(course, by=by)
    before = Step.objects.count()
    with pytest.raises(DomainError) as err:
        services.step_add(lesson=lesson, definition=definition, by=by)
    assert err.value.code.startswith("definition_")
    assert code in err.value.code
    assert Step.objects.count() == before


def test_gift_syntax_error_imports_nothing() -> None:
    by = course_admin()
    course = make_course(by=by)
    draft = services.draft_for(course=course, by=by)
    module = services.module_add(version=draft, title="M", by=by)
    lesson = services.lesson_add(module=module, title="L", by=by)
    with pytest.raises(DomainError) as err, translation.override("en"):
        services.gift_import(lesson=lesson, text="Q1 {=a ~b}\n\nQ2 {=a ~b\n", by=by)
    assert err.value.code == "gift_brace_not_closed"
    with translation.override("en"):
        assert str(err.value.message).startswith("GIFT file, line 3, column 4: the answers")
    assert not Step.objects.filter(version=draft).exists()


def test_gift_export_round_trips() -> None:
    from kaskad.learning.gift import parse_gift
    from kaskad.learning.tests.factories import GIFT_QUIZ

    course, _ = published_course()
    text = services.gift_export(version=current(course))
    assert parse_gift(text) == parse_gift(GIFT_QUIZ)


def test_video_upload_that_is_not_a_video_is_refused() -> None:
    by = course_admin()
    course = make_course(by=by)
    _, _, lesson = outline_with_quiz(course, by=by)
    fake = SimpleUploadedFile("lesson.mp4", b"%PDF-1.4 not a video at all")
    with pytest.raises(DomainError) as err:
        services.step_add(lesson=lesson, definition={"kind": "video"}, media=fake, by=by)
    assert err.value.code == "not_a_video"
    video = SimpleUploadedFile("lesson.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    step = services.step_add(lesson=lesson, definition={"kind": "video"}, media=video, by=by)
    assert step.media_type == "video/mp4" and step.media


def test_enrolment_rules() -> None:
    course, _ = published_course()
    public_learner = services.learner_create(
        email="Parent@Example.kz",
        password="a-long-pass-phrase-42",
        first_name="Айгүл",
        last_name="Б",
    )
    with pytest.raises(PermissionDeniedError):
        services.enrol(course=course, user=public_learner)
    public, _ = published_course(is_public=True)
    enrolment = services.enrol(course=public, user=public_learner)
    assert enrolment.person_id is None
    assert services.enrol(course=public, user=public_learner).pk == enrolment.pk
    with pytest.raises(DomainError) as err:
        services.learner_create(
            email="parent@example.kz",
            password="a-long-pass-phrase-42",
            first_name="A",
            last_name="B",
        )
    assert err.value.code == "email_taken"


def test_public_learner_gets_a_certificate_without_iin() -> None:
    course, _ = published_course(is_public=True)
    user = services.learner_create(
        email="p2@example.kz",
        password="a-long-pass-phrase-42",
        first_name="Айгүл",
        last_name="Бекова",
    )
    enrolment = services.enrol(course=course, user=user)
    for step in quiz_steps(enrolment):
        services.reply_submit(
            enrolment=enrolment,
            step=step,
            reply=right(enrolment, step),
            idempotency_key=str(step.pk),
        )
    enrolment.refresh_from_db()
    certificate = services.certificate_for(enrolment=enrolment)
    assert certificate.person_id is None and certificate.public_name == "Айгүл Б."


def test_cohort_enrolment_completes_the_delivery_enrolment() -> None:
    from kaskad.delivery.services import enrolment_request
    from kaskad.delivery.tests.factories import make_version

    admin = course_admin()
    version = make_version(formats=["self_paced"], hours=24)
    cohort = make_cohort(version=version, format="self_paced", status="open", by=admin)
    person = make_teacher()
    user = make_user(roles=[(Role.TEACHER, None)], person=person)
    delivery = enrolment_request(cohort=cohort, person=person, by=admin)
    course = services.course_create(
        programme_version=version,
        branch=cohort.branch,
        data=services.CourseData(
            code="C-1", title="T", language="ru", pacing="cohort", cohort=cohort
        ),
        by=admin,
    )
    draft, _, _ = outline_with_quiz(course, by=admin)
    services.version_publish(version=draft, by=admin)
    course.refresh_from_db()
    assert services.cohort_enrol(course=course, by=admin) == 1
    assert services.cohort_enrol(course=course, by=admin) == 0  # once each
    enrolment = Enrolment.objects.get(course=course, user=user)
    for step in quiz_steps(enrolment):
        services.reply_submit(
            enrolment=enrolment,
            step=step,
            reply=right(enrolment, step),
            idempotency_key=str(step.pk),
        )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.COMPLETED and delivery.hours_attended == 24
    # The completion counts in the area of the cohort enrolment (ADR 0007).
    enrolment.refresh_from_db()
    assert enrolment.area_id == delivery.area_id is not None
    outsider = teacher_user()
    with pytest.raises(PermissionDeniedError):
        services.enrol(course=course, user=outsider)


def test_outsider_cannot_edit() -> None:
    course = make_course()
    stranger = teacher_user()
    with pytest.raises(NotFoundError):
        services.draft_for(course=course, by=stranger)


def test_certificates_are_issued_in_batches() -> None:
    from io import StringIO

    from django.core.management import call_command

    course, _ = published_course()
    enrolment = services.enrol(course=course, user=teacher_user())
    for step in quiz_steps(enrolment):
        services.reply_submit(
            enrolment=enrolment,
            step=step,
            reply=right(enrolment, step),
            idempotency_key=str(step.pk),
        )
    call_command("learning_certificates", course.code, stdout=StringIO())
    enrolment.refresh_from_db()
    assert enrolment.certificate is not None and not enrolment.certificate.pdf
