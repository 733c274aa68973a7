"""Materials: staff upload (published at once), a teacher's submission and its review
(submitted → published, or returned with a comment and submitted again), new file versions
(the old one is kept), withdrawal.

A material submitted twice is refused: the same file (SHA-256) as a material already in the
library or waiting for review, or the same title by the same person still waiting.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.library.checks import similarity_check
from kaskad.library.models import (
    GRADES,
    Language,
    Licence,
    Material,
    MaterialAuthor,
    MaterialFile,
    MaterialGrade,
    MaterialType,
    Origin,
    Status,
    Subject,
)
from kaskad.library.normalise import fold
from kaskad.library.permissions import can_submit, is_editor
from kaskad.library.search import index_material
from kaskad.library.services.files import CheckedFile, check_upload

if TYPE_CHECKING:
    from kaskad.accounts.models import User
    from kaskad.catalogue.models import Programme
    from kaskad.registry.models import Person

TITLE_MAX = 300
DESCRIPTION_MAX = 5000
COMMENT_MAX = 2000


@dataclass
class MaterialData:
    """What describes a material. `titles`/`descriptions` map a language code to the text;
    `authors` are registry people and `outside_authors` free-text names."""

    titles: dict[str, str]
    language: str
    subject: str
    type: str
    grades: list[int] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)
    programme: Programme | None = None
    project: str = ""
    licence: str = Licence.CC_BY
    authors: list[Person] = field(default_factory=list)
    outside_authors: list[str] = field(default_factory=list)


def _not_found() -> NotFoundError:
    return NotFoundError("not_found", _("The material was not found."))


def _clean(data: MaterialData) -> MaterialData:
    titles = {k: " ".join((v or "").split()) for k, v in data.titles.items() if k in Language}
    titles = {k: v for k, v in titles.items() if v}
    if not titles:
        raise DomainError("title_required", _("Give the material a title."), field="title")
    for code, title in titles.items():
        if len(title) > TITLE_MAX:
            raise DomainError(
                "title_too_long",
                _("The title (%(language)s) is too long: at most %(n)s characters.")
                % {"language": code, "n": TITLE_MAX},
                field="title",
            )
    descriptions = {
        k: (v or "").strip() for k, v in data.descriptions.items() if k in Language and v
    }
    for code, text in descriptions.items():
        if len(text) > DESCRIPTION_MAX:
            raise DomainError(
                "description_too_long",
                _("The description (%(language)s) is too long: at most %(n)s characters.")
                % {"language": code, "n": DESCRIPTION_MAX},
                field="description",
            )
    if data.language not in Language.values:
        raise DomainError("language", _("Choose the language of the material."), field="language")
    if data.subject not in Subject.values:
        raise DomainError("subject", _("Choose a subject."), field="subject")
    if data.type not in MaterialType.values:
        raise DomainError("type", _("Choose the type of the material."), field="type")
    if data.licence not in Licence.values:
        raise DomainError("licence", _("Choose a licence."), field="licence")
    bad = [g for g in data.grades if g not in GRADES]
    if bad:
        raise DomainError(
            "grade",
            _("Grades go from 1 to 11; %(value)s is not one.") % {"value": bad[0]},
            field="grades",
        )
    outside = [" ".join(n.split())[:200] for n in data.outside_authors if n and n.strip()]
    return MaterialData(
        titles=titles,
        language=data.language,
        subject=data.subject,
        type=data.type,
        grades=sorted(set(data.grades)),
        descriptions=descriptions,
        programme=data.programme,
        project=" ".join(data.project.split())[:200],
        licence=data.licence,
        authors=list(dict.fromkeys(data.authors)),
        outside_authors=outside,
    )


def _duplicate_of(sha256: str, *, exclude: int | None = None) -> Material | None:
    qs = MaterialFile.objects.filter(
        sha256=sha256, material__status__in=[Status.SUBMITTED, Status.PUBLISHED]
    )
    if exclude is not None:
        qs = qs.exclude(material_id=exclude)
    twin = qs.select_related("material").first()
    return twin.material if twin else None


def _refuse_duplicate(checked: CheckedFile, *, exclude: int | None = None) -> None:
    twin = _duplicate_of(checked.sha256, exclude=exclude)
    if twin is not None:
        raise StateConflict(
            "duplicate",
            _(
                "“%(name)s” is already in the library or waiting for review as “%(title)s”: "
                "a material is submitted once."
            )
            % {"name": checked.name, "title": twin.title},
        )


def _store(material: Material, checked: CheckedFile, *, by: User, note: str = "") -> MaterialFile:
    version = (material.files.aggregate(n=Max("version"))["n"] or 0) + 1
    material.files.filter(current=True).update(current=False)
    record = MaterialFile(
        material=material,
        version=version,
        current=True,
        original_name=checked.name,
        kind=checked.kind,
        size=len(checked.data),
        sha256=checked.sha256,
        text=checked.text,
        searchable=checked.searchable,
        not_searchable_reason=checked.not_searchable_reason,
        note=" ".join(note.split())[:300],
        uploaded_by=by if getattr(by, "pk", None) else None,
    )
    record.stored.save(f"{uuid.uuid4().hex}.{checked.kind}", ContentFile(checked.data), save=False)
    try:
        record.save()
    except BaseException:
        record.stored.delete(save=False)
        raise
    return record


def _write(material: Material, data: MaterialData) -> None:
    for code in ("kk", "ru", "en"):
        setattr(material, f"title_{code}", data.titles.get(code, ""))
        setattr(material, f"description_{code}", data.descriptions.get(code, ""))
    first = next(iter(data.titles.values()))
    # The untranslated column holds the title in the material's own language.
    material.title = data.titles.get(data.language, first)
    material.language = data.language
    material.subject = data.subject
    material.type = data.type
    material.programme = data.programme
    material.project = data.project
    material.licence = data.licence


def _write_relations(material: Material, data: MaterialData) -> None:
    MaterialGrade.objects.filter(material=material).delete()
    MaterialGrade.objects.bulk_create(
        [MaterialGrade(material=material, grade=g) for g in data.grades]
    )
    MaterialAuthor.objects.filter(material=material).delete()
    rows = [
        MaterialAuthor(material=material, person=p, position=i) for i, p in enumerate(data.authors)
    ]
    rows += [
        MaterialAuthor(material=material, name=name, position=len(rows) + i)
        for i, name in enumerate(data.outside_authors)
    ]
    MaterialAuthor.objects.bulk_create(rows)


def _searchable(material: Material) -> bool:
    return material.files.filter(current=True, searchable=True).exists()


def _create(*, data: MaterialData, upload: Any, by: User, status: str, origin: str) -> Material:
    data = _clean(data)
    checked = check_upload(upload, material_type=data.type)
    _refuse_duplicate(checked)
    now = timezone.now()
    with transaction.atomic():
        if origin == Origin.TEACHER:
            title = data.titles.get(data.language, next(iter(data.titles.values())))
            waiting = Material.objects.filter(
                submitted_by=by,
                status=Status.SUBMITTED,
                title_folded=" ".join(fold(title, data.language).split())[:300],
            ).exists()
            if waiting:
                raise StateConflict(
                    "duplicate",
                    _(
                        "You have already submitted a material with this title; "
                        "it is waiting for review."
                    ),
                )
        material = Material(status=status, origin=origin)
        _write(material, data)
        material.submitted_by = by
        material.submitted_at = now
        if status == Status.PUBLISHED:
            material.published_at = now
            material.reviewed_by = by
        material.save()
        _write_relations(material, data)
        stored = _store(material, checked, by=by)
        material.searchable = stored.searchable
        material.save(update_fields=["searchable"])
        index_material(material)
        audit_record(
            actor=by,
            action="create",
            obj=material,
            changes={
                "title": [None, material.title],
                "status": [None, status],
                "origin": [None, origin],
                "file": [None, stored.original_name],
                "sha256": [None, stored.sha256],
                "searchable": [None, stored.searchable],
            },
        )
    return material


def material_upload(*, data: MaterialData, upload: Any, by: User) -> Material:
    """Staff (library editors, national administrators) add a material: published at once."""
    if not is_editor(by):
        raise _not_found()
    return _create(data=data, upload=upload, by=by, status=Status.PUBLISHED, origin=Origin.STAFF)


def material_submit(*, data: MaterialData, upload: Any, by: User) -> Material:
    """A teacher submits a material for review; it is checked for plagiarism against the
    portfolio index so the reviewer sees the result."""
    if not can_submit(by):
        raise _not_found()
    material = _create(
        data=data, upload=upload, by=by, status=Status.SUBMITTED, origin=Origin.TEACHER
    )
    _check(material)
    return material


def _check(material: Material) -> None:
    text = "\n".join(material.files.filter(current=True).values_list("text", flat=True))
    result = similarity_check(text)
    if result is None:
        return
    Material.objects.filter(pk=material.pk).update(
        similarity_percent=Decimal(str(round(result.percent, 1))),
        similarity_sources=result.sources,
    )
    material.similarity_percent = Decimal(str(round(result.percent, 1)))
    material.similarity_sources = result.sources


def _locked(material: Material) -> Material:
    locked = Material.objects.select_for_update().filter(pk=material.pk).first()
    if locked is None:
        raise _not_found()
    return locked


def submission_review(
    *, material: Material, by: User, publish: bool, comment: str = ""
) -> Material:
    """The editor's decision: publish, or return to the author with a comment (required)."""
    if not is_editor(by):
        raise _not_found()
    comment = (comment or "").strip()
    if not publish and not comment:
        raise DomainError(
            "comment_required",
            _("Say what the author should change: the comment is required to return a material."),
            field="comment",
        )
    if len(comment) > COMMENT_MAX:
        raise DomainError(
            "comment_too_long",
            _("The comment is too long: at most %(n)s characters.") % {"n": COMMENT_MAX},
            field="comment",
        )
    with transaction.atomic():
        locked = _locked(material)
        if locked.status != Status.SUBMITTED:
            raise StateConflict(
                "not_submitted",
                _(
                    "Only a material waiting for review can be published or returned; "
                    "this one is %(status)s."
                )
                % {"status": locked.get_status_display()},
            )
        before = locked.status
        locked.status = Status.PUBLISHED if publish else Status.RETURNED
        locked.reviewed_by = by
        locked.review_comment = comment
        if publish:
            locked.published_at = timezone.now()
        locked.save(
            update_fields=["status", "reviewed_by", "review_comment", "published_at", "updated_at"]
        )
        audit_record(
            actor=by,
            action="update",
            obj=locked,
            changes={"status": [before, locked.status], "comment": ["", comment]},
        )
    return locked


