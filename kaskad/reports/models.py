"""Read models of the national reports (docs/adr/0007-read-models.md).

* `Fact`: one number of one metric for a year, at the grain branch × area × programme × key
  (the key is the extra dimension a metric needs: format, audience, strand, organisation kind,
  rating). Built by the sources of `kaskad.reports.figures` for a whole year at a time, and
  swapped in one transaction.
* `CascadeLink`: the cascade closure: each participant's enrolment linked to every trainer
  up its lineage (depth 1: the cohort's own trainer; 2: who trained that trainer; …), with the
  participant's results, so reach and quality down the cascade are grouped reads.
* `YearState`: when a year was last built, and whether it is frozen (its annual report issued).
* `IssuedReport`: an annual report as issued: its files and its figures, never recomputed; a
  re-issue is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Fact(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    metric = models.CharField(_("metric"), max_length=40)
    # Where the work happened (the cohort's or the portfolio's branch); None: not by branch.
    branch = models.ForeignKey(
        "registry.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Where the person worked when they enrolled (the enrolment's area).
    area = models.ForeignKey(
        "registry.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    programme = models.ForeignKey(
        "catalogue.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("dimension"), max_length=40, blank=True, default="")
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("report figure")
        verbose_name_plural = _("report figures")
        indexes = [
            models.Index(fields=["year", "metric", "branch"]),
            models.Index(fields=["year", "metric", "area"]),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.metric} {self.key} = {self.value}"


class CascadeLink(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    trainer = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("trainer")
    )
    depth = models.PositiveSmallIntegerField(_("depth"))
    # The trainer's level in the cascade (their highest accreditation level), for grouping.
    level = models.CharField(_("level"), max_length=10, blank=True)
    enrolment = models.ForeignKey("delivery.Enrolment", on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(
        "registry.Branch", null=True, on_delete=models.CASCADE, related_name="+"
    )
    completed = models.BooleanField(default=False)
    evaluated = models.BooleanField(default=False)
    certified = models.BooleanField(default=False)
    # 1 unsatisfactory, 2 satisfactory, 3 good; None: not rated.
    rating_score = models.PositiveSmallIntegerField(null=True)
    checked = models.BooleanField(default=False)
    flagged = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("cascade link")
        verbose_name_plural = _("cascade links")
        indexes = [
            models.Index(fields=["year", "trainer", "depth"]),
            models.Index(fields=["year", "level", "depth"]),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.trainer_id} → {self.participant_id} ({self.depth})"


class YearState(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    built_at = models.DateTimeField(_("figures as of"), null=True, blank=True)
    build_seconds = models.FloatField(default=0)
    frozen = models.BooleanField(_("frozen"), default=False)

    class Meta:
        verbose_name = _("report year")
        verbose_name_plural = _("report years")

    def __str__(self) -> str:
        return str(self.year)


class SweepMark(models.Model):
    """One row: up to when changes of the live records have been looked at."""

    name = models.CharField(max_length=20, primary_key=True, default="changes")
    mark = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.mark:%Y-%m-%d %H:%M}"


class IssuedReport(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    # "KZ" for the country, else a branch code or an area's KATO code.
    scope_kind = models.CharField(_("scope"), max_length=8)
    scope_code = models.CharField(_("scope code"), max_length=12, blank=True)
    scope_label = models.CharField(_("scope"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    # Every table as it was issued: {"tables": [{"code", "title", "columns", "rows"}]}.
    figures = models.JSONField(_("figures"), default=dict)
    pdf_kk = models.FileField(upload_to="reports/%Y/", max_length=300, blank=True)
    pdf_ru = models.FileField(upload_to="reports/%Y/", max_length=300, blank=True)
    pdf_en = models.FileField(upload_to="reports/%Y/", max_length=300, blank=True)
    xlsx = models.FileField(upload_to="reports/%Y/", max_length=300, blank=True)

    class Meta:
        verbose_name = _("issued annual report")
        verbose_name_plural = _("issued annual reports")
        ordering = ["-year", "scope_kind", "scope_code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "scope_kind", "scope_code", "version"],
                name="one_issued_report_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.scope_label} v{self.version}"


class LastCourse(models.Model):
    """Each teacher's last completed course (the latest `ended_at` of a completed enrolment),
    for "due for training": kept by the sweep for the people whose enrolments changed and
    rebuilt whole by the nightly rebuild. A person with no completed course has no row."""

    person = models.OneToOneField(
        "registry.Person",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="report_last_course",
    )
    completed_at = models.DateTimeField(_("last course completed"), db_index=True)

    class Meta:
        verbose_name = _("last completed course")
        verbose_name_plural = _("last completed courses")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.completed_at:%Y-%m-%d}"
