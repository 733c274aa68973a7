"""Portfolio assessment: rubrics, portfolios and their files, assessors, blind allocation,
criterion-by-criterion marks, double marking, moderation, the one re-evaluation, and the
history of every transition.

A portfolio belongs to one enrolment. It is evaluated at most twice: attempt 1, and, when not
certified, exactly one repeated evaluation (attempt 2) by a different assessor, which is final.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped


class Rating(models.TextChoices):
    UNSATISFACTORY = "unsatisfactory", _("unsatisfactory")
    SATISFACTORY = "satisfactory", _("satisfactory")
    GOOD = "good", _("good")


# Ratings that pass, in increasing order.
PASSING_RATINGS = (Rating.SATISFACTORY, Rating.GOOD)


class Rubric(TimeStamped):
    """The criteria of one programme version and the rules of its assessment.

    Overall rating rule (stated to assessors and participants):
    - unsatisfactory if any criterion is at level 1;
    - good if every criterion is at level 2 or higher and the mean level is at least
      `good_mean` (of `max_level`);
    - satisfactory otherwise.
    """

    version = models.OneToOneField(
        "catalogue.ProgrammeVersion",
        verbose_name=_("programme version"),
        on_delete=models.PROTECT,
        related_name="rubric",
    )
    max_level = models.PositiveSmallIntegerField(_("highest level"), default=3)
    good_mean = models.DecimalField(
        _("mean level for good"), max_digits=3, decimal_places=2, default=2.5
    )
    # Policy of the assessment of this version.
    second_marking_percent = models.PositiveSmallIntegerField(
        _("random sample double-marked, percent"), default=10
    )
    same_branch_is_conflict = models.BooleanField(
        _("an assessor of the same branch has a conflict of interest"), default=False
    )
    submission_days = models.PositiveSmallIntegerField(
        _("days after the cohort ends to submit"), default=14
    )
    marking_days = models.PositiveSmallIntegerField(_("days to mark"), default=7)
    resubmission_days = models.PositiveSmallIntegerField(
        _("days to resubmit for re-evaluation"), default=14
    )
    max_file_mb = models.PositiveSmallIntegerField(_("largest file, MB"), default=20)
    max_files = models.PositiveSmallIntegerField(_("most files per portfolio"), default=10)

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self) -> str:
        return f"{self.version}"


class Criterion(models.Model):
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), on_delete=models.CASCADE, related_name="criteria"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("criterion"), max_length=300)  # kk/ru/en via modeltranslation

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["rubric", "order"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "order"], name="unique_criterion_order")
        ]

    def __str__(self) -> str:
        return self.title


class CriterionLevel(models.Model):
    """What a level of a criterion looks like (the level descriptor)."""

    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="levels"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    descriptor = models.TextField(_("descriptor"))  # kk/ru/en via modeltranslation

    class Meta:
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")
        ordering = ["criterion", "level"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "level"], name="unique_criterion_level")
        ]

    def __str__(self) -> str:
        return f"{self.criterion} {self.level}"


class PortfolioStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted, awaiting an assessor")
    IN_ASSESSMENT = "in_assessment", _("being assessed")
    MODERATION = "moderation", _("with the moderator")
    # Marks are in; the result waits for the plagiarism check to be settled.
    AWAITING_PLAGIARISM = "awaiting_plagiarism", _("awaiting the plagiarism decision")
    CERTIFIED = "certified", _("certified")
    NOT_CERTIFIED = "not_certified", _("not certified")
    # Not certified at the first attempt; the resubmission window is open.
    RESUBMISSION = "resubmission", _("open for resubmission")
    REVOKED = "revoked", _("certification revoked")


class PlagiarismStatus(models.TextChoices):
    NOT_CHECKED = "not_checked", _("not checked")
    PENDING = "pending", _("check pending")
    # Below the programme's threshold: nothing for the officer to decide.
    CLEAR = "clear", _("no significant matches")
    # At or above the threshold: waits for the plagiarism officer.
    SUSPECTED = "suspected", _("matches to review")
    CLEARED = "cleared", _("cleared by the officer")
    CONFIRMED = "confirmed", _("plagiarism confirmed")


# Certification may go ahead only from these.
PLAGIARISM_SETTLED_OK = (PlagiarismStatus.CLEAR, PlagiarismStatus.CLEARED)


class Portfolio(TimeStamped):
    enrolment = models.OneToOneField(
        "delivery.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="portfolio",
    )
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), on_delete=models.PROTECT, related_name="portfolios"
    )
    # 1, or 2 for the one repeated evaluation.
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=PortfolioStatus.choices, default=PortfolioStatus.DRAFT
    )
    deadline = models.DateTimeField(_("submission deadline"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # A provisional or final rating; final once the status is certified / not certified.
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    # Set when the marks and feedback become visible to the participant.
    released_at = models.DateTimeField(_("result released"), null=True, blank=True)
    plagiarism_status = models.CharField(
        _("plagiarism check"),
        max_length=12,
        choices=PlagiarismStatus.choices,
        default=PlagiarismStatus.NOT_CHECKED,
    )
    # Share of the text covered by unattributed matches, 0..100; None until checked.
    similarity_percent = models.DecimalField(
        _("similarity, percent"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # Publishing to the collection of best materials: the participant's consent, then staff.
    publish_consent_at = models.DateTimeField(_("consent to publish"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept beside the enrolment for reports that group by them without joins.
    programme = models.ForeignKey(
        "catalogue.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    branch = models.ForeignKey(
        "registry.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "programme"]),
            models.Index(fields=["branch", "status"]),
            models.Index(fields=["plagiarism_status"]),
            # The reports' sweep reads the portfolios changed since its last run.
            models.Index(fields=["updated_at"], name="assessment_portfolio_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(attempt__in=[1, 2]), name="at_most_two_attempts")
        ]

    def __str__(self) -> str:
        return f"P-{self.pk}"


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    ODT = "odt", "ODT"
    TXT = "txt", "TXT"


class PortfolioFile(models.Model):
    """An uploaded file. `stored` is the copy with the author's metadata stripped: the only one
    an assessor can download. `text` is what was extracted, for the plagiarism check."""

    portfolio = models.ForeignKey(
        Portfolio, verbose_name=_("portfolio"), on_delete=models.CASCADE, related_name="files"
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("type"), max_length=4, choices=FileKind.choices)
    size = models.PositiveIntegerField(_("size, bytes"))
    sha256 = models.CharField(max_length=64)
    stored = models.FileField(_("file"), upload_to="portfolios/%Y/%m/", max_length=300)
    text = models.TextField(_("extracted text"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # Files of a submitted attempt are frozen; a removed draft file is kept, marked removed.
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("portfolio file")
        verbose_name_plural = _("portfolio files")
        ordering = ["portfolio", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class DraftFeedback(models.Model):
    """A trainer's formative comment on a draft (before submission)."""

    portfolio = models.ForeignKey(
        Portfolio, verbose_name=_("portfolio"), on_delete=models.CASCADE, related_name="feedback"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("feedback"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback on a draft")
        verbose_name_plural = _("feedback on drafts")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.portfolio} {self.created_at:%Y-%m-%d}"


class AssessorAccreditation(TimeStamped):
    """A person accredited to assess portfolios of one programme, with a capacity: the most
    portfolios they take in one allocation round. Moderators settle disagreements."""

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="assessor_accreditations",
    )
    programme = models.ForeignKey(
        "catalogue.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="assessor_accreditations",
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=50)
    is_moderator = models.BooleanField(_("moderator"), default=False)
    valid_until = models.DateField(_("valid until"))
    # An assessor who drops out is deactivated; their open work is reallocated.
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("assessor accreditation")
        verbose_name_plural = _("assessor accreditations")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme"], name="one_assessor_accreditation_per_programme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.programme}"