def submission_resubmit(
    *, material: Material, by: User, upload: Any = None, note: str = ""
) -> Material:
    """The author sends a returned material again, with a new file version if given."""
    if material.submitted_by_id != by.pk:
        raise _not_found()
    checked = check_upload(upload, material_type=material.type) if upload is not None else None
    if checked is not None:
        _refuse_duplicate(checked, exclude=material.pk)
    with transaction.atomic():
        locked = _locked(material)
        if locked.status != Status.RETURNED:
            raise StateConflict(
                "not_returned", _("Only a returned material can be submitted again.")
            )
        if checked is not None:
            stored = _store(locked, checked, by=by, note=note)
            locked.searchable = stored.searchable
        locked.status = Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "searchable", "updated_at"])
        index_material(locked)
        audit_record(
            actor=by,
            action="update",
            obj=locked,
            changes={"status": [Status.RETURNED, Status.SUBMITTED]},
        )
    _check(locked)
    return locked


def file_version_add(*, material: Material, upload: Any, by: User, note: str = "") -> MaterialFile:
    """A new version of the material's file; the previous versions are kept."""
    if not is_editor(by) and material.submitted_by_id != by.pk:
        raise _not_found()
    if material.origin == Origin.PORTFOLIO:
        raise StateConflict(
            "portfolio_material", _("A portfolio's files are changed in the portfolio.")
        )
    checked = check_upload(upload, material_type=material.type)
    _refuse_duplicate(checked, exclude=material.pk)
    with transaction.atomic():
        locked = _locked(material)
        if locked.files.filter(sha256=checked.sha256, current=True).exists():
            raise StateConflict("same_file", _("This file is already the current version."))
        stored = _store(locked, checked, by=by, note=note)
        locked.searchable = _searchable(locked)
        locked.save(update_fields=["searchable", "updated_at"])
        index_material(locked)
        audit_record(
            actor=by,
            action="update",
            obj=locked,
            changes={
                "version": [stored.version - 1, stored.version],
                "file": [None, stored.original_name],
            },
        )
    return stored


