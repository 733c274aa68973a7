"""Writes of the online courses: authoring (drafts, GIFT import, publishing), enrolment,
opening a step, submitting a reply, completion and its certificate, the Q&A thread.

The hot paths (opening a step, submitting a reply) lock one enrolment row and touch at most
one progress row; the enrolment's totals move by the difference, never by a recount
(docs/adr/0006-mooc-tables.md).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import nh3
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import User
from kaskad.accounts.services import user_create
from kaskad.catalogue.models import Format, ProgrammeVersion
from kaskad.certificates.models import Certificate
from kaskad.certificates.services import (
    CourseCompletion,
    certificate_issue_for_course,
    certificate_pdf_ensure,
)
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError, StateConflict
from kaskad.core.notifications import email_send_on_commit
from kaskad.core.public_url import public_url
from kaskad.delivery.models import Cohort
from kaskad.delivery.models import Enrolment as DeliveryEnrolment
from kaskad.delivery.models import EnrolmentStatus as DeliveryStatus
from kaskad.delivery.services import enrolment_complete_online
from kaskad.learning import gift, steps
from kaskad.learning.models import (
    Attempt,
    Course,
    CourseVersion,
    Enrolment,
    EnrolmentStatus,
    Lesson,
    Module,
    Pacing,
    Post,
    ProgressStatus,
    Registration,
    Result,
    Scoring,
    Step,
    StepProgress,
    VersionStatus,
)
from kaskad.learning.permissions import manages_course, may_enrol
from kaskad.registry.models import Branch, Employment, Person

logger = logging.getLogger(__name__)

CONTENT_KINDS = frozenset({"text", "video", "file"})
# Tags of a text step (headings, lists, images, tables, links and inline emphasis).
ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i", "u",
    "blockquote", "code", "pre", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "caption", "figure", "figcaption", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
# What a video upload must start with: MP4/MOV ("ftyp" at offset 4), WebM/MKV (EBML), Ogg.
VIDEO_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (4, b"ftyp", "video/mp4"),
    (0, b"\x1a\x45\xdf\xa3", "video/webm"),
    (0, b"OggS", "video/ogg"),
)
MAX_VIDEO_BYTES = 2 * 1024**3
# A file a step offers for download (a worksheet, a reading, slides).
MAX_FILE_BYTES = 100 * 1024**2


# The reasons of gift.py's errors, by their stable code, in the reader's language (the pure
# module speaks English; an unknown code falls back to its English reason).
GIFT_REASONS = {
    "answer_without_marker": _("an answer must start with = or ~"),
    "brace_in_answers": _("a { inside the answers (write \\{ for a literal brace)"),
    "brace_not_closed": _("the answers opened here are not closed with }"),
    "empty_answer": _("an empty answer"),
    "empty_pair_side": _("both sides of a matching pair must have text"),
    "empty_range": _("the range ends below its start"),
    "matching_feedback": _("matching questions take no feedback"),
    "matching_weight": _("matching questions take no weights"),
    "negative_tolerance": _("the tolerance is negative"),
    "no_answer": _("a numerical question needs an answer"),
    "no_correct": _("no correct answer: mark one with = or give weights such as ~%50%"),
    "no_full_credit": _("no answer gets full credit (100%)"),
    "no_text": _("the question has no text"),
    "not_number": _("a value is not a number"),
    "pair_without_arrow": _("a matching pair needs ->"),
    "pair_without_marker": _("a matching pair must start with ="),
    "second_answers": _("a question has only one set of answers in braces"),
    "stray_close_brace": _("} without an opening {"),
    "title_not_closed": _("the title is not closed with ::"),
    "too_few_answers": _("a multiple-choice question needs at least two answers"),
    "too_few_pairs": _("a matching question needs at least three pairs"),
    "too_many_feedbacks": _("true/false takes at most two feedbacks"),
    "unknown_escape": _("an unknown escape with \\"),
    "unsupported_other_feedback": _("feedback for any other numerical answer is not supported"),
    "weight_not_closed": _("the weight is not closed with %"),
    "weight_not_number": _("the weight is not a number"),
    "weights_sum": _("the positive weights do not add up to 100%"),
}


def outline_cache_key(version: CourseVersion) -> str:
    """A published version never changes: its outline is cached under its id and the moment
    it was published."""
    stamp = version.published_at.timestamp() if version.published_at else 0
    return f"learning:outline:{version.pk}:{stamp}"


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def video_type_of(head: bytes) -> str | None:
    """The video type a file's first bytes announce, None when they are not a video's."""
    for offset, magic, media_type in VIDEO_SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return media_type
    return None


def _require_team(by: User, course: Course) -> None:
    if not manages_course(by, course):
        raise NotFoundError("not_found", _("Not found."))


def _require_draft(version: CourseVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise StateConflict(
            "version_published",
            _("Version %(number)s is published and cannot be changed: edit a new draft.")
            % {"number": version.number},
        )


# --- Authoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseData:
    code: str
    title: str
    language: str
    pacing: str = Pacing.SELF
    is_public: bool = False
    description: str = ""
    pass_percent: int = 60
    distinction_percent: int | None = None
    ends_on: Any = None
    cohort: Cohort | None = None


def course_create(
    *, programme_version: ProgrammeVersion, branch: Branch, data: CourseData, by: User
) -> Course:
    """A course of a programme version taught online or self-paced, with an empty draft."""
    formats = set(programme_version.formats or [])
    if not formats & {Format.SELF_PACED, Format.ONLINE}:
        raise DomainError(
            "format_not_online",
            _("The programme version is not offered online or self-paced."),
            field="programme_version",
        )
    if data.language not in ("kk", "ru"):
        raise DomainError("language_unknown", _("Unknown language."), field="language")
    if data.pacing == Pacing.COHORT and data.cohort is None:
        raise DomainError(
            "cohort_required", _("A cohort-paced course needs its cohort."), field="cohort"
        )
    if not 0 < data.pass_percent <= 100 or (
        data.distinction_percent is not None
        and not data.pass_percent <= data.distinction_percent <= 100
    ):
        raise DomainError(
            "percent_range",
            _("The pass mark is 1–100 %, and distinction between the pass mark and 100 %."),
            field="pass_percent",
        )
    with transaction.atomic():
        if Course.objects.filter(code=data.code).exists():
            raise DomainError("code_taken", _("This code is taken."), field="code")
        course = Course.objects.create(
            code=data.code,
            programme_version=programme_version,
            branch=branch,
            language=data.language,
            title=data.title,
            description=data.description,
            is_public=data.is_public,
            pacing=data.pacing,
            cohort=data.cohort,
            ends_on=data.ends_on,
            pass_percent=data.pass_percent,
            distinction_percent=data.distinction_percent,
            created_by=by,
        )
        if not manages_course(by, course):
            raise NotFoundError("not_found", _("Not found."))
        CourseVersion.objects.create(course=course, number=1, status=VersionStatus.DRAFT)
        audit_record(actor=by, action="create", obj=course, changes={"code": data.code})
    return course


def draft_for(*, course: Course, by: User) -> CourseVersion:
    """The course's draft; when there is none, a new one copied from the current version
    (learners stay on the version they started)."""
    _require_team(by, course)
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=course.pk).first()
        draft = CourseVersion.objects.filter(course=course, status=VersionStatus.DRAFT).first()
        if draft is not None:
            return draft
        last = CourseVersion.objects.filter(course=course).aggregate(n=Max("number"))["n"] or 0
        draft = CourseVersion.objects.create(
            course=course, number=last + 1, status=VersionStatus.DRAFT
        )
        source = course.current_version
        if source is not None:
            _copy_outline(source, draft)
        audit_record(
            actor=by, action="create", obj=draft, changes={"from": getattr(source, "number", None)}
        )
    return draft


def _copy_outline(source: CourseVersion, draft: CourseVersion) -> None:
    lessons: dict[int, Lesson] = {}
    modules: dict[int, Module] = {}
    for module in source.modules.all():
        old = module.pk
        module.pk = None
        module.version = draft
        module.save()
        modules[old] = module
    for lesson in Lesson.objects.filter(module__version=source):
        old = lesson.pk
        lesson.pk = None
        lesson.module = modules[lesson.module_id]
        lesson.save()
        lessons[old] = lesson
    copies = []
    for step in Step.objects.filter(version=source):
        step.pk = None
        step.version = draft
        step.lesson = lessons[step.lesson_id]
        step.module = modules[step.module_id]
        copies.append(step)
    Step.objects.bulk_create(copies)


def module_add(
    *,
    version: CourseVersion,
    title: str,
    by: User,
    soft_deadline: datetime | None = None,
    hard_deadline: datetime | None = None,
    penalty_percent: int = 0,
) -> Module:
    _require_team(by, version.course)
    _require_draft(version)
    if soft_deadline and hard_deadline and hard_deadline < soft_deadline:
        raise DomainError(
            "deadlines_order",
            _("The hard deadline comes after the soft one."),
            field="hard_deadline",
        )
    if not 0 <= penalty_percent <= 100:
        raise DomainError("penalty_range", _("The penalty is 0–100 %."), field="penalty_percent")
    order = (version.modules.aggregate(n=Max("order"))["n"] or 0) + 1
    with transaction.atomic():
        module = Module.objects.create(
            version=version,
            order=order,
            title=title.strip()[:300],
            soft_deadline=soft_deadline,
            hard_deadline=hard_deadline,
            penalty_percent=penalty_percent,
        )
        audit_record(
            actor=by,
            action="create",
            obj=module,
            changes={
                "version": version.pk,
                "title": module.title,
                "soft_deadline": soft_deadline.isoformat() if soft_deadline else None,
                "hard_deadline": hard_deadline.isoformat() if hard_deadline else None,
                "penalty_percent": penalty_percent,
            },
        )
    return module


def lesson_add(*, module: Module, title: str, by: User) -> Lesson:
    _require_team(by, module.version.course)
    _require_draft(module.version)
    order = (module.lessons.aggregate(n=Max("order"))["n"] or 0) + 1
    with transaction.atomic():
        lesson = Lesson.objects.create(module=module, order=order, title=title.strip()[:300])
        audit_record(
            actor=by,
            action="create",
            obj=lesson,
            changes={"module": module.pk, "title": lesson.title},
        )
    return lesson


def _definition_error(exc: steps.StepDefinitionError, *, where: str = "") -> DomainError:
    return DomainError(
        f"definition_{exc.code}",
        _("%(where)sThe step is not valid: %(path)s %(reason)s.")
        % {"where": where, "path": exc.path or "", "reason": exc.reason},
        field="definition",
    )


def _next_position(version: CourseVersion) -> int:
    return (Step.objects.filter(version=version).aggregate(n=Max("position"))["n"] or 0) + 1


def step_add(
    *,
    lesson: Lesson,
    definition: dict[str, Any],
    by: User,
    title: str = "",
    required: bool | None = None,
    points: float | None = None,
    max_attempts: int | None = None,
    scoring: str = Scoring.BEST,
    media: UploadedFile[Any] | None = None,
    gift_source: str = "",
) -> Step:
    """Add a step at the end of a lesson of a draft. The definition is checked by its kind
    (steps.py); a text step's HTML is sanitised; a video upload must be a video."""
    module = lesson.module
    version = module.version
    _require_team(by, version.course)
    _require_draft(version)
    with transaction.atomic():
        step = _step_create(
            lesson=lesson,
            definition=definition,
            title=title,
            required=required,
            points=points,
            max_attempts=max_attempts,
            scoring=scoring,
            media=media,
            gift_source=gift_source,
        )
        audit_record(
            actor=by,
            action="create",
            obj=step,
            changes={
                "lesson": lesson.pk,
                "kind": step.kind,
                "title": step.title,
                "points": step.points,
                "max_attempts": step.max_attempts,
                "file": step.media.name or None,
            },
        )
    return step


