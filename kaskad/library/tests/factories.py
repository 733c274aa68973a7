"""Test data for the library: users and materials made through the services."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.delivery.tests.factories import make_teacher
from kaskad.library.models import Material
from kaskad.library.services.materials import MaterialData, material_upload


def editor() -> User:
    return make_user(roles=[(Role.LIBRARY_EDITOR, None)])


def teacher(**extra: Any) -> User:
    return make_user(roles=[(Role.TEACHER, None)], person=make_teacher(**extra))


def txt(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def data(title: str, *, language: str = "kk", **extra: Any) -> MaterialData:
    values: dict[str, Any] = {
        "titles": {language: title},
        "language": language,
        "subject": "mathematics",
        "type": "short_term_plan",
        "grades": [5],
    }
    values.update(extra)
    return MaterialData(**values)


def material(
    title: str, body: str, *, by: User | None = None, language: str = "kk", **extra: Any
) -> Material:
    return material_upload(
        data=data(title, language=language, **extra),
        upload=txt("m.txt", body),
        by=by or editor(),
    )