def material_withdraw(*, material: Material, by: User, reason: str) -> Material:
    """An editor takes a published material down; the reason is kept."""
    if not is_editor(by):
        raise _not_found()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "reason_required", _("Say why the material is taken down."), field="reason"
        )
    with transaction.atomic():
        locked = _locked(material)
        if locked.status != Status.PUBLISHED:
            raise StateConflict("not_published", _("This material is not published."))
        locked.status = Status.WITHDRAWN
        locked.review_comment = reason[:COMMENT_MAX]
        locked.save(update_fields=["status", "review_comment", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            obj=locked,
            changes={"status": [Status.PUBLISHED, Status.WITHDRAWN], "reason": ["", reason]},
        )
    return locked


def material_take_down_on_withdrawn_consent(*, material: Material, by: User) -> Material:
    """A material published from a project with its authors' consent leaves the collection
    when the authors withdraw it: the project decides who may speak for the authors, the
    library keeps the material (withdrawn) and the reason."""
    reason = _("The authors withdrew their consent to publication.")
    with transaction.atomic():
        locked = _locked(material)
        if locked.status != Status.PUBLISHED:
            return locked
        locked.status = Status.WITHDRAWN
        locked.review_comment = reason
        locked.save(update_fields=["status", "review_comment", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            obj=locked,
            changes={"status": [Status.PUBLISHED, Status.WITHDRAWN], "reason": ["", reason]},
        )
    return locked