def _step_create(
    *,
    lesson: Lesson,
    definition: dict[str, Any],
    title: str = "",
    required: bool | None = None,
    points: float | None = None,
    max_attempts: int | None = None,
    scoring: str = Scoring.BEST,
    media: UploadedFile[Any] | None = None,
    gift_source: str = "",
    position: int | None = None,
    where: str = "",
) -> Step:
    module = lesson.module
    version = module.version
    definition = dict(definition)
    kind_key = str(definition.get("kind", ""))
    media_type = ""
    if kind_key == "video" and media is not None:
        head = media.read(16)
        media.seek(0)
        media_type = video_type_of(head) or ""
        if not media_type:
            raise DomainError(
                "not_a_video",
                _("%(name)s is not a video (MP4, WebM or Ogg).") % {"name": media.name},
                field="media",
            )
        if (media.size or 0) > MAX_VIDEO_BYTES:
            raise DomainError("video_too_large", _("The video is too large."), field="media")
        definition.pop("url", None)
        definition["storage_key"] = media.name or "video"
    if kind_key == "file" and media is not None:
        if (media.size or 0) > MAX_FILE_BYTES:
            raise DomainError(
                "file_too_large",
                _("%(name)s is larger than %(mb)s MB.")
                % {"name": media.name, "mb": MAX_FILE_BYTES // 1024**2},
                field="media",
            )
        media_type = getattr(media, "content_type", "") or "application/octet-stream"
        definition.update(
            {"name": media.name or "file", "storage_key": media.name or "file", "size": media.size}
        )
        definition["media_type"] = media_type
    try:
        kind = steps.get_kind(definition)
        kind.validate(definition)
    except steps.StepDefinitionError as exc:
        raise _definition_error(exc, where=where) from exc
    if max_attempts is not None and max_attempts < 1:
        raise DomainError("attempts_range", _("Allow at least one attempt."), field="max_attempts")
    body_html = ""
    if kind_key == "text":
        body = str(definition.get("body", ""))
        fmt = definition.get("format", "plain")
        body_html = sanitise_html(body) if fmt in ("html", "moodle") else ""
    graded = kind.graded
    step_points = (points if points is not None else 1.0) if graded else 0.0
    if step_points < 0:
        raise DomainError("points_range", _("Points cannot be negative."), field="points")
    with transaction.atomic():
        pos = position if position is not None else _next_position(version)
        order = (lesson.steps.aggregate(n=Max("order"))["n"] or 0) + 1
        step = Step(
            lesson=lesson,
            module=module,
            version=version,
            key=f"s{pos}",
            position=pos,
            order=order,
            kind=kind_key,
            title=(title or str(definition.get("title") or "") or _default_title(definition))[:300],
            definition=definition,
            body_html=body_html,
            media_type=media_type,
            transcript=str(definition.get("transcript") or ""),
            required=required if required is not None else graded,
            points=step_points,
            max_attempts=max_attempts,
            scoring=scoring,
            gift_source=gift_source,
        )
        if media is not None:
            step.media.save(media.name or "upload", media, save=False)
        step.save()
    return step


def _default_title(definition: dict[str, Any]) -> str:
    text = str(definition.get("prompt") or definition.get("body") or definition.get("kind"))
    return " ".join(text.split())[:80]


def gift_import(
    *, lesson: Lesson, text: str, by: User, points: float = 1.0, max_attempts: int | None = None
) -> list[Step]:
    """Import a GIFT file as steps at the end of the lesson: all of it, or nothing with the
    first error's line and reason."""
    version = lesson.module.version
    _require_team(by, version.course)
    _require_draft(version)
    try:
        questions = gift.parse_gift(text)
    except gift.GiftSyntaxError as exc:
        raise DomainError(
            f"gift_{exc.code}",
            _("GIFT file, line %(line)s, column %(column)s: %(reason)s")
            % {
                "line": exc.line,
                "column": exc.column,
                "reason": GIFT_REASONS.get(exc.code, exc.reason),
            },
            field="file",
        ) from exc
    if not questions:
        raise DomainError("gift_empty", _("The GIFT file has no question."), field="file")
    created: list[Step] = []
    with transaction.atomic():
        first = _next_position(version)
        for i, question in enumerate(questions):
            created.append(
                _step_create(
                    lesson=lesson,
                    definition=question.to_step_definition(),
                    title=question.title or "",
                    points=points,
                    max_attempts=max_attempts,
                    gift_source=gift.dump_gift([question]),
                    position=first + i,
                    where=str(_("GIFT file, line %(line)s: ") % {"line": question.line}),
                )
            )
        audit_record(
            actor=by,
            action="create",
            obj=version,
            changes={"gift_import": len(created), "lesson": lesson.pk},
        )
    return created


def gift_export(*, version: CourseVersion) -> str:
    """The quiz steps of a version as GIFT (those imported keep the text they came from)."""
    parts = [
        s.gift_source.strip()
        for s in Step.objects.filter(version=version).order_by("position")
        if s.gift_source
    ]
    return "\n\n".join(parts) + ("\n" if parts else "")


def version_publish(*, version: CourseVersion, by: User) -> CourseVersion:
    """The draft becomes the course's current version; it is never changed again. Learners
    already enrolled stay on the version they started."""
    course = version.course
    _require_team(by, course)
    with transaction.atomic():
        locked = CourseVersion.objects.select_for_update().get(pk=version.pk)
        _require_draft(locked)
        rows = list(Step.objects.filter(version=locked).values("required", "points"))
        if not rows:
            raise StateConflict("version_empty", _("A version without steps cannot be published."))
        locked.status = VersionStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = by
        locked.step_count = len(rows)
        locked.required_count = sum(1 for r in rows if r["required"])
        locked.total_points = float(sum(r["points"] for r in rows))
        locked.save()
        before = course.current_version_id
        Course.objects.filter(pk=course.pk).update(current_version=locked)
        course.current_version = locked
        audit_record(
            actor=by,
            action="update",
            obj=course,
            changes={"current_version": [before, locked.pk]},
        )
    cache.delete(outline_cache_key(locked))
    return locked


# --- Enrolment --------------------------------------------------------------------------------


def _count_in_window(*, name: str, subject: str, limit: int, window: int) -> bool:
    """Count one event of `subject` in the shared cache; False once over `limit` per `window`
    seconds. The subject is kept only as a keyed hash."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|{subject}".encode()).hexdigest()[:32]
    key = f"learning:{name}:{int(time.time()) // window}:{digest}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return int(count) <= limit


def register_attempt(*, ip: str | None) -> bool:
    """Count one public registration from `ip`; False when the address is over its limit
    (`KASKAD_LEARNING_REGISTER_LIMIT` per `KASKAD_LEARNING_REGISTER_WINDOW` seconds, 20 per
    ten minutes by default). Counted in the cache every process shares (settings CACHES)."""
    return _count_in_window(
        name="register",
        subject=ip or "",
        limit=int(getattr(settings, "KASKAD_LEARNING_REGISTER_LIMIT", 20)),
        window=int(getattr(settings, "KASKAD_LEARNING_REGISTER_WINDOW", 600)),
    )


# --- Registration by e-mail -------------------------------------------------------------------
#
# The public registration answers the same whether or not the address has a login (no account
# enumeration): the page always says "check your inbox", and the e-mail says what happened.
# A new address gets an inactive login and a link to confirm it; an address with a login gets
# an e-mail saying so, with the sign-in page. Both paths validate and hash the password, so
# they take about the same time.

REGISTRATION_SALT = "kaskad.learning.registration"
# E-mails to one address per hour, whatever the network they are asked from: registering
# someone else's address again and again must not flood their inbox.
REGISTRATION_MAILS_PER_HOUR = 5


def registration_lifetime_hours() -> int:
    """How long a confirmation link works (`KASKAD_LEARNING_CONFIRM_HOURS`, three days by
    default); an unconfirmed login older than that may be registered again."""
    return int(getattr(settings, "KASKAD_LEARNING_CONFIRM_HOURS", 72))


class RegistrationLinkError(DomainError):
    """A confirmation link that cannot be used: `link_invalid`, `link_expired`, `link_used`."""


def _registration_fingerprint(user: User, registration: Registration) -> str:
    # Changes when the registration is replaced (new password, new request time), so the links
    # of an earlier registration stop working.
    return salted_hmac(
        REGISTRATION_SALT,
        f"{user.pk}|{user.password}|{registration.requested_at.astimezone(UTC):%Y%m%d%H%M%S%f}",
    ).hexdigest()[:32]


def registration_token(*, registration: Registration) -> str:
    """The signed, timestamped token of a registration's confirmation link."""
    return signing.dumps(
        {
            "u": registration.user_id,
            "f": _registration_fingerprint(registration.user, registration),
        },
        salt=REGISTRATION_SALT,
    )


def _mail_confirmation(*, registration: Registration, email: str, language: str) -> None:
    user = registration.user
    link = public_url() + reverse(
        "learning:register_confirm", args=[registration_token(registration=registration)]
    )
    # In the language of the page that asked for it (the registrant's), else the login's.
    with translation.override(language or user.language or settings.LANGUAGE_CODE):
        subject = gettext("Confirm your registration for the online courses")
        hours = registration_lifetime_hours()
        body = "\n\n".join(
            [
                gettext("Hello, %(name)s") % {"name": user.first_name},
                ngettext(
                    "Someone, probably you, registered this address for the online courses "
                    "of Kaskad. To finish the registration, open this link within %(hours)d "
                    "hour:",
                    "Someone, probably you, registered this address for the online courses "
                    "of Kaskad. To finish the registration, open this link within %(hours)d "
                    "hours:",
                    hours,
                )
                % {"hours": hours},
                link,
                gettext(
                    "If you did not register, ignore this e-mail: the login stays inactive "
                    "and lapses."
                ),
            ]
        )
        email_send_on_commit(to=email, subject=subject, body=body)


def _mail_account_exists(*, user: User, email: str, language: str) -> None:
    link = public_url() + reverse("accounts:login")
    with translation.override(language or user.language or settings.LANGUAGE_CODE):
        subject = gettext("You already have an account")
        body = "\n\n".join(
            [
                gettext(
                    "Someone, probably you, tried to register this address for the online "
                    "courses of Kaskad, but a login with this address exists already. Sign in "
                    "with it here:"
                ),
                link,
                gettext(
                    "If you have forgotten the password, ask your administrator to set a new "
                    "one. If you did not try to register, ignore this e-mail: nothing has "
                    "changed."
                ),
            ]
        )
        email_send_on_commit(to=email, subject=subject, body=body)


def learner_register(
    *, email: str, password: str, first_name: str, last_name: str, language: str = ""
) -> None:
    """A learner without an IIN (a parent, a student) registers with an e-mail address for
    the public courses: a login with no role and no registry person, inactive until the
    e-mailed link confirms it (`learner_confirm`).

    Returns nothing and raises only for the input itself (address, name, password), so the
    caller cannot tell a new address from one with a login: an address with a login is sent
    an e-mail saying so instead. An unconfirmed login whose link has expired is taken over
    (new password and names, a new link); a younger one is sent its link again, unchanged."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 150:
        raise DomainError("email_invalid", _("Give a valid e-mail address."), field="email")
    if not first_name.strip():
        raise DomainError("name_required", _("Give your name."), field="first_name")
    language = language if language in ("kk", "ru", "en") else ""
    candidate = User(
        username=email,
        email=email,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
        language=language,
    )
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise DomainError("password_weak", " ".join(exc.messages), field="password") from exc
    # Hashed on every path, used or not: the answer takes as long for a known address.
    password_hash = make_password(password)
    if not _count_in_window(
        name="register-mail", subject=email, limit=REGISTRATION_MAILS_PER_HOUR, window=3600
    ):
        logger.warning("Registration e-mails to one address are over the hourly limit")
        return
    now = timezone.now()
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(username__iexact=email).first()
        if existing is None:
            candidate.password = password_hash
            candidate.is_active = False
            try:
                with transaction.atomic():
                    candidate.save()
                    created = Registration.objects.create(user=candidate, requested_at=now)
            except IntegrityError:  # the same address registered at the same moment
                return
            _mail_confirmation(registration=created, email=email, language=language)
            return
        registration = Registration.objects.select_for_update().filter(user=existing).first()
        if registration is None or registration.confirmed_at or existing.is_active:
            _mail_account_exists(user=existing, email=email, language=language)
            return
        expired = now - registration.requested_at > timedelta(hours=registration_lifetime_hours())
        if expired:
            existing.password = password_hash
            existing.first_name = candidate.first_name
            existing.last_name = candidate.last_name
            existing.language = language
            existing.email = email
            existing.save(
                update_fields=["password", "first_name", "last_name", "language", "email"]
            )
            registration.requested_at = now
            registration.save(update_fields=["requested_at"])
        registration.user = existing
        _mail_confirmation(registration=registration, email=email, language=language)


def learner_confirm(*, token: str) -> User:
    """Follow a confirmation link: the login becomes active (once; the link is single use).
    Refuses a tampered or replaced link, an expired one and one used already, each with its
    own code and message."""
    invalid = RegistrationLinkError(
        "link_invalid",
        _(
            "This confirmation link is not valid. Copy the whole link from the e-mail, or "
            "register again."
        ),
    )
    try:
        payload = signing.loads(
            token, salt=REGISTRATION_SALT, max_age=timedelta(hours=registration_lifetime_hours())
        )
    except signing.SignatureExpired as exc:
        raise RegistrationLinkError(
            "link_expired",
            _("This confirmation link has expired. Register again to get a new one."),
        ) from exc
    except signing.BadSignature as exc:
        raise invalid from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise invalid
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .select_related("user")
            .filter(user_id=payload["u"])
            .first()
        )
        if registration is None or not constant_time_compare(
            str(payload.get("f", "")), _registration_fingerprint(registration.user, registration)
        ):
            raise invalid
        user = registration.user
        if registration.confirmed_at is not None or user.is_active:
            raise RegistrationLinkError(
                "link_used",
                _(
                    "This address is confirmed already: sign in with your e-mail address and "
                    "password."
                ),
            )
        registration.confirmed_at = timezone.now()
        registration.save(update_fields=["confirmed_at"])
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(actor=user, action="learner_confirmed", obj=user)
    return user


def learner_create(
    *, email: str, password: str, first_name: str, last_name: str, language: str = ""
) -> User:
    """An active learner login at once, without the e-mail confirmation: for the demo data
    and for tests, never for the public page (`learner_register`)."""
    email = email.strip().lower()
    if User.objects.filter(username__iexact=email).exists():
        raise DomainError(
            "email_taken",
            _("This e-mail address is registered already: sign in."),
            field="email",
        )
    try:
        return user_create(
            username=email,
            password=password,
            first_name=first_name.strip()[:150],
            last_name=last_name.strip()[:150],
            language=language if language in ("kk", "ru", "en") else "",
            email=email,
        )
    except ValidationError as exc:
        raise DomainError("password_weak", " ".join(exc.messages), field="password") from exc


def enrol(*, course: Course, user: User) -> Enrolment:
    """The learner enrols on the course's current version (idempotent: the enrolment they
    have is returned)."""
    existing = Enrolment.objects.filter(course=course, user=user).first()
    if existing is not None:
        return existing
    if not may_enrol(user, course):
        raise PermissionDeniedError(
            "not_eligible",
            _("This course is open to teachers in the registry only.")
            if course.current_version_id
            else _("This course is not open yet."),
        )
    if course.ends_on and timezone.localdate() > course.ends_on:
        raise StateConflict("course_ended", _("The course has ended."))
    delivery_id = None
    if course.cohort_id and user.person_id:
        delivery_id = (
            DeliveryEnrolment.objects.filter(
                cohort_id=course.cohort_id, person_id=user.person_id, status=DeliveryStatus.ENROLLED
            )
            .values_list("pk", flat=True)
            .first()
        )
        if delivery_id is None and course.pacing == Pacing.COHORT:
            raise PermissionDeniedError(
                "not_in_cohort", _("This course is for the participants of its cohort.")
            )
    now = timezone.now()
    try:
        with transaction.atomic():
            return Enrolment.objects.create(
                course=course,
                version_id=course.current_version_id or 0,
                user=user,
                person_id=user.person_id,
                delivery_enrolment_id=delivery_id,
                enrolled_at=now,
                last_activity_at=now,
            )
    except IntegrityError:  # a second click won the race
        return Enrolment.objects.get(course=course, user=user)


def cohort_enrol(*, course: Course, by: User) -> int:
    """Enrol the participants of the course's cohort who have a login, in one batch."""
    _require_team(by, course)
    if course.cohort_id is None or course.current_version_id is None:
        raise StateConflict("no_cohort", _("The course has no cohort or is not published."))
    rows = DeliveryEnrolment.objects.filter(
        cohort_id=course.cohort_id, status=DeliveryStatus.ENROLLED, person__user__isnull=False
    ).values_list("pk", "person_id", "person__user__id")
    have = set(Enrolment.objects.filter(course=course).values_list("user_id", flat=True))
    now = timezone.now()
    new = [
        Enrolment(
            course=course,
            version_id=course.current_version_id,
            user_id=user_id,
            person_id=person_id,
            delivery_enrolment_id=pk,
            enrolled_at=now,
            last_activity_at=now,
        )
        for pk, person_id, user_id in rows
        if user_id not in have
    ]
    Enrolment.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    audit_record(actor=by, action="update", obj=course, changes={"cohort_enrolled": len(new)})
    return len(new)


