"""Surveys, their responses, and who has answered: kept apart so that no column, key or order
joins an answer back to the person who gave it (docs/adr/0008-anonymous-surveys.md)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped


class Audience(models.TextChoices):
    PUBLIC = "public", _("anyone with the link (pupils, parents)")
    TEACHERS = "teachers", _("teachers of chosen schools")
    COHORT = "cohort", _("participants of a cohort (course feedback)")


class RespondentGroup(models.TextChoices):
    TEACHER = "teacher", _("teacher")
    PARTICIPANT = "participant", _("course participant")
    PUPIL = "pupil", _("pupil")
    PARENT = "parent", _("parent")
    OTHER = "other", _("other")


PUBLIC_GROUPS = (RespondentGroup.PARENT, RespondentGroup.PUPIL, RespondentGroup.OTHER)


def new_link() -> str:
    return secrets.token_urlsafe(12)


def random_key() -> int:
    # A random 63-bit key rather than a sequence: the key (and, on SQLite, the row order, which
    # follows the key) says nothing about when a response came in.
    return secrets.randbits(62) + 1


class Survey(TimeStamped):
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    published = models.BooleanField(_("published"), default=False)
    # The branch whose coordinator runs the survey (course feedback); empty: country-wide.
    branch = models.ForeignKey(
        "registry.Branch",
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cohort = models.ForeignKey(
        "delivery.Cohort",
        verbose_name=_("cohort"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisations = models.ManyToManyField(
        "registry.Organisation", verbose_name=_("schools"), blank=True, related_name="+"
    )
    link = models.CharField(_("public link"), max_length=32, unique=True, default=new_link)
    # The form: languages, questions, groups, choices, parsed conditions (see definition.py).
    definition = models.JSONField(_("form"), default=dict)
    source_name = models.CharField(_("imported from"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ("-opens_on", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        today = timezone.localdate()
        return self.published and self.opens_on <= today <= self.closes_on

    @property
    def state(self) -> str:
        if not self.published:
            return "draft"
        today = timezone.localdate()
        if today < self.opens_on:
            return "scheduled"
        if today > self.closes_on:
            return "closed"
        return "open"

    def questions(self) -> list[dict[str, Any]]:
        from kaskad.surveys.definition import flat_questions

        return flat_questions(self.definition)


class Response(models.Model):
    """One set of answers. No user, no address, no time finer than the day, a random key."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    submitted_on = models.DateField(_("day submitted"))
    # For the filters of the results (shown only for groups of five or more).
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    area = models.ForeignKey(
        "registry.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    group = models.CharField(_("respondent group"), max_length=12, choices=RespondentGroup.choices)
    answers = models.JSONField(_("answers"), default=dict)
    # The numeric answers packed as float32 in question order (NaN: none): what the results
    # page reads, 60 questions in 240 bytes.
    vector = models.BinaryField(_("numeric answers"), default=bytes)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["survey", "organisation"])]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.pk}"


ALL_CELLS = "*"  # the group of the survey-wide tally


class ResultTally(models.Model):
    """The sums behind the results (kaskad/surveys/tallies.py) of the responses of one filter
    cell (school, area, group), added to when a response is written; one more row per survey
    (group "*") holds the survey-wide sums. No time, no order, no respondent: exactly what the
    results of the cell show before suppression. The key is random, like a response's."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area = models.ForeignKey(
        "registry.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.CharField(max_length=12)
    responses = models.PositiveIntegerField(default=0)
    sums = models.BinaryField(default=bytes)  # float64, little-endian, layout in tallies.py

    class Meta:
        indexes = [models.Index(fields=["survey", "group"])]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.group} {self.responses}"


class Submission(models.Model):
    """ "Already answered": a registered user, or the one-time token of a public form. It
    shares no key, column or order with `Response`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    token = models.CharField(_("form token"), max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="survey_one_answer_per_user"),
            models.UniqueConstraint(fields=["survey", "token"], name="survey_one_answer_per_token"),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class PublicAttempt(models.Model):
    """Throttle of the public pages: a count per hashed address and time window."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="survey_attempt_window")
        ]

    def __str__(self) -> str:
        return f"{self.window_start:%Y-%m-%d %H:%M} {self.count}"
