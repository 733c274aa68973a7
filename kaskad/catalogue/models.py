"""The programme catalogue: programmes, their versions and modules, quality certification and
the annual plan."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped


class Format(models.TextChoices):
    CLASSROOM = "classroom", _("classroom")
    ONLINE = "online", _("online")
    BLENDED = "blended", _("blended")
    SELF_PACED = "self_paced", _("self-paced (MOOC)")


class AssessmentScheme(models.TextChoices):
    PORTFOLIO = "portfolio_presentation", _("portfolio and presentation")
    NONE = "none", _("no assessment")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")
    RETIRED = "retired", _("retired")


class ProgrammeArea(models.Model):
    """A strand of the catalogue (methods and technologies of teaching, preschool...)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("programme area")
        verbose_name_plural = _("programme areas")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return str(self.name)


class Programme(TimeStamped):
    """The lasting identity of a course programme; its content lives in versions."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    area = models.ForeignKey(
        ProgrammeArea,
        verbose_name=_("programme area"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ProgrammeVersion(TimeStamped):
    """One edition of a programme. Approved versions are frozen: a revision is a new version,
    and cohorts keep the version they started with."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    audience_positions = models.JSONField(_("positions it is for"), default=list, blank=True)
    audience_levels = models.JSONField(_("levels it is for"), default=list, blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"))
    formats = models.JSONField(_("allowed formats"), default=list)
    languages = models.JSONField(_("languages"), default=list)
    assessment_scheme = models.CharField(
        _("assessment"),
        max_length=24,
        choices=AssessmentScheme.choices,
        default=AssessmentScheme.PORTFOLIO,
    )
    # Completion rule: attendance share of hours, plus the assessment when the scheme has one.
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance, percentage of hours"), default=80
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        ordering = ["programme__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="unique_version_number"),
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(status="draft"),
                name="one_draft_per_programme",
            ),
            # The "current" version is unambiguous: approving one retires the one before.
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(status="approved"),
                name="one_approved_per_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} v{self.number}: {self.title}"

    @property
    def requires_assessment(self) -> bool:
        return self.assessment_scheme != AssessmentScheme.NONE


class ProgrammeModule(models.Model):
    version = models.ForeignKey(
        ProgrammeVersion,
        verbose_name=_("programme version"),
        on_delete=models.CASCADE,
        related_name="modules",
    )
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)
    hours = models.PositiveSmallIntegerField(_("hours"))

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="unique_module_order")
        ]

    def __str__(self) -> str:
        return str(self.title)


class QualityCertification(TimeStamped):
    """An external quality certification of a programme (e.g. ACQUIN), valid for a term."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="certifications",
    )
    body = models.CharField(_("certifying body"), max_length=120)
    certified_on = models.DateField(_("certified on"))
    valid_until = models.DateField(_("valid until"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("quality certification")
        verbose_name_plural = _("quality certifications")
        ordering = ["valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("certified_on")),
                name="certification_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme.code}: {self.body} ({self.certified_on}–{self.valid_until})"


class AnnualPlan(TimeStamped):
    """Planned cohorts and participants per year, branch and programme."""

    year = models.PositiveSmallIntegerField(_("year"))
    branch = models.ForeignKey(
        "registry.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="plans"
    )
    planned_cohorts = models.PositiveIntegerField(_("planned cohorts"), default=0)
    planned_participants = models.PositiveIntegerField(_("planned participants"), default=0)

    class Meta:
        verbose_name = _("annual plan line")
        verbose_name_plural = _("annual plan")
        ordering = ["-year", "branch__code", "programme__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "branch", "programme"], name="unique_plan_line")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.branch_id} {self.programme_id}"
