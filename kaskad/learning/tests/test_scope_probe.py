"""A step's uploaded file is a download the browser never renders, its size is limited, and
the course team's changes to a draft are in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.errors import DomainError
from kaskad.core.models import AuditEntry
from kaskad.delivery.tests.factories import make_teacher
from kaskad.learning import services
from kaskad.learning.models import Step
from kaskad.learning.tests.factories import published_course

pytestmark = pytest.mark.django_db

PAGE = b"<html><body><script>document.title='owned'</script></body></html>"


def _learner_on_file_step(name: str, data: bytes, content_type: str) -> tuple[Client, str]:
    course, by = published_course()
    draft = services.draft_for(course=course, by=by)
    lesson = draft.modules.get().lessons.get()
    services.step_add(
        lesson=lesson,
        definition={"kind": "file"},
        by=by,
        media=SimpleUploadedFile(name, data, content_type=content_type),
    )
    services.version_publish(version=draft, by=by)
    course.refresh_from_db()
    client = Client()
    client.force_login(make_user(roles=[(Role.TEACHER, None)], person=make_teacher()))
    client.post(reverse("learning:enrol", args=[course.pk]))
    step = Step.objects.get(version=course.current_version, kind="file")
    return client, reverse("learning:step_media", args=[step.pk])


def test_an_html_file_of_a_step_is_a_download_not_a_page(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client, url = _learner_on_file_step("sheet.html", PAGE, "text/html")
    whole = client.get(url)
    assert whole.status_code == 200
    assert whole["Content-Type"] == "application/octet-stream"
    assert whole["Content-Disposition"].startswith("attachment;")
    assert whole["X-Content-Type-Options"] == "nosniff"
    assert b"".join(whole.streaming_content) == PAGE  # type: ignore[attr-defined]
    part = client.get(url, HTTP_RANGE="bytes=0-")
    assert part.status_code == 206
    assert part["Content-Type"] == "application/octet-stream"
    assert part["Content-Disposition"].startswith("attachment;")


def test_an_svg_file_of_a_step_is_not_served_as_an_image(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    client, url = _learner_on_file_step("diagram.svg", svg, "image/svg+xml")
    response = client.get(url)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_file_step_larger_than_the_limit_is_refused(monkeypatch: Any) -> None:
    course, by = published_course()
    draft = services.draft_for(course=course, by=by)
    lesson = draft.modules.get().lessons.get()
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 10)
    before = Step.objects.count()
    with pytest.raises(DomainError) as refused:
        services.step_add(
            lesson=lesson,
            definition={"kind": "file"},
            by=by,
            media=SimpleUploadedFile("big.pdf", b"%PDF-1.4 " + b"x" * 20),
        )
    assert refused.value.code == "file_too_large"
    assert Step.objects.count() == before


def test_the_course_team_s_draft_changes_are_audited() -> None:
    course, by = published_course()
    draft = services.draft_for(course=course, by=by)
    module = services.module_add(version=draft, title="Week 2", by=by)
    lesson = services.lesson_add(module=module, title="Fractions", by=by)
    step = services.step_add(
        lesson=lesson, definition={"kind": "text", "body": "Read this."}, by=by, title="Read"
    )
    for obj, label, field, value in (
        (module, "learning.module", "title", "Week 2"),
        (lesson, "learning.lesson", "title", "Fractions"),
        (step, "learning.step", "kind", "text"),
    ):
        entry = AuditEntry.objects.get(object_type=label, object_id=str(obj.pk))
        assert entry.actor_id == by.pk and entry.action == "create"
        assert entry.changes[field] == value
