"""Materials and attachments: the content must be what the name says, the name given is only
shown, and the download is an attachment the browser does not sniff."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.core.errors import DomainError
from kaskad.networks.events import event_material_add
from kaskad.networks.models import EventMaterial, RequestAttachment
from kaskad.networks.support_requests import request_file
from kaskad.networks.tests.test_support import _event
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = pytest.mark.django_db

PAGE = b"<html><script>alert(document.cookie)</script></html>"


def _coordinator() -> tuple[Client, User]:
    user = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    client = Client()
    client.force_login(user)
    return client, user


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("slides.pdf", PAGE),
        ("notes.txt", PAGE),
        ("photo.png", b"GIF89a" + b"\x00" * 32),
        ("photo.jpg", PAGE),
        ("plan.docx", b"MZ\x90\x00 an executable"),
        ("clip.mp4", b"<svg onload=alert(1)>"),
    ],
)
def test_a_material_whose_content_is_not_its_kind_is_refused(name: str, data: bytes) -> None:
    _client, user = _coordinator()
    event = _event(user, is_open=False)
    with pytest.raises(DomainError) as refused:
        event_material_add(event=event, upload=SimpleUploadedFile(name, data), by=user)
    assert refused.value.code == "file_content"
    assert not EventMaterial.objects.exists()


def test_an_attachment_whose_content_is_not_its_kind_is_refused_with_the_request() -> None:
    _client, user = _coordinator()
    with pytest.raises(DomainError) as refused:
        request_file(
            by=user,
            topic="planning",
            text="Help",
            person=make_person(organisation=make_organisation(area=area_of("AST"))),
            attachments=[SimpleUploadedFile("plan.pdf", PAGE)],
        )
    assert refused.value.code == "file_content"
    assert not RequestAttachment.objects.exists()


def test_the_page_says_why_a_material_was_refused() -> None:
    client, user = _coordinator()
    event = _event(user, is_open=False)
    response = client.post(
        reverse("networks:event_action", args=[event.pk]),
        {"action": "material", "file": SimpleUploadedFile("slides.pdf", PAGE)},
        follow=True,
    )
    assert "is not what its name says" in response.content.decode()
    assert not event.materials.exists()


def test_a_material_is_stored_under_its_own_name_and_downloaded_as_an_attachment(
    settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    client, user = _coordinator()
    event = _event(user, is_open=False)
    upload = SimpleUploadedFile("../../etc/slides.pdf", b"%PDF-1.4 slides")
    material = event_material_add(event=event, upload=upload, by=user)
    assert material.name == "slides.pdf"
    stored = str(material.file.name)
    assert ".." not in stored and stored.startswith("networks/events/")
    response = client.get(
        reverse("networks:event_material", args=[event.pk, material.pk]),
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def _answered(event: Any, ratings: list[int], by: Any) -> None:
    from kaskad.networks.events import event_feedback_give, participant_add

    for rating in ratings:
        person = make_person(organisation=make_organisation(area=area_of("AST")))
        participant_add(event=event, person=person, by=by)
        event_feedback_give(
            event=event, person=person, rating=rating, comment=f"Feedback-note-{rating}"
        )


def test_event_feedback_of_fewer_than_five_is_not_shown_to_the_organiser() -> None:
    from kaskad.networks.selectors import FEEDBACK_MIN_ANSWERS, event_feedback_summary

    client, user = _coordinator()
    event = _event(user, is_open=False)
    _answered(event, [1, 2, 3, 4][: FEEDBACK_MIN_ANSWERS - 1], user)
    summary = event_feedback_summary(event=event)
    assert summary["withheld"] and summary["mean"] is None and summary["comments"] == []
    page = client.get(reverse("networks:event_detail", args=[event.pk])).content.decode()
    assert "Feedback-note-1" not in page and "are shown from 5 answers on" in page
    _answered(event, [5], user)
    summary = event_feedback_summary(event=event)
    assert not summary["withheld"] and summary["mean"] == 3.0
    page = client.get(reverse("networks:event_detail", args=[event.pk])).content.decode()
    assert "Feedback-note-1" in page and "Feedback-note-5" in page


# --- The network import: another branch's schools look like BINs the registry does not have ---


def _issues(result: object) -> list[tuple[int, str, str, str]]:
    return [
        (e.line, e.column, e.code, str(e.message))
        for e in (*result.errors, *result.warnings)  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_import_naming_another_branchs_schools_answers_as_for_unknown_bins(
    tmp_path: object, dry_run: bool
) -> None:
    from pathlib import Path

    from kaskad.networks.imports import network_import
    from kaskad.networks.models import LeadingSchool, MethodCentre
    from kaskad.networks.services import leading_upsert
    from kaskad.networks.tests.test_imports import HEADER, YEAR

    folder = Path(str(tmp_path))
    own = make_organisation(area=area_of("ALA"))
    foreign_nis = make_organisation(area=area_of("AST"), kind="nis")
    foreign_lead = make_organisation(area=area_of("AST"))
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    MethodCentre.objects.create(year=YEAR, school=foreign_nis, branch=branch("AST"))
    leading_upsert(year=YEAR, school=foreign_lead, by=admin)
    assert LeadingSchool.objects.filter(year=YEAR, school=foreign_lead).exists()
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    missing = ("990000000011", "990000000022", "990000000033")

    def run(nis: str, lead: str, school: str) -> list[tuple[int, str, str, str]]:
        lines = [
            f"leading,{own.bin},{nis},,,1,25.08.2025,",
            f"partner,{own.bin},{lead},,,,,",
            f"partner,{school},{own.bin},,,,,",
            f"hub,{own.bin},{school},,,,,rural",
        ]
        path = folder / f"network-{nis}.csv"
        path.write_bytes(("\n".join([HEADER, *lines]) + "\n").encode())
        result = network_import(path=path, year=YEAR, by=coordinator, dry_run=dry_run)
        return [
            (line, column, code, message.replace(nis, "N").replace(lead, "L").replace(school, "S"))
            for line, column, code, message in _issues(result)
        ]

    foreign = run(str(foreign_nis.bin), str(foreign_lead.bin), str(foreign_lead.bin))
    nowhere = run(*missing)
    assert foreign == nowhere
    assert foreign_lead.name not in repr(foreign)
