"""Certificates: numbered per branch and year, a PDF in the participant's language, verifiable
by anyone, revocable with a reason, re-issued (after a name change) with their history kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("valid")
    REVOKED = "revoked", _("revoked")
    # Replaced by a re-issued certificate (for example after a change of name).
    SUPERSEDED = "superseded", _("replaced by a re-issued certificate")


class RevocationCategory(models.TextChoices):
    """Why a certificate was revoked, as the public verification page states it (the reason
    itself may be personal and is shown to staff only)."""

    ISSUED_IN_ERROR = "issued_in_error", _("issued in error")
    ACADEMIC_MISCONDUCT = "misconduct", _("academic misconduct established")
    ASSESSMENT_ANNULLED = "annulled", _("assessment result annulled")
    OTHER = "other", _("other reasons")


class CertificateSequence(models.Model):
    """The last sequence number used per branch and year, taken under a row lock."""

    branch = models.ForeignKey("registry.Branch", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="one_sequence_per_branch_year")
        ]

    def __str__(self) -> str:
        return f"{self.branch_id}/{self.year}: {self.last}"


class Certificate(TimeStamped):
    # e.g. "ALA-2026-000123-K7QX": branch code, year, sequence, and a random check part so
    # that numbers cannot be guessed by counting.
    number = models.CharField(_("number"), max_length=40, unique=True)
    # None for a certificate of an online course (the course's enrolment points at it).
    portfolio = models.ForeignKey(
        "assessment.Portfolio",
        verbose_name=_("portfolio"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # None for a public learner of an online course (registered with an e-mail, no IIN).
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    branch = models.ForeignKey(
        "registry.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    # The random token in the QR code's link (the number alone also verifies).
    token = models.CharField(max_length=32, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=2)
    # What the certificate says, frozen at issue: verification compares against these.
    full_name = models.CharField(_("name on the certificate"), max_length=300)
    # What the public verification page shows of the name: given name and surname initial.
    public_name = models.CharField(_("name shown on verification"), max_length=120, blank=True)
    programme_title = models.CharField(_("programme"), max_length=300)
    hours = models.PositiveSmallIntegerField(_("hours"))
    starts_on = models.DateField(_("course start"))
    ends_on = models.DateField(_("course end"))
    result = models.CharField(_("result"), max_length=16)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pdf = models.FileField(_("PDF"), upload_to="certificates/%Y/", max_length=300, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    revoked_category = models.CharField(
        _("kind of revocation"), max_length=16, choices=RevocationCategory.choices, blank=True
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    reissue_reason = models.CharField(_("reason for re-issue"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["branch", "year"])]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "year", "sequence"], name="unique_certificate_sequence"
            ),
            # One valid certificate per portfolio at a time.
            models.UniqueConstraint(
                fields=["portfolio"],
                condition=Q(status="valid"),
                name="one_valid_certificate_per_portfolio",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class VerificationCount(models.Model):
    """Public look-ups from one address in one fixed time window, for the rate limit across
    all server processes. The counter is raised by one conditional UPDATE, so parallel
    requests can never count past the limit; old windows are deleted as new ones open."""

    ip = models.CharField(max_length=45, blank=True)  # "" when the address is unknown
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("certificate look-ups")
        verbose_name_plural = _("certificate look-ups")
        constraints = [
            models.UniqueConstraint(fields=["ip", "window_start"], name="one_count_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.ip or '?'} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
