"""Writes of support events: creation, materials, participants, registration (never over
capacity), attendance and the anonymous feedback form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.core.roles import Role
from kaskad.core.scope import scope_of
from kaskad.delivery.lists import ListProblem, lines_from_upload
from kaskad.documents.extract import looks_like_markup, sniff
from kaskad.networks.models import (
    EventFeedback,
    EventFormat,
    EventMaterial,
    EventParticipant,
    LeadingSchool,
    MethodCentre,
    OrganiserKind,
    ParticipantSource,
    SupportEvent,
)
from kaskad.networks.permissions import manages_branch
from kaskad.networks.years import academic_year
from kaskad.registry.models import Branch, Organisation, Person
from kaskad.registry.selectors import person_list_visible_to

if TYPE_CHECKING:
    from kaskad.accounts.models import User

MATERIAL_MAX_BYTES = 20 * 1024 * 1024
MATERIAL_SUFFIXES = (".pdf", ".docx", ".pptx", ".xlsx", ".odt", ".txt", ".jpg", ".png", ".mp4")
_ZIP = b"PK\x03\x04"


def _content_matches(suffix: str, head: bytes) -> bool:
    """Whether the first bytes of a file are those of the kind its name says."""
    if suffix == ".pdf":
        return b"%PDF-" in head[:1024]
    if suffix in (".docx", ".pptx", ".xlsx", ".odt"):
        return head.startswith(_ZIP)
    if suffix == ".jpg":
        return head.startswith(b"\xff\xd8\xff")
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix == ".mp4":
        return head[4:8] == b"ftyp"
    return suffix == ".txt" and sniff(head) == "txt"


def material_check(upload: UploadedFile[Any], *, field: str) -> str:
    """The name of a material or an attachment once its kind, content and size are checked: a
    name from the list, bytes of that kind (never a page a browser would run), at most 20 MB.
    The stored file gets a name of the storage's own; this one is only shown."""
    name = str(upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    suffix = next((s for s in MATERIAL_SUFFIXES if name.lower().endswith(s)), "")
    if not suffix:
        raise DomainError(
            "file_type",
            _("“%(name)s”: this kind of file is not accepted. Use %(kinds)s.")
            % {"name": name, "kinds": ", ".join(MATERIAL_SUFFIXES)},
            field=field,
        )
    if (upload.size or 0) > MATERIAL_MAX_BYTES:
        raise DomainError(
            "file_too_large", _("“%(name)s” is larger than 20 MB.") % {"name": name}, field=field
        )
    upload.seek(0)
    head = upload.read()
    upload.seek(0)
    if not _content_matches(suffix, head) or (suffix == ".txt" and looks_like_markup(head)):
        raise DomainError(
            "file_content",
            _("“%(name)s” is not what its name says: its content is not a %(kind)s file.")
            % {"name": name, "kind": suffix[1:].upper()},
            field=field,
        )
    return name


@dataclass
class EventData:
    kind: str
    title: str
    topic: str
    organiser_kind: str
    branch: Branch
    starts_at: datetime
    duration_minutes: int
    format: str
    language: str
    centre: MethodCentre | None = None
    leading: LeadingSchool | None = None
    school: Organisation | None = None
    venue: str = ""
    link: str = ""
    is_open: bool = False
    capacity: int | None = None


def may_organise(user: User, *, branch_id: int, leading: LeadingSchool | None) -> bool:
    """A branch's coordinators (and national administrators) organise any of its events; a
    school leader organises the events of the leading school they lead."""
    if manages_branch(user, branch_id):
        return True
    scope = scope_of(user)
    return (
        leading is not None
        and scope.has(Role.SCHOOL_LEADER)
        and leading.school_id in scope.organisation_ids
    )


def may_manage_event(user: User, event: SupportEvent) -> bool:
    return may_organise(user, branch_id=event.branch_id, leading=event.leading)


def _check(data: EventData) -> None:
    if data.organiser_kind == OrganiserKind.CENTRE and data.centre is None:
        raise DomainError("centre_required", _("Choose the methodological centre."), field="centre")
    if data.organiser_kind == OrganiserKind.LEADING and data.leading is None:
        raise DomainError("leading_required", _("Choose the leading school."), field="leading")
    for organiser in (data.centre, data.leading):
        if organiser is not None and organiser.branch_id != data.branch.pk:
            raise DomainError(
                "other_branch", _("The organiser belongs to another branch."), field="branch"
            )
    if data.format == EventFormat.ONLINE and not data.link:
        raise DomainError("link_required", _("An online event needs its link."), field="link")
    if data.format == EventFormat.IN_PERSON and not data.venue:
        raise DomainError("venue_required", _("An event in person needs its venue."), field="venue")
    if data.is_open and data.capacity is not None and data.capacity < 1:
        raise DomainError("capacity", _("The capacity must be at least 1."), field="capacity")
    if not 1 <= data.duration_minutes <= 24 * 60:
        raise DomainError(
            "duration", _("The duration is 1 to 1,440 minutes."), field="duration_minutes"
        )


@transaction.atomic
def event_create(*, data: EventData, by: User) -> SupportEvent:
    if not may_organise(by, branch_id=data.branch.pk, leading=data.leading):
        raise NotFoundError("not_found", _("No such branch or leading school."))
    _check(data)
    event = SupportEvent.objects.create(
        year=academic_year(data.starts_at.date()),
        created_by=by,
        **{k: v for k, v in data.__dict__.items()},
    )
    audit_record(
        actor=by,
        action="create",
        source="networks.event_create",
        obj=event,
        changes={"kind": event.kind},
    )
    return event


@transaction.atomic
def event_material_add(
    *, event: SupportEvent, upload: UploadedFile[Any], by: User
) -> EventMaterial:
    if not may_manage_event(by, event):
        raise NotFoundError("not_found", _("No such event."))
    name = material_check(upload, field="file")
    material = EventMaterial.objects.create(event=event, name=name[:200], file=upload)
    audit_record(
        actor=by,
        action="create",
        source="networks.material_add",
        obj=material,
        changes={"name": name},
    )
    return material


def _sync_count(event: SupportEvent) -> None:
    named = EventParticipant.objects.filter(event=event).count()
    SupportEvent.objects.filter(pk=event.pk, participant_count__lt=named).update(
        participant_count=named
    )


@transaction.atomic
def participant_add(*, event: SupportEvent, person: Person, by: User) -> EventParticipant:
    """Name a participant. The person must be one `by` may see in the registry (else: not
    found, exactly like a person who does not exist)."""
    if not may_manage_event(by, event):
        raise NotFoundError("not_found", _("No such event."))
    if not person_list_visible_to(by).filter(pk=person.pk).exists():
        raise NotFoundError("not_found", _("No such person."))
    participant, created = EventParticipant.objects.get_or_create(
        event=event,
        person=person,
        defaults={
            "source": ParticipantSource.ADDED,
            "year": event.year,
            "organisation_id": person.current_organisation_id,
        },
    )
    if created:
        _sync_count(event)
        audit_record(actor=by, action="create", source="networks.participant_add", obj=participant)
    return participant


@dataclass
class ListOutcome:
    added: int
    problems: list[tuple[int, str, str]]  # line, value, reason


@transaction.atomic
def participants_import(*, event: SupportEvent, data: bytes, by: User) -> ListOutcome:
    """Participants from a list of IINs (text, CSV or XLSX). All or nothing: with any unknown
    or out-of-scope IIN nothing is added, and each problem names its line."""
    if not may_manage_event(by, event):
        raise NotFoundError("not_found", _("No such event."))
    try:
        lines = lines_from_upload(data)
    except ListProblem as problem:
        return ListOutcome(0, [(0, "", str(problem.message))])
    visible = person_list_visible_to(by)
    rows = visible.filter(iin__in=[line.value for line in lines]).values_list(
        "iin", "id", "current_organisation_id"
    )
    found = {iin: pid for iin, pid, _org in rows}
    school_of = {pid: org for _iin, pid, org in rows}
    problems = [
        (line.line, line.value, _("No person with this IIN in your scope."))
        for line in lines
        if line.value not in found
    ]
    if problems:
        return ListOutcome(0, problems)
    existing = set(EventParticipant.objects.filter(event=event).values_list("person_id", flat=True))
    new = [
        EventParticipant(
            event=event,
            person_id=pid,
            source=ParticipantSource.LIST,
            year=event.year,
            organisation_id=school_of[pid],
        )
        for pid in dict.fromkeys(found[line.value] for line in lines)
        if pid not in existing
    ]
    EventParticipant.objects.bulk_create(new)
    _sync_count(event)
    audit_record(
        actor=by,
        action="create",
        source="networks.participants_import",
        obj=event,
        changes={"added": len(new)},
    )
    return ListOutcome(len(new), [])


@transaction.atomic
def participant_count_set(*, event: SupportEvent, count: int, by: User) -> None:
    """For a mass webinar: how many took part (never fewer than the named ones)."""
    if not may_manage_event(by, event):
        raise NotFoundError("not_found", _("No such event."))
    named = EventParticipant.objects.filter(event=event).count()
    if count < named:
        raise DomainError(
            "count_below_named",
            _("%(named)s participants are named: the count cannot be lower.") % {"named": named},
            field="count",
        )
    old = event.participant_count
    SupportEvent.objects.filter(pk=event.pk).update(participant_count=count)
    audit_record(
        actor=by,
        action="update",
        source="networks.participant_count",
        obj=event,
        changes={"count": [old, count]},
    )


def event_register(*, event: SupportEvent, person: Person) -> EventParticipant:
    """Register `person` for an open event. The seat is taken by one conditional UPDATE, so
    two people racing for the last seat never both get it; a full event refuses."""
    if not event.is_open:
        raise StateConflict("not_open", _("This event is not open for registration."))
    with transaction.atomic():
        seat = Q(capacity__isnull=True) | Q(registered_count__lt=F("capacity"))
        taken = SupportEvent.objects.filter(seat, pk=event.pk, is_open=True).update(
            registered_count=F("registered_count") + 1
        )
        if not taken:
            raise StateConflict("full", _("The event is full."))
        try:
            with transaction.atomic():
                participant = EventParticipant.objects.create(
                    event=event,
                    person=person,
                    source=ParticipantSource.REGISTERED,
                    year=event.year,
                    organisation_id=person.current_organisation_id,
                )
        except IntegrityError as exc:
            raise StateConflict("already_registered", _("You are already registered.")) from exc
        _sync_count(event)
        audit_record(actor=None, action="create", source="networks.event_register", obj=participant)
    return participant


@transaction.atomic
def event_unregister(*, event: SupportEvent, person: Person) -> None:
    deleted, _unused = EventParticipant.objects.filter(
        event=event, person=person, source=ParticipantSource.REGISTERED, attended__isnull=True
    ).delete()
    if deleted:
        SupportEvent.objects.filter(pk=event.pk, registered_count__gt=0).update(
            registered_count=F("registered_count") - 1,
            participant_count=F("participant_count") - 1,
        )


@transaction.atomic
def attendance_set(*, event: SupportEvent, present: set[int], by: User) -> int:
    """Mark who attended (the ids of participants present; the others absent)."""
    if not may_manage_event(by, event):
        raise NotFoundError("not_found", _("No such event."))
    rows = EventParticipant.objects.filter(event=event)
    changed = rows.filter(pk__in=present).exclude(attended=True).update(attended=True)
    changed += rows.exclude(pk__in=present).exclude(attended=False).update(attended=False)
    audit_record(
        actor=by,
        action="update",
        source="networks.attendance",
        obj=event,
        changes={"present": len(present)},
    )
    return changed


def event_feedback_give(
    *, event: SupportEvent, person: Person, rating: int, comment: str
) -> EventFeedback:
    """A participant's anonymous answer: the answer is stored without the person, and the
    participant row only remembers that they answered (once)."""
    if not 1 <= rating <= 5:
        raise DomainError("rating", _("Choose a rating from 1 to 5."), field="rating")
    with transaction.atomic():
        marked = (
            EventParticipant.objects.filter(event=event, person=person, feedback_given=False)
            .exclude(attended=False)
            .update(feedback_given=True)
        )
        if not marked:
            raise StateConflict(
                "no_feedback", _("You have already answered, or you did not take part.")
            )
        return EventFeedback.objects.create(event=event, rating=rating, comment=comment.strip())


def event_data_from(cleaned: dict[str, Any], *, branch: Branch) -> EventData:
    return EventData(
        kind=cleaned["kind"],
        title=cleaned["title"],
        topic=cleaned["topic"],
        organiser_kind=cleaned["organiser_kind"],
        branch=branch,
        starts_at=cleaned["starts_at"],
        duration_minutes=cleaned["duration_minutes"],
        format=cleaned["format"],
        language=cleaned["language"],
        centre=cleaned.get("centre"),
        leading=cleaned.get("leading"),
        school=cleaned.get("school"),
        venue=cleaned.get("venue") or "",
        link=cleaned.get("link") or "",
        is_open=bool(cleaned.get("is_open")),
        capacity=cleaned.get("capacity"),
    )