def enrolment_move(*, enrolment: Enrolment, version: CourseVersion, by: User) -> Enrolment:
    """Move a learner to another published version of the course explicitly: progress on
    steps with the same key is carried over; the rest stays with the old version's rows."""
    _require_team(by, enrolment.course)
    if version.course_id != enrolment.course_id or not version.is_published:
        raise StateConflict("version_other", _("Choose a published version of this course."))
    with transaction.atomic():
        row = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        old_version = row.version_id
        new_steps = {s.key: s for s in Step.objects.filter(version=version)}
        done = StepProgress.objects.filter(enrolment=row).select_related("step")
        copies = []
        for p in done:
            target = new_steps.get(p.step.key)
            if target is None or target.pk == p.step_id:
                continue
            copies.append(
                StepProgress(
                    enrolment=row,
                    step=target,
                    status=p.status,
                    variant=p.variant,
                    attempts=p.attempts,
                    best_score=p.best_score,
                    last_score=p.last_score,
                    credited=(p.best_score if target.scoring == Scoring.BEST else p.last_score or 0)
                    * target.points
                    if p.best_score is not None
                    else 0,
                    opened_at=p.opened_at,
                    done_at=p.done_at,
                )
            )
        StepProgress.objects.bulk_create(copies, ignore_conflicts=True)
        row.version = version
        _recount(row)
        row.resume_step = None
        row.save()
        audit_record(
            actor=by, action="update", obj=row, changes={"version": [old_version, version.pk]}
        )
    return row


