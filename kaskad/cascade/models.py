"""The trainer cascade: who is accredited to train what, at which level, and through which
enrolment they earned it (so "who trained whom" is data)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped


class TrainerLevel(models.TextChoices):
    NATIONAL = "national", _("national (centre) trainer")
    REGIONAL = "regional", _("regional trainer")
    SCHOOL = "school", _("school trainer or coordinator")


class SchoolStrand(models.TextChoices):
    CRITERIA_ASSESSMENT = "criteria_assessment", _("criteria-based assessment")
    METHODS = "methods", _("teaching methods and technologies")
    RESEARCH = "research", _("research (Lesson Study, Action Research)")
    ASSESSMENT_TASKS = "assessment_tasks", _("assessment task development and review")


class Accreditation(TimeStamped):
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("trainer"),
        on_delete=models.PROTECT,
        related_name="accreditations",
    )
    programme = models.ForeignKey(
        "catalogue.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="accreditations",
    )
    level = models.CharField(_("level"), max_length=10, choices=TrainerLevel.choices)
    strand = models.CharField(_("strand"), max_length=24, choices=SchoolStrand.choices, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    earned_through = models.ForeignKey(
        "delivery.Enrolment",
        verbose_name=_("earned through enrolment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accreditations_earned",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("trainer accreditation")
        verbose_name_plural = _("trainer accreditations")
        ordering = ["-valid_until"]
        indexes = [models.Index(fields=["person", "programme", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="accreditation_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(level="school") | Q(strand=""),
                name="strand_only_for_school_trainers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.programme} ({self.get_level_display()})"
