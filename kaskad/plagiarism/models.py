"""Plagiarism checks of portfolios: thresholds and templates per programme, one check per
submitted attempt (with the engine's report), and the plagiarism officer's decisions.

The engine (`kaskad.plagiarism.engine`) does the text work and knows nothing of Django; this
app feeds it the submitted text, keeps what it found and passes the outcome to certification
(`kaskad.assessment.certification.services.portfolio_set_plagiarism`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped

# The share of a portfolio's own text covered by unattributed matches at which it goes to the
# plagiarism officer, when its programme has no threshold of its own (the settings may change
# it: KASKAD_PLAGIARISM_THRESHOLD_PERCENT).
DEFAULT_THRESHOLD_PERCENT = Decimal("15")


def default_threshold_percent() -> Decimal:
    return Decimal(
        str(getattr(settings, "KASKAD_PLAGIARISM_THRESHOLD_PERCENT", DEFAULT_THRESHOLD_PERCENT))
    )


class ProgrammeThreshold(TimeStamped):
    """The similarity at or above which a portfolio of this programme is suspected."""

    programme = models.OneToOneField(
        "catalogue.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="plagiarism_threshold",
    )
    threshold_percent = models.DecimalField(
        _("threshold, percent"),
        max_digits=5,
        decimal_places=2,
        default=default_threshold_percent,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("plagiarism threshold")
        verbose_name_plural = _("plagiarism thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_percent__gt=0) & Q(threshold_percent__lte=100),
                name="plagiarism_threshold_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.threshold_percent}"


class ProgrammeTemplate(TimeStamped):
    """A template or mandated text the programme gives every participant: text taken from it
    is never evidence of plagiarism."""

    programme = models.ForeignKey(
        "catalogue.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="plagiarism_templates",
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(
        _("file"), upload_to="plagiarism/templates/%Y/", max_length=300, blank=True
    )
    # What the check uses: typed in, or extracted from the file.
    text = models.TextField(_("text"), blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("programme template")
        verbose_name_plural = _("programme templates")
        ordering = ["programme", "title", "id"]

    def __str__(self) -> str:
        return self.title


class CheckStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class CrossLanguage(models.TextChoices):
    DONE = "done", _("done")
    SKIPPED = "skipped", _("not asked for")
    UNAVAILABLE = "unavailable", _("not available on this server")


class PlagiarismCheck(TimeStamped):
    """The check of one attempt of one portfolio. A re-run replaces it (the same row)."""

    portfolio = models.ForeignKey(
        "assessment.Portfolio",
        verbose_name=_("portfolio"),
        on_delete=models.CASCADE,
        related_name="plagiarism_checks",
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    status = models.CharField(
        _("status"), max_length=8, choices=CheckStatus.choices, default=CheckStatus.QUEUED
    )
    # Share of the text covered by unattributed matches, 0..100.
    similarity_percent = models.DecimalField(
        _("similarity, percent"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    threshold_percent = models.DecimalField(
        _("threshold, percent"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # The engine's Report.to_dict(): offsets into the checked text and into each source's.
    report = models.JSONField(_("report"), default=dict, blank=True)
    # The checked text is the attempt's frozen files joined (services.portfolio_text); its
    # length and digest, and each source's, tell the report page the offsets still fit.
    checked_chars = models.PositiveIntegerField(_("characters checked"), default=0)
    text_sha256 = models.CharField(max_length=64, blank=True)
    # [{"doc_id", "chars", "sha256", "covered"}] in the order the report names them
    # (Source 1, 2...: by the share of the checked text they cover).
    sources = models.JSONField(_("sources"), default=list, blank=True)
    cross_language = models.CharField(
        _("cross-language check"), max_length=12, choices=CrossLanguage.choices, blank=True
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    job = models.ForeignKey(
        "core.Job",
        verbose_name=_("background job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("plagiarism check")
        verbose_name_plural = _("plagiarism checks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "attempt"], name="one_plagiarism_check_per_attempt"
            )
        ]
        indexes = [models.Index(fields=["status", "similarity_percent"])]

    def __str__(self) -> str:
        return f"{self.portfolio} #{self.attempt}"


class Decision(models.TextChoices):
    CLEARED = "cleared", _("cleared")
    CONFIRMED = "confirmed", _("plagiarism confirmed")


class PlagiarismDecision(models.Model):
    """The plagiarism officer's decision on a check, with the reason. Never changed: a new
    decision is a new row, and the latest one counts."""

    # Not "check": that name is taken by Django's model checks.
    plagiarism_check = models.ForeignKey(
        PlagiarismCheck,
        verbose_name=_("plagiarism check"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("plagiarism decision")
        verbose_name_plural = _("plagiarism decisions")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(comment=""), name="plagiarism_decision_comment")
        ]

    def __str__(self) -> str:
        return f"{self.plagiarism_check} {self.decision}"