def _recount(row: Enrolment) -> None:
    """Totals from the progress rows of the enrolment's version (used only when a learner is
    moved between versions, never on page view)."""
    progress = StepProgress.objects.filter(enrolment=row, step__version_id=row.version_id).values(
        "status", "credited", "step__required", "step__module_id"
    )
    row.steps_done = row.required_done = 0
    row.points = 0.0
    modules: dict[str, list[float]] = {}
    for p in progress:
        entry = modules.setdefault(str(p["step__module_id"]), [0, 0.0])
        if p["status"] == ProgressStatus.DONE:
            row.steps_done += 1
            row.required_done += 1 if p["step__required"] else 0
            entry[0] += 1
        row.points += p["credited"]
        entry[1] += p["credited"]
    row.module_progress = modules


# --- Learning: open a step, reply --------------------------------------------------------------


def _lock_enrolment(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("version", "course")
        .get(pk=enrolment.pk)
    )


def _require_step_of(enrolment: Enrolment, step: Step) -> None:
    if step.version_id != enrolment.version_id:
        raise StateConflict(
            "step_other_version",
            _(
                "This step belongs to another version of the course than the one you are "
                "learning; open the course again."
            ),
        )


def _progress(row: Enrolment, step: Step, now: datetime) -> tuple[StepProgress, bool]:
    progress = StepProgress.objects.filter(enrolment=row, step=step).first()
    if progress is not None:
        return progress, False
    variant = None
    if step.is_quiz:
        variant = steps.variant(step.definition, steps.variant_seed(row.pk, step.key))
    progress = StepProgress.objects.create(enrolment=row, step=step, variant=variant, opened_at=now)
    return progress, True


