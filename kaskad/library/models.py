"""The resource library: materials with their files and versions, the ways they come in
(staff upload, a teacher's submission moderated by an editor, a published portfolio), their
use (downloads, favourites, ratings) and the centre's publications (manuals, the journal).

Search columns (`search_*`) hold the normalised and stemmed tokens of `kaskad.library.normalise`,
written by the services only; PostgreSQL indexes them in `search_vector` (GIN, weights A/B/C),
SQLite in the FTS5 table `library_material_fts` (docs/library-search.md).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped


class MaterialType(models.TextChoices):
    MEDIUM_TERM_PLAN = "medium_term_plan", _("medium-term plan")
    SHORT_TERM_PLAN = "short_term_plan", _("short-term plan")
    SUMMATIVE_UNIT = "summative_unit", _("summative task for the unit")
    SUMMATIVE_TERM = "summative_term", _("summative task for the term")
    RECOMMENDATION = "recommendation", _("methodological recommendation")
    MANUAL = "manual", _("manual")
    JOURNAL_ARTICLE = "journal_article", _("journal article")
    VIDEO = "video", _("video")
    PRESENTATION = "presentation", _("presentation")
    OTHER = "other", _("other")


class Subject(models.TextChoices):
    KAZAKH_LANGUAGE = "kazakh_language", _("Kazakh language")
    KAZAKH_LITERATURE = "kazakh_literature", _("Kazakh literature")
    RUSSIAN_LANGUAGE = "russian_language", _("Russian language")
    RUSSIAN_LITERATURE = "russian_literature", _("Russian literature")
    ENGLISH = "english", _("English")
    MATHEMATICS = "mathematics", _("mathematics")
    PHYSICS = "physics", _("physics")
    CHEMISTRY = "chemistry", _("chemistry")
    BIOLOGY = "biology", _("biology")
    GEOGRAPHY = "geography", _("geography")
    HISTORY = "history", _("history of Kazakhstan")
    INFORMATICS = "informatics", _("informatics")
    PRIMARY = "primary", _("primary school")
    PEDAGOGY = "pedagogy", _("pedagogy and management")
    OTHER = "other", _("other")


class Language(models.TextChoices):
    KK = "kk", _("Kazakh")
    RU = "ru", _("Russian")
    EN = "en", _("English")


class Licence(models.TextChoices):
    CC_BY = "cc_by", _("CC BY 4.0")
    CC_BY_SA = "cc_by_sa", _("CC BY-SA 4.0")
    CC_BY_NC = "cc_by_nc", _("CC BY-NC 4.0")
    CENTRE = "centre", _("the centre's licence: free use in teaching")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("waiting for review")
    RETURNED = "returned", _("returned to the author")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Origin(models.TextChoices):
    STAFF = "staff", _("uploaded by staff")
    TEACHER = "teacher", _("submitted by a teacher")
    PORTFOLIO = "portfolio", _("portfolio rated “good”")


GRADES = tuple(range(1, 12))


class Material(TimeStamped):
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=32, choices=Subject.choices)
    type = models.CharField(_("type"), max_length=32, choices=MaterialType.choices)
    programme = models.ForeignKey(
        "catalogue.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="library_materials",
    )
    project = models.CharField(_("project"), max_length=200, blank=True)
    licence = models.CharField(
        _("licence"), max_length=16, choices=Licence.choices, default=Licence.CC_BY
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    portfolio = models.OneToOneField(
        "assessment.Portfolio",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="library_material",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_submissions",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_reviews",
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    # The plagiarism check of the submission against the portfolio index (share 0..100).
    similarity_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    similarity_sources = models.JSONField(default=list, blank=True)
    # Ratings, kept on the row for ranking (a rating is rare; downloads never touch this row).
    rating_avg = models.FloatField(default=0.0)
    rating_count = models.PositiveIntegerField(default=0)
    downloads = models.PositiveBigIntegerField(default=0)  # folded in by the aggregation job
    searchable = models.BooleanField(_("searchable"), default=True)
    # Search columns, written by services.index_material.
    search_title = models.TextField(default="", blank=True)
    search_description = models.TextField(default="", blank=True)
    search_body = models.TextField(default="", blank=True)
    title_folded = models.CharField(max_length=300, default="", blank=True)
    search_vector = SearchVectorField(null=True, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["subject"]),
            models.Index(fields=["type"]),
            models.Index(fields=["language"]),
        ]

    def __str__(self) -> str:
        return self.title


class MaterialGrade(models.Model):
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="grade_rows")
    grade = models.PositiveSmallIntegerField(_("grade"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["material", "grade"], name="library_grade_once")
        ]
        indexes = [models.Index(fields=["grade", "material"])]

    def __str__(self) -> str:
        return f"{self.material_id}: {self.grade}"


class LexiconWord(models.Model):
    """A folded word of a material's title (`Material.title_folded`), for correcting a
    misspelled query word (kaskad/library/search.py). Words are only ever added: a word
    whose materials are gone stays and at worst offers a correction that matches nothing."""

    word = models.CharField(max_length=64, unique=True)

    class Meta:
        db_table = "library_lexicon"

    def __str__(self) -> str:
        return self.word


class MaterialAuthor(models.Model):
    """A person of the registry, or an outside author named in free text."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="authors")
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("author"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        if self.person is not None:
            return f"{self.person.surname} {self.person.given_name}".strip()
        return self.name


class FileKind(models.TextChoices):
    DOCUMENT = "document", _("document")
    VIDEO = "video", _("video")
    PRESENTATION = "presentation", _("presentation")


class MaterialFile(models.Model):
    """One version of a material's file. A new version is a new row: the old one is kept."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="files")
    version = models.PositiveIntegerField(_("version"))
    current = models.BooleanField(default=True)
    original_name = models.CharField(_("file"), max_length=255)
    kind = models.CharField(max_length=16)  # pdf, docx, odt, txt, mp4, webm, pptx
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    stored = models.FileField(upload_to="library/%Y/%m/", max_length=300, blank=True)
    # A published portfolio's file is served from the portfolio, not copied.
    portfolio_file = models.ForeignKey(
        "assessment.PortfolioFile",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.TextField(blank=True)
    searchable = models.BooleanField(default=True)
    not_searchable_reason = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["material", "version"], name="library_file_version")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.version})"


class Download(models.Model):
    """One download, appended (never updated): no row is contended on the hot path. The
    aggregation job folds them into `DownloadDaily` and `Material.downloads`."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["material"])]

    def __str__(self) -> str:
        return f"{self.material_id} {self.at}"


class DownloadDaily(models.Model):
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["material", "day"], name="library_download_day")
        ]

    def __str__(self) -> str:
        return f"{self.material_id} {self.day}: {self.count}"


