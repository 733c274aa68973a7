"""Delivery: cohorts and their sessions and trainers, enrolment with waitlists, attendance and
completion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.catalogue.models import Format
from kaskad.core.models import TimeStamped
from kaskad.registry.choices import Language, Position


class CohortStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    OPEN = "open", _("open for enrolment")
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    CLOSED = "closed", _("closed")


# The only legal moves of a cohort's status.
COHORT_TRANSITIONS: dict[str, frozenset[str]] = {
    CohortStatus.PLANNED: frozenset({CohortStatus.OPEN}),
    CohortStatus.OPEN: frozenset({CohortStatus.RUNNING, CohortStatus.PLANNED}),
    CohortStatus.RUNNING: frozenset({CohortStatus.FINISHED}),
    CohortStatus.FINISHED: frozenset({CohortStatus.CLOSED}),
    CohortStatus.CLOSED: frozenset(),
}


class Cohort(TimeStamped):
    code = models.CharField(_("code"), max_length=40, unique=True)
    version = models.ForeignKey(
        "catalogue.ProgrammeVersion",
        verbose_name=_("programme version"),
        on_delete=models.PROTECT,
        related_name="cohorts",
    )
    branch = models.ForeignKey(
        "registry.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    format = models.CharField(_("format"), max_length=12, choices=Format.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    # A cohort delivered abroad (ISO country code; blank: in Kazakhstan) also takes participants
    # registered by an identity document instead of an IIN (docs/adr/0005).
    abroad_country = models.CharField(
        _("delivered abroad in"), max_length=2, blank=True, default="", db_default=""
    )
    # None for self-paced courses, which take everyone.
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    # Kept by the enrolment services under a row lock: the roster never exceeds capacity.
    enrolled_count = models.PositiveIntegerField(_("enrolled"), default=0)
    waitlist_count = models.PositiveIntegerField(_("on the waitlist"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=CohortStatus.choices, default=CohortStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "code"]
        indexes = [models.Index(fields=["branch", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(enrolled_count__lte=models.F("capacity")),
                name="cohort_never_over_capacity",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.enrolled_count)


class CohortTrainer(models.Model):
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="trainers"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("trainer"), on_delete=models.PROTECT, related_name="+"
    )
    accreditation = models.ForeignKey(
        "cascade.Accreditation",
        verbose_name=_("accreditation"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    is_lead = models.BooleanField(_("lead trainer"), default=True)

    class Meta:
        verbose_name = _("cohort trainer")
        verbose_name_plural = _("cohort trainers")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="unique_cohort_trainer")
        ]

    def __str__(self) -> str:
        return f"{self.cohort} — {self.person}"


class Session(models.Model):
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="sessions"
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("start time"))
    ends_at = models.TimeField(_("end time"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="session_has_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} {self.date:%Y-%m-%d} {self.starts_at:%H:%M}"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("enrolled")
    WAITLISTED = "waitlisted", _("on the waitlist")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REMOVED = "removed", _("removed")
    COMPLETED = "completed", _("completed")
    NOT_COMPLETED = "not_completed", _("not completed")


ACTIVE_ENROLMENT = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def completed(self) -> EnrolmentQuerySet:
        """Completed courses: what an accreditation may be earned through. Cascade reads this
        through its `earned_through` relation, without importing delivery."""
        return self.filter(status=EnrolmentStatus.COMPLETED)


class Enrolment(TimeStamped):
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="enrolments"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    # Denormalised so "one active enrolment per person per programme" is a database constraint.
    programme = models.ForeignKey(
        "catalogue.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=14, choices=EnrolmentStatus.choices)
    requested_at = models.DateTimeField(_("requested"))
    enrolled_at = models.DateTimeField(_("enrolled"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Where the person worked when they enrolled: reports stay true after people move.
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation at enrolment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "registry.Area",
        verbose_name=_("area at enrolment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.CharField(
        _("position at enrolment"), max_length=24, choices=Position.choices, blank=True
    )
    hours_attended = models.DecimalField(
        _("hours attended"), max_digits=6, decimal_places=1, default=0
    )
    outcome_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Why the enrolment ended as it did, as codes with parameters (shown in the reader's
    # language); `outcome_reason` keeps the same in English for exports and the admin.
    outcome = models.JSONField(_("outcome details"), default=list, blank=True)
    # Set by the coordinator until the assessment app records results; None: not known yet.
    assessment_passed = models.BooleanField(_("assessment passed"), null=True, blank=True)

    # Not stored: set by the enrolment service and the selectors that annotate it
    # (1 = next to take a free seat; None when not on the waitlist).
    waitlist_position: int | None = None

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["requested_at", "id"]
        indexes = [
            models.Index(fields=["cohort", "status", "requested_at"]),
            models.Index(fields=["person", "status"]),
            # The reports' sweep reads the enrolments changed since its last run.
            models.Index(fields=["updated_at"], name="delivery_enrolment_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(status__in=["enrolled", "waitlisted"]),
                name="one_active_enrolment_per_programme",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.cohort} ({self.status})"

    @property
    def is_completed(self) -> bool:
        return self.status == EnrolmentStatus.COMPLETED


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    ABSENT = "absent", _("absent")
    EXCUSED = "excused", _("excused")


class Attendance(models.Model):
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
    # Who set the mark first, and who changed it last (the same person until it changes);
    # every change in between is an AttendanceChange.
    first_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first marked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_marked_at = models.DateTimeField(_("first marked"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked"), auto_now=True)

    class Meta:
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "session"], name="one_mark_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}/{self.session_id}: {self.status}"


class AttendanceChange(models.Model):
    """One mark set or changed: whose, in which session, from what to what, by whom, when.
    Attendance decides completion, so its history is kept, never edited."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="+"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    # "" when the mark is set for the first time
    old_status = models.CharField(
        _("was"), max_length=8, choices=AttendanceStatus.choices, blank=True
    )
    new_status = models.CharField(_("became"), max_length=8, choices=AttendanceStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), db_index=True)

    class Meta:
        verbose_name = _("attendance change")
        verbose_name_plural = _("attendance changes")
        indexes = [models.Index(fields=["session", "enrolment"])]

    def __str__(self) -> str:
        return (
            f"{self.enrolment_id}/{self.session_id}: {self.old_status or '-'} -> {self.new_status}"
        )