def step_open(*, enrolment: Enrolment, step: Step) -> StepProgress:
    """The learner opens a step: the "continue" pointer moves there; a reading, video or
    file step counts as done on opening."""
    _require_step_of(enrolment, step)
    now = timezone.now()
    fields = {"last_activity_at": now, "resume_step_id": step.pk}
    # The usual case, a step opened before with nothing to mark done: only the pointer moves,
    # one UPDATE and no row lock (the lock is for changes of the running totals).
    known = StepProgress.objects.filter(enrolment=enrolment, step=step).first()
    if known is not None and (
        step.kind not in CONTENT_KINDS or known.status == ProgressStatus.DONE
    ):
        Enrolment.objects.filter(pk=enrolment.pk).update(**fields)
        for name, value in fields.items():
            setattr(enrolment, name, value)
        return known
    with transaction.atomic():
        row = _lock_enrolment(enrolment)
        progress, _created = _progress(row, step, now)
        newly_done = step.kind in CONTENT_KINDS and progress.status != ProgressStatus.DONE
        if newly_done:
            progress.status = ProgressStatus.DONE
            progress.done_at = now
            progress.save(update_fields=["status", "done_at"])
            _move_totals(row, step, done=1, points=0.0, fields=fields)
        else:
            Enrolment.objects.filter(pk=row.pk).update(**fields)
            for name, value in fields.items():
                setattr(row, name, value)
    return progress


