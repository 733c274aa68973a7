"""Monitoring studies: tests given to pseudonymous pupils of registry schools, their
responses scored against a key, and what the item analysis and the reports read.

No pupil has a name here: a pupil is a code within a school and class of a study (a school may
keep its own list of who is who outside the platform)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped


class Subject(models.TextChoices):
    MATHEMATICS = "mathematics", _("mathematics")
    SCIENCE = "science", _("science")
    L1 = "l1", _("first language (Kazakh or Russian)")
    L2 = "l2", _("second language (Kazakh or Russian)")
    ENGLISH = "english", _("English")


class Difficulty(models.TextChoices):
    EASY = "easy", _("easy")
    MEDIUM = "medium", _("medium")
    HARD = "hard", _("hard")


class Sex(models.TextChoices):
    FEMALE = "F", _("girl")
    MALE = "M", _("boy")


class InstructionLanguage(models.TextChoices):
    KAZAKH = "kk", _("Kazakh")
    RUSSIAN = "ru", _("Russian")


# Default performance bands: the lowest percent of the maximum score that reaches each band.
DEFAULT_BANDS: list[dict[str, Any]] = [
    {"code": "below", "from": 0},
    {"code": "basic", "from": 40},
    {"code": "proficient", "from": 60},
    {"code": "advanced", "from": 85},
]


class Band(models.TextChoices):
    BELOW = "below", _("below basic")
    BASIC = "basic", _("basic")
    PROFICIENT = "proficient", _("proficient")
    ADVANCED = "advanced", _("advanced")


class TestForm(TimeStamped):
    """A test of one subject and grade with its items; reusable across studies and years."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    grade = models.PositiveSmallIntegerField(_("grade"))
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=40)

    class Meta:
        verbose_name = _("test form")
        verbose_name_plural = _("test forms")
        ordering = ["grade", "subject", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Item(models.Model):
    """A task of a test form: a multiple-choice item has a key (A–D), a constructed-response
    item a maximum score (partial credit 0..max) and no key."""

    form = models.ForeignKey(TestForm, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("number"))
    key = models.CharField(_("key"), max_length=1, blank=True)
    options = models.PositiveSmallIntegerField(_("options"), default=4)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=1)
    strand = models.CharField(_("content strand"), max_length=80)
    skill = models.CharField(_("skill"), max_length=80)
    difficulty = models.CharField(
        _("intended difficulty"), max_length=8, choices=Difficulty.choices, blank=True
    )

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "position"], name="monitoring_item_position")
        ]

    def __str__(self) -> str:
        return f"{self.form.code} #{self.position}"

    @property
    def is_keyed(self) -> bool:
        return bool(self.key)


class Study(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    grades = models.JSONField(_("grades"), default=list)
    schools = models.ManyToManyField(
        "registry.Organisation", related_name="monitoring_studies", verbose_name=_("schools")
    )
    forms = models.ManyToManyField(
        TestForm, through="StudyTest", related_name="studies", verbose_name=_("tests")
    )
    bands = models.JSONField(_("performance bands"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("monitoring study")
        verbose_name_plural = _("monitoring studies")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class StudyTest(models.Model):
    """A test form given in a study (one per subject and grade)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="tests")
    form = models.ForeignKey(TestForm, on_delete=models.PROTECT, related_name="study_tests")

    class Meta:
        verbose_name = _("study test")
        verbose_name_plural = _("study tests")
        ordering = ["form__grade", "form__subject"]
        constraints = [
            models.UniqueConstraint(fields=["study", "form"], name="monitoring_one_form_per_study")
        ]

    def __str__(self) -> str:
        return f"{self.study} — {self.form}"


class Pupil(models.Model):
    """A pseudonymous pupil: a code unique within the school of a study; no name anywhere."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="pupils")
    school = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school"),
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    class_label = models.CharField(_("class"), max_length=12)
    code = models.CharField(_("pupil code"), max_length=32)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    language = models.CharField(
        _("language of instruction"), max_length=2, choices=InstructionLanguage.choices, blank=True
    )

    class Meta:
        verbose_name = _("pupil")
        verbose_name_plural = _("pupils")
        ordering = ["school", "grade", "class_label", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "school", "code"], name="monitoring_pupil_code_per_school"
            )
        ]
        indexes = [models.Index(fields=["study", "school", "grade", "class_label"])]

    def __str__(self) -> str:
        return self.code


class EntrySource(models.TextChoices):
    IMPORT = "import", _("file import")
    SCREEN = "screen", _("double entry on screen")


class Response(models.Model):
    """A pupil's answers to a study test (raw, as written) and their scores against the key
    (None: not answered)."""

    study_test = models.ForeignKey(StudyTest, on_delete=models.CASCADE, related_name="responses")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="responses")
    answers = models.JSONField(default=list)
    scores = models.JSONField(default=list)
    total = models.FloatField(_("score"), default=0)
    source = models.CharField(max_length=8, choices=EntrySource.choices)
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["study_test", "pupil"], name="monitoring_one_response_per_pupil"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id}: {self.total}"


class PaperEntry(models.Model):
    """One operator's keying of a paper answer sheet (double entry: passes 1 and 2)."""

    study_test = models.ForeignKey(StudyTest, on_delete=models.CASCADE, related_name="entries")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="paper_entries")
    entry_pass = models.PositiveSmallIntegerField(_("entry"))
    answers = models.JSONField(default=list)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("paper entry")
        verbose_name_plural = _("paper entries")
        constraints = [
            models.UniqueConstraint(
                fields=["study_test", "pupil", "entry_pass"], name="monitoring_one_entry_per_pass"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} #{self.entry_pass}"
