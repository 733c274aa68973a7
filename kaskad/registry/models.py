"""The national registry: areas, branches, organisations, people and their employment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped
from kaskad.registry.choices import (
    AreaKind,
    Category,
    Country,
    DocumentType,
    Level,
    Locality,
    OrganisationKind,
    Position,
    Sex,
)


class Branch(models.Model):
    """One of the centre's 16 branches; it serves the areas that point to it."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=80)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.name)


class Area(models.Model):
    """A region or a city of republican significance (KATO top level), as in force since 2022."""

    code = models.CharField(_("KATO code"), max_length=9, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=AreaKind.choices)
    name = models.CharField(_("name"), max_length=120)
    centre = models.CharField(_("administrative centre"), max_length=80, blank=True)
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="areas"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return str(self.name)


class District(models.Model):
    """A district or city of regional significance below an area (KATO second level)."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="districts"
    )
    code = models.CharField(_("KATO code"), max_length=9, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["area__sort_order", "name"]

    def __str__(self) -> str:
        return str(self.name)


class Organisation(TimeStamped):
    code = models.CharField(
        _("organisation code"),
        max_length=20,
        unique=True,
        help_text=_("Identifier used in import files (the BIN when the organisation has one)."),
    )
    bin = models.CharField(_("BIN"), max_length=12, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=24, choices=OrganisationKind.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="organisations"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    locality = models.CharField(_("locality"), max_length=8, choices=Locality.choices)
    is_ungraded = models.BooleanField(_("ungraded (small rural) school"), default=False)
    languages = models.JSONField(_("languages of instruction"), default=list, blank=True)
    is_open = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["area", "kind"]),
            models.Index(fields=["area", "locality"]),
        ]

    def __str__(self) -> str:
        return str(self.name)


class Person(TimeStamped):
    """A person known to the registry. The IIN is the natural key; birth date and sex derive
    from it. A participant without an IIN (a teacher or partner abroad) is known instead by an
    identity document: its kind, number and country (docs/adr/0005-participants-without-iin.md);
    the database holds exactly one of the two."""

    iin = models.CharField(_("IIN"), max_length=12, unique=True, null=True, blank=True)
    # Bulk imports insert rows without the document columns: the database fills them in.
    document_type = models.CharField(
        _("identity document"),
        max_length=12,
        choices=DocumentType.choices,
        blank=True,
        db_default="",
    )
    document_number = models.CharField(
        _("document number"), max_length=14, blank=True, db_default=""
    )
    document_country = models.CharField(
        _("country of the document"),
        max_length=2,
        choices=Country.choices,
        blank=True,
        db_default="",
    )
    surname = models.CharField(_("surname"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Folded "surname given patronymic" so that look-alike or Latin spellings find Kazakh names.
    search_key = models.CharField(max_length=320, db_index=True, editable=False)
    # Denormalised from the open employment record (kept by services) so scoping is one filter.
    current_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("current organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="current_staff",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["surname", "given_name"]
        constraints = [
            # Exactly one identifier: an IIN, or a complete identity document.
            models.CheckConstraint(
                condition=(
                    Q(iin__isnull=False)
                    & Q(document_type="")
                    & Q(document_number="")
                    & Q(document_country="")
                )
                | (
                    Q(iin__isnull=True)
                    & ~Q(document_type="")
                    & ~Q(document_number="")
                    & ~Q(document_country="")
                ),
                name="person_iin_or_document",
            ),
            models.UniqueConstraint(
                fields=["document_country", "document_type", "document_number"],
                condition=Q(iin__isnull=True),
                name="one_person_per_document",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def has_iin(self) -> bool:
        """False for a participant registered by an identity document (no IIN)."""
        return bool(self.iin)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)


class Employment(TimeStamped):
    """One job of a person at an organisation. A move closes one record and opens another."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="employments"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="employments",
    )
    position = models.CharField(_("position"), max_length=24, choices=Position.choices)
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    level = models.CharField(_("level taught"), max_length=20, choices=Level.choices, blank=True)
    category = models.CharField(
        _("qualification category"), max_length=12, choices=Category.choices, default="none"
    )
    category_awarded_on = models.DateField(_("category awarded"), null=True, blank=True)
    category_due_on = models.DateField(_("next attestation due"), null=True, blank=True)
    experience_years = models.PositiveSmallIntegerField(_("teaching experience, years"), default=0)
    started_on = models.DateField(_("start"))
    ended_on = models.DateField(_("end"), null=True, blank=True)
    # The main job (the one `Person.current_organisation` points at) or a concurrent second
    # job at another organisation (совместительство).
    is_primary = models.BooleanField(_("main job"), default=True)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employment history")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True, is_primary=True),
                name="one_open_main_employment_per_person",
            ),
            models.UniqueConstraint(
                fields=["person", "organisation"],
                condition=Q(ended_on__isnull=True),
                name="one_open_employment_per_person_and_organisation",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="employment_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organisation}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("awaiting a decision")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("withdrawn")


class TransferRequest(TimeStamped):
    """A request to move a person registered outside the requester's scope into one of their
    organisations. The current branch decides; the requester learns nothing about where the
    person is (``from_organisation`` and ``from_branch`` are shown to the deciding side only)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="transfers"
    )
    to_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("to organisation"),
        on_delete=models.PROTECT,
        related_name="incoming_transfers",
    )
    position = models.CharField(_("position"), max_length=24, choices=Position.choices)
    transfer_date = models.DateField(_("transfer date"))
    note = models.TextField(_("note"), blank=True, max_length=1000)
    # Where the person worked when the request was made: who decides.
    from_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("from organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outgoing_transfers",
    )
    from_branch = models.ForeignKey(
        Branch,
        verbose_name=_("from branch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outgoing_transfers",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TransferStatus.choices,
        default=TransferStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=1000)
    employment = models.ForeignKey(
        Employment,
        verbose_name=_("new employment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="pending"),
                name="one_pending_transfer_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["from_branch", "status"]),
            models.Index(fields=["to_organisation", "status"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} → {self.to_organisation}"


__all__ = [
    "Area",
    "Branch",
    "Category",
    "District",
    "Employment",
    "Level",
    "Organisation",
    "Person",
    "Position",
    "TransferRequest",
    "TransferStatus",
]