@dataclass(frozen=True)
class Outcome:
    attempt: Attempt
    progress: StepProgress
    result: dict[str, Any]
    repeated: bool  # the same submit arrived again (double click): nothing new was recorded
    completed: bool  # this reply completed the course


def _penalty_factor(module: Module, now: datetime) -> float:
    if module.hard_deadline and now > module.hard_deadline:
        raise StateConflict(
            "hard_deadline_passed",
            _("The deadline of module “%(module)s” has passed: replies are no longer accepted.")
            % {"module": module.title},
        )
    if module.soft_deadline and now > module.soft_deadline:
        return max(0.0, 1.0 - module.penalty_percent / 100.0)
    return 1.0


def reply_submit(*, enrolment: Enrolment, step: Step, reply: Any, idempotency_key: str) -> Outcome:
    """Grade a reply and record it as a new attempt (append-only). The same idempotency key
    again (a double click) records nothing and answers the first attempt."""
    _require_step_of(enrolment, step)
    if not step.is_quiz:
        raise StateConflict("not_a_quiz", _("This step takes no reply."))
    key = (idempotency_key or "").strip()[:64]
    if not key:
        raise DomainError("no_key", _("The form is out of date: reload the page."))
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        raise StateConflict("withdrawn", _("You have left this course."))
    now = timezone.now()
    with transaction.atomic():
        row = _lock_enrolment(enrolment)
        progress, _created = _progress(row, step, now)
        previous = Attempt.objects.filter(progress=progress, idempotency_key=key).first()
        if previous is not None:
            return Outcome(previous, progress, previous.feedback, repeated=True, completed=False)
        factor = _penalty_factor(step.module, now)
        if step.max_attempts is not None and progress.attempts >= step.max_attempts:
            raise StateConflict(
                "attempts_used",
                _("You have used all %(count)s attempts of this step.")
                % {"count": step.max_attempts},
            )
        try:
            result = steps.check(step.definition, progress.variant or {}, reply)
        except steps.ReplyError as exc:
            raise DomainError(
                "reply_malformed",
                _("The reply is incomplete: %(reason)s.") % {"reason": exc.reason},
                field="reply",
            ) from exc
        except steps.VariantError as exc:  # pragma: no cover - a published step never changes
            raise StateConflict("variant_stale", _("Reload the step.")) from exc
        credited = result.score * factor * step.points
        progress.attempts += 1
        progress.last_score = result.score
        progress.best_score = max(progress.best_score or 0.0, result.score)
        old_credited = progress.credited
        kept = max(old_credited, credited) if step.scoring == Scoring.BEST else credited
        progress.credited = kept
        newly_done = progress.status != ProgressStatus.DONE
        if newly_done:
            progress.status = ProgressStatus.DONE
            progress.done_at = now
        feedback = result.as_dict()
        feedback["credited"] = credited
        feedback["penalised"] = factor < 1.0
        attempt = Attempt.objects.create(
            progress=progress,
            step=step,
            number=progress.attempts,
            reply=reply,
            score=result.score,
            credited=credited,
            feedback=feedback,
            idempotency_key=key,
            created_at=now,
        )
        progress.save(
            update_fields=["attempts", "last_score", "best_score", "credited", "status", "done_at"]
        )
        fields = {"last_activity_at": now, "resume_step_id": step.pk}
        completed = _move_totals(
            row, step, done=1 if newly_done else 0, points=kept - old_credited, fields=fields
        )
    return Outcome(attempt, progress, feedback, repeated=False, completed=completed)