class AssignmentRole(models.TextChoices):
    FIRST = "first", _("first marking")
    SECOND = "second", _("second marking")
    MODERATION = "moderation", _("moderation")


class AssignmentStatus(models.TextChoices):
    ALLOCATED = "allocated", _("allocated")
    MARKED = "marked", _("marked")
    # Taken away (assessor dropped out, overdue): the portfolio goes to someone else.
    WITHDRAWN = "withdrawn", _("withdrawn")


class Assignment(models.Model):
    """One assessor's (or moderator's) task on one attempt of one portfolio."""

    portfolio = models.ForeignKey(
        Portfolio, verbose_name=_("portfolio"), on_delete=models.PROTECT, related_name="assignments"
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)
    assessor = models.ForeignKey(
        "registry.Person", verbose_name=_("assessor"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ALLOCATED,
    )
    allocated_at = models.DateTimeField(_("allocated"))
    due_at = models.DateTimeField(_("due"))
    marked_at = models.DateTimeField(_("marked"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    comment = models.TextField(_("overall comment"), blank=True)
    # Marks being written, not final: {"marks": {criterion id: [level, comment]}, "comment": …}.
    draft = models.JSONField(_("draft marks"), default=dict, blank=True)
    draft_saved_at = models.DateTimeField(_("draft saved"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment task")
        verbose_name_plural = _("assessment tasks")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["assessor", "status"]),
            models.Index(fields=["status", "due_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "attempt", "role"],
                condition=~Q(status="withdrawn"),
                name="one_live_task_per_role_and_attempt",
            )
        ]

    def __str__(self) -> str:
        return f"{self.portfolio} #{self.attempt} {self.role}"


class CriterionMark(models.Model):
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assessment task"),
        on_delete=models.CASCADE,
        related_name="marks",
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    comment = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("criterion mark")
        verbose_name_plural = _("criterion marks")
        ordering = ["assignment", "criterion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"], name="one_mark_per_criterion"
            ),
            models.CheckConstraint(condition=Q(level__gte=1), name="mark_level_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}/{self.criterion_id}: {self.level}"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ALLOCATED = "allocated", _("allocated")
    REALLOCATED = "reallocated", _("reallocated")
    MARKED = "marked", _("marked")
    SECOND_MARKING = "second_marking", _("sent to second marking")
    MODERATION = "moderation", _("sent to moderation")
    MODERATED = "moderated", _("moderated")
    PLAGIARISM = "plagiarism", _("plagiarism check")
    CERTIFIED = "certified", _("certified")
    NOT_CERTIFIED = "not_certified", _("not certified")
    RE_EVALUATION = "re_evaluation", _("re-evaluation opened")
    RELEASED = "released", _("result released")
    REVOKED = "revoked", _("revoked")
    PUBLISHED = "published", _("published")


class PortfolioEvent(models.Model):
    """One transition of a portfolio: who, when and why. Written by services only."""

    portfolio = models.ForeignKey(
        Portfolio, verbose_name=_("portfolio"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("why"), max_length=500, blank=True)
    # Codes and parameters (assessor ids, ratings, statuses) for the history page.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("portfolio event")
        verbose_name_plural = _("portfolio history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.portfolio} {self.kind}"