class Favourite(models.Model):
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="favourites")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["material", "user"], name="library_favourite_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.material_id}"


class Rating(TimeStamped):
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(_("rating"))
    review = models.CharField(_("short review"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["material", "user"], name="library_rating_once")
        ]
        ordering = ["-created_at"]

    # --- Publications ---------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.material_id}: {self.stars}"


class Heading(models.TextChoices):
    TEACHER_AID = "teacher_aid", _("In aid of the teacher")
    RESEARCH = "research", _("Research (Lesson Study, Action Research)")
    LEADERSHIP = "leadership", _("School leadership")
    ASSESSMENT = "assessment", _("Criteria-based assessment")
    INCLUSION = "inclusion", _("Inclusive education")
    OTHER = "other", _("Other")


class Manual(models.Model):
    """A methodological manual of the centre: a material of type "manual" with its branch,
    heading and ISBN."""

    material = models.OneToOneField(Material, on_delete=models.CASCADE, related_name="manual")
    branch = models.ForeignKey(
        "registry.Branch",
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    heading = models.CharField(_("heading"), max_length=32, choices=Heading.choices)
    isbn = models.CharField(_("ISBN"), max_length=17, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))

    def __str__(self) -> str:
        return str(self.material)


class JournalIssue(models.Model):
    """An issue of the journal «Pedagogical Dialogue» (four a year, in three languages)."""

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"))
    issn = models.CharField(_("ISSN"), max_length=9)
    published_on = models.DateField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="library_issue_once")
        ]

    def __str__(self) -> str:
        return f"{self.year}, № {self.number}"


class JournalAuthor(models.Model):
    name = models.CharField(_("author"), max_length=200)
    country = models.CharField(_("country"), max_length=80)
    degree = models.CharField(_("academic degree"), max_length=120, blank=True)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)

    def __str__(self) -> str:
        return self.name


class JournalArticle(models.Model):
    issue = models.ForeignKey(JournalIssue, on_delete=models.PROTECT, related_name="articles")
    material = models.OneToOneField(Material, on_delete=models.CASCADE, related_name="article")
    heading = models.CharField(_("heading"), max_length=32, choices=Heading.choices)
    pages = models.CharField(_("pages"), max_length=20, blank=True)
    authors = models.ManyToManyField(JournalAuthor, related_name="articles")

    def __str__(self) -> str:
        return str(self.material)
