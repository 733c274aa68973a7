"""Online courses: a course (one language version of a catalogue programme version), its
immutable published versions (modules → lessons → steps), enrolments with running totals,
progress per (enrolment, step), append-only attempts and a Q&A thread per step.

Sized for 350,000 learners in one course: docs/adr/0006-mooc-tables.md. Course texts are in
the course's own language (a kk course and a ru course of the same programme are two courses),
so they are plain fields, not modeltranslation fields.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped


class Language(models.TextChoices):
    KK = "kk", _("Kazakh")
    RU = "ru", _("Russian")


class Pacing(models.TextChoices):
    SELF = "self", _("self-paced")
    COHORT = "cohort", _("cohort-paced")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class Scoring(models.TextChoices):
    BEST = "best", _("best attempt")
    LAST = "last", _("last attempt")


# The step kinds of steps.py, as the pages name them.
KIND_LABELS = {
    "text": _("text"),
    "video": _("video"),
    "file": _("file"),
    "single_choice": _("single choice"),
    "multiple_choice": _("multiple choice"),
    "true_false": _("true or false"),
    "short_text": _("short answer"),
    "number": _("numeric answer"),
    "matching": _("matching"),
    "ordering": _("ordering"),
    "fill_gaps": _("fill the gaps"),
    "free_text": _("essay"),
}


class Course(TimeStamped):
    id = models.BigAutoField(primary_key=True)
    code = models.CharField(_("code"), max_length=40, unique=True)
    programme_version = models.ForeignKey(
        "catalogue.ProgrammeVersion",
        verbose_name=_("programme version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The branch that runs the course: it numbers the certificates and its coordinators manage.
    branch = models.ForeignKey(
        "registry.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    # Public: people without an IIN (parents, students) may enrol with an e-mail address.
    is_public = models.BooleanField(_("open to the public"), default=False)
    open_enrolment = models.BooleanField(_("open enrolment"), default=True)
    pacing = models.CharField(_("pacing"), max_length=6, choices=Pacing.choices)
    cohort = models.ForeignKey(
        "delivery.Cohort",
        verbose_name=_("cohort"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    pass_percent = models.PositiveSmallIntegerField(_("points needed, %"), default=60)
    distinction_percent = models.PositiveSmallIntegerField(
        _("points for distinction, %"), null=True, blank=True
    )
    # The published version new learners start on (None: nothing published yet).
    current_version = models.ForeignKey(
        "CourseVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("online course")
        verbose_name_plural = _("online courses")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_percent__lte=100), name="learning_pass_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class CourseVersion(models.Model):
    id = models.BigAutoField(primary_key=True)
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Fixed on publishing, so completion needs no count over the steps.
    step_count = models.PositiveIntegerField(default=0)
    required_count = models.PositiveIntegerField(default=0)
    total_points = models.FloatField(default=0)

    class Meta:
        verbose_name = _("course version")
        verbose_name_plural = _("course versions")
        ordering = ["course", "number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="learning_version_number"),
            models.UniqueConstraint(
                fields=["course"], condition=Q(status="draft"), name="learning_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class Module(models.Model):
    id = models.BigAutoField(primary_key=True)
    version = models.ForeignKey(
        CourseVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="modules"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)
    # Cohort-paced courses: after the soft deadline the penalty applies, after the hard one
    # no credit is given.
    soft_deadline = models.DateTimeField(_("soft deadline"), null=True, blank=True)
    hard_deadline = models.DateTimeField(_("hard deadline"), null=True, blank=True)
    penalty_percent = models.PositiveSmallIntegerField(_("late penalty, %"), default=0)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="learning_module_order"),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    id = models.BigAutoField(primary_key=True)
    module = models.ForeignKey(
        Module, verbose_name=_("module"), on_delete=models.CASCADE, related_name="lessons"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["module", "order"]
        constraints = [
            models.UniqueConstraint(fields=["module", "order"], name="learning_lesson_order"),
        ]

    def __str__(self) -> str:
        return self.title


def _media_path(instance: Step, filename: str) -> str:
    return f"learning/{instance.version_id}/{filename}"


class Step(models.Model):
    id = models.BigAutoField(primary_key=True)
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="steps"
    )
    # Denormalised from the lesson: a reply is checked against the enrolment's version, and
    # the outline is read in one query per version.
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="steps")
    # The stable identity of a step across versions: progress moves by it.
    key = models.CharField(_("key"), max_length=40)
    position = models.PositiveIntegerField(_("position in the course"))
    order = models.PositiveSmallIntegerField(_("order in the lesson"))
    kind = models.CharField(_("kind"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    definition = models.JSONField(_("definition"))
    # Text steps: the sanitised HTML (the definition keeps what the author wrote).
    body_html = models.TextField(blank=True)
    media = models.FileField(_("file"), upload_to=_media_path, max_length=300, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    transcript = models.TextField(_("transcript"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    points = models.FloatField(_("points"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), null=True, blank=True)
    scoring = models.CharField(
        _("score kept"), max_length=4, choices=Scoring.choices, default=Scoring.BEST
    )
    # A step imported from GIFT keeps its question's text, for the export.
    gift_source = models.TextField(blank=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="learning_step_position"),
            models.UniqueConstraint(fields=["version", "key"], name="learning_step_key"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_quiz(self) -> bool:
        return self.kind not in ("text", "video", "file")

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("learning")
    COMPLETED = "completed", _("completed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Result(models.TextChoices):
    PASSED = "passed", _("completed")
    DISTINCTION = "distinction", _("completed with distinction")


class Enrolment(models.Model):
    id = models.BigAutoField(primary_key=True)
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrolments"
    )
    version = models.ForeignKey(
        CourseVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="learning_enrolments",
    )
    # The registry record of a teacher (None for a public learner registered by e-mail).
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the learner came through a cohort, its enrolment is completed with the course.
    delivery_enrolment = models.ForeignKey(
        "delivery.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EnrolmentStatus.choices, default="active"
    )
    enrolled_at = models.DateTimeField(_("enrolled"))
    last_activity_at = models.DateTimeField(_("last activity"))
    resume_step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    steps_done = models.PositiveIntegerField(_("steps done"), default=0)
    required_done = models.PositiveIntegerField(default=0)
    points = models.FloatField(_("points"), default=0)
    # {module id: [steps done, points]}: per-module percentages without reading progress.
    module_progress = models.JSONField(default=dict, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Where the completion counts in the reports, fixed when the course is completed (a later
    # move does not move past figures): through a cohort, the area of the cohort enrolment;
    # otherwise the area of the person's school on that day; None for a learner without a
    # registry person (counted in the country's and the branch's figures only). ADR 0007.
    area = models.ForeignKey(
        "registry.Area",
        verbose_name=_("area at completion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hours = models.PositiveSmallIntegerField(_("hours"), null=True, blank=True)
    certificate = models.OneToOneField(
        "certificates.Certificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learning_enrolment",
    )

    class Meta:
        verbose_name = _("course enrolment")
        verbose_name_plural = _("course enrolments")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="learning_one_enrolment"),
        ]
        indexes = [
            models.Index(fields=["course", "last_activity_at"], name="learning_enr_activity"),
            models.Index(fields=["course", "status"], name="learning_enr_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_id}"

    @property
    def percent(self) -> int:
        total = self.version.total_points
        return int(self.points * 100 / total) if total else 0


class ProgressStatus(models.TextChoices):
    OPENED = "opened", _("opened")
    DONE = "done", _("done")


class StepProgress(models.Model):
    id = models.BigAutoField(primary_key=True)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=6, choices=ProgressStatus.choices, default="opened")
    variant = models.JSONField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    best_score = models.FloatField(null=True, blank=True)
    last_score = models.FloatField(null=True, blank=True)
    # What counts towards the totals: the kept score (best or last) after penalties, × points.
    credited = models.FloatField(default=0)
    opened_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "step"], name="learning_one_progress"),
        ]
        indexes = [models.Index(fields=["step", "status"], name="learning_progress_step")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}/{self.step_id}"


class Attempt(models.Model):
    """One reply; never updated or deleted."""

    id = models.BigAutoField(primary_key=True)
    progress = models.ForeignKey(StepProgress, on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    reply = models.JSONField()
    score = models.FloatField()
    credited = models.FloatField()
    feedback = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["progress", "idempotency_key"], name="learning_attempt_once"
            ),
        ]
        indexes = [models.Index(fields=["step"], name="learning_attempt_step")]

    def __str__(self) -> str:
        return f"{self.progress_id} #{self.number}"


class Post(models.Model):
    """A question on a step (parent None) or an answer to one; hidden by a moderator."""

    id = models.BigAutoField(primary_key=True)
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_team = models.BooleanField(default=False)
    body = models.TextField(_("text"), max_length=4000)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["step", "parent"], name="learning_post_step")]

    def __str__(self) -> str:
        return self.body[:60]


class Registration(models.Model):
    """A login made by the public registration by e-mail. It stays inactive until the link
    e-mailed to the address is followed (`confirmed_at`); an unconfirmed one whose link has
    expired may be taken over by a new registration of the same address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_registration"
    )
    requested_at = models.DateTimeField(_("requested"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration by e-mail")
        verbose_name_plural = _("registrations by e-mail")

    def __str__(self) -> str:
        return f"{self.user_id} {self.requested_at:%Y-%m-%d}"