def _move_totals(
    row: Enrolment, step: Step, *, done: int, points: float, fields: dict[str, Any]
) -> bool:
    """Add a completed step and/or points to the locked enrolment row; decide completion.
    Returns True when the course was completed now."""
    module = str(step.module_id)
    entry = list(row.module_progress.get(module, [0, 0.0]))
    entry[0] += done
    entry[1] = round(entry[1] + points, 6)
    row.module_progress[module] = entry
    row.steps_done += done
    row.required_done += done if step.required else 0
    row.points = round(row.points + points, 6)
    for name, value in fields.items():
        setattr(row, name, value)
    update = ["steps_done", "required_done", "points", "module_progress", *fields]
    completed = False
    if row.status == EnrolmentStatus.ACTIVE and _meets_rule(row):
        completed = True
        _complete(row)
        update += ["status", "result", "completed_at", "hours", "area_id"]
    row.save(update_fields=[f.removesuffix("_id") for f in update])
    if completed:
        _after_completion(row)
    return completed


def _meets_rule(row: Enrolment) -> bool:
    version = row.version
    if row.required_done < version.required_count:
        return False
    total = version.total_points
    return total <= 0 or row.points * 100 >= row.course.pass_percent * total - 1e-6


def _complete(row: Enrolment) -> None:
    course = row.course
    total = row.version.total_points
    percent = row.points * 100 / total if total else 100.0
    distinction = course.distinction_percent
    row.status = EnrolmentStatus.COMPLETED
    row.result = (
        Result.DISTINCTION if distinction is not None and percent >= distinction else Result.PASSED
    )
    row.completed_at = timezone.now()
    row.hours = course.programme_version.hours
    row.area_id = area_at_completion(
        person_id=row.person_id,
        delivery_enrolment_id=row.delivery_enrolment_id,
        on=timezone.localdate(row.completed_at),
    )


