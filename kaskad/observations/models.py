"""Lesson observation: versioned instruments, observation records with scored evidence, and
second codings of the same lesson by another observer (for observer agreement).

An instrument version is a tree: domains → elements → behaviours. Every element has its own
scale (1–4, 1–5 or 1–7) and may allow "not applicable". A version with observations never
changes again: the services refuse, and a new version is made instead.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped
from kaskad.registry.models import Branch, Organisation, Person


class Scale(models.IntegerChoices):
    FOUR = 4, _("1–4")
    FIVE = 5, _("1–5 (low, medium, high behaviours)")
    SEVEN = 7, _("1–7")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    RETIRED = "retired", _("retired")


class Instrument(TimeStamped):
    """An observation instrument; what is scored lives in its versions."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("observation instrument")
        verbose_name_plural = _("observation instruments")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class InstrumentVersion(TimeStamped):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="versions", verbose_name=_("instrument")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    description = models.TextField(_("description"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["instrument__code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="unique_instrument_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument.code} v{self.number}"


class Domain(models.Model):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_domain_code")
        ]

    def __str__(self) -> str:
        return self.name


class Element(models.Model):
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="elements"
    )
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="elements")
    code = models.CharField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    scale_max = models.PositiveSmallIntegerField(_("scale"), choices=Scale.choices)
    allows_na = models.BooleanField(_("“not applicable” allowed"), default=False)
    na_rule = models.CharField(_("when “not applicable” may be chosen"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("element")
        verbose_name_plural = _("elements")
        ordering = ["domain__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_element_code"),
            models.CheckConstraint(
                condition=Q(scale_max__in=[4, 5, 7]), name="element_scale_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    @property
    def scale_min(self) -> int:
        return 1

    @property
    def scale_values(self) -> list[int]:
        return list(range(1, self.scale_max + 1))


class Behaviour(models.Model):
    """What a score looks like in the classroom: e.g. the low (1), medium (3), high (5) level."""

    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="behaviours")
    level = models.PositiveSmallIntegerField(_("score"))
    text = models.TextField(_("behaviour"))

    class Meta:
        verbose_name = _("behaviour")
        verbose_name_plural = _("behaviours")
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["element", "level"], name="unique_behaviour_level")
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.text[:60]}"


class Observation(TimeStamped):
    """One observer's record of one lesson.

    ``previous`` links a repeat observation of the same teacher to an earlier one on the same
    instrument version. ``double_of`` marks a second, independent coding of the same lesson
    by another observer: it counts for observer agreement, not for change.
    """

    client_id = models.UUIDField(_("submission id"), unique=True)
    version = models.ForeignKey(
        InstrumentVersion,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("instrument version"),
    )
    teacher = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="observations", verbose_name=_("teacher")
    )
    school = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("school"),
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="observations", verbose_name=_("branch")
    )
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="observations_made",
        verbose_name=_("observer"),
    )
    subject = models.CharField(_("subject"), max_length=40)
    grade = models.PositiveSmallIntegerField(_("grade"))
    observed_on = models.DateField(_("date of the lesson"))
    focus = models.CharField(_("lesson focus"), max_length=300)
    strengths = models.TextField(_("strengths"))
    next_steps = models.TextField(_("agreed next steps"))
    priorities = models.ManyToManyField(
        Element, related_name="prioritised_in", verbose_name=_("priority elements")
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("repeat of"),
    )
    double_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="second_codings",
        verbose_name=_("second coding of"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    reflection = models.TextField(_("teacher's reflection"), blank=True)

    class Meta:
        verbose_name = _("lesson observation")
        verbose_name_plural = _("lesson observations")
        ordering = ["-observed_on", "-id"]
        indexes = [
            models.Index(fields=["teacher", "observed_on"]),
            models.Index(fields=["school", "observed_on"]),
            models.Index(fields=["branch", "observed_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["double_of", "observer"], name="one_second_coding_per_observer"
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=0) & Q(grade__lte=12), name="observation_grade_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.observed_on:%Y-%m-%d}"

    @property
    def is_second_coding(self) -> bool:
        return self.double_of_id is not None


class Score(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="scores")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)  # None: n/a
    evidence = models.TextField(_("evidence"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["observation", "element"], name="unique_score"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1) & Q(value__lte=7),
                name="score_value_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.element.code}={self.value if self.value is not None else 'n/a'}"