def area_at_completion(
    *, person_id: int | None, delivery_enrolment_id: int | None, on: date
) -> int | None:
    """Where an online completion counts in the reports (docs/adr/0007-read-models.md, "Online
    completions"), fixed on the enrolment when it completes: through a cohort, the area of the
    cohort enrolment (so it counts where the cohort's own figures count it); otherwise the area
    of the person's school on the day (the job in force that day, the main job first, else the
    person's current organisation); None for a learner without a registry person. The data
    migration `learning.0003_area_backfill` applies the same rule to older completions."""
    if delivery_enrolment_id is not None:
        return (
            DeliveryEnrolment.objects.filter(pk=delivery_enrolment_id)
            .values_list("area_id", flat=True)
            .first()
        )
    if person_id is None:
        return None
    job_area: int | None = (
        Employment.objects.filter(person_id=person_id, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .order_by("-is_primary", "-started_on", "-pk")
        .values_list("organisation__area_id", flat=True)
        .first()
    )
    if job_area is not None:
        return job_area
    return (
        Person.objects.filter(pk=person_id)
        .values_list("current_organisation__area_id", flat=True)
        .first()
    )


def _after_completion(row: Enrolment) -> None:
    audit_record(
        actor=None,
        action="update",
        obj=row,
        changes={"status": ["active", "completed"], "result": row.result},
        source="online course",
    )
    if row.delivery_enrolment_id:
        total = row.version.total_points
        enrolment_complete_online(
            enrolment_id=row.delivery_enrolment_id,
            hours=row.hours or 0,
            percent=int(row.points * 100 / total) if total else 100,
        )
    enrolment_id = row.pk
    transaction.on_commit(lambda: _queue_certificate(enrolment_id))


def _queue_certificate(enrolment_id: int) -> None:
    from kaskad.learning.tasks import issue_certificate

    try:
        issue_certificate.enqueue(enrolment_id)
    except Exception:  # the first download issues it then
        logger.warning("could not queue the certificate of %s", enrolment_id, exc_info=True)


# --- Certificates ----------------------------------------------------------------------------


def certificate_for(*, enrolment: Enrolment) -> Certificate:
    """The certificate of a completed enrolment: issued now if the background task has not
    done it yet (the enrolment row's lock keeps it to one)."""
    if enrolment.status != EnrolmentStatus.COMPLETED:
        raise StateConflict("not_completed", _("The course is not completed yet."))
    with transaction.atomic():
        row = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("course", "user", "person", "course__programme_version")
            .get(pk=enrolment.pk)
        )
        if row.certificate_id is not None:
            return Certificate.objects.select_related("branch").get(pk=row.certificate_id)
        course = row.course
        person = row.person
        user = row.user
        given = person.given_name if person else user.first_name
        surname = person.surname if person else user.last_name
        full = person.full_name if person else f"{user.last_name} {user.first_name}".strip()
        certificate = certificate_issue_for_course(
            completion=CourseCompletion(
                branch_id=course.branch_id,
                full_name=full or user.username,
                given_name=given,
                surname=surname,
                programme_title=course.title,
                hours=row.hours or course.programme_version.hours,
                starts_on=timezone.localdate(row.enrolled_at),
                ends_on=timezone.localdate(row.completed_at or timezone.now()),
                result=row.result or Result.PASSED,
                language=course.language,
                person_id=row.person_id,
            )
        )
        Enrolment.objects.filter(pk=row.pk).update(certificate=certificate)
        enrolment.certificate = certificate
    return certificate


def certificate_pdf_for(*, enrolment: Enrolment) -> Certificate:
    """The certificate with its PDF (printed on the first download)."""
    return certificate_pdf_ensure(certificate=certificate_for(enrolment=enrolment))


def certificates_issue_batch(*, course: Course, limit: int = 1000) -> int:
    """Issue the missing certificates of completed enrolments (a background batch)."""
    done = 0
    for enrolment in Enrolment.objects.filter(
        course=course, status=EnrolmentStatus.COMPLETED, certificate__isnull=True
    )[:limit]:
        certificate_for(enrolment=enrolment)
        done += 1
    return done


# --- Q&A ------------------------------------------------------------------------------------


def _post_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise DomainError("post_empty", _("Write the text."), field="body")
    if len(text) > 4000:
        raise DomainError(
            "post_long", _("The text is too long (4,000 characters at most)."), field="body"
        )
    return text


def question_ask(*, enrolment: Enrolment, step: Step, body: str) -> Post:
    _require_step_of(enrolment, step)
    return Post.objects.create(step=step, author_id=enrolment.user_id, body=_post_body(body))


def answer_post(*, question: Post, body: str, by: User) -> Post:
    if question.parent_id is not None:
        raise StateConflict("answer_to_answer", _("Answer the question itself."))
    course = question.step.version.course
    _require_team(by, course)
    return Post.objects.create(
        step_id=question.step_id, parent=question, author=by, by_team=True, body=_post_body(body)
    )


def post_hide(*, post: Post, by: User) -> Post:
    _require_team(by, post.step.version.course)
    Post.objects.filter(pk=post.pk).update(hidden=True)
    post.hidden = True
    audit_record(actor=by, action="update", obj=post, changes={"hidden": [False, True]})
    return post
