"""Users, their roles and the scope each role grants."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.core.roles import Role

__all__ = ["ApiToken", "LoginFailure", "Role", "RoleAssignment", "User"]


class User(AbstractUser):
    """A login. Linked to a registry person when the user is one (teacher, trainer...)."""

    person = models.OneToOneField(
        "registry.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    language = models.CharField(
        _("interface language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class RoleAssignment(models.Model):
    """A role held by a user, with the scope it applies to (branch or organisation)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    branch = models.ForeignKey(
        "registry.Branch",
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "branch", "organisation"], name="unique_role_assignment"
            ),
            models.CheckConstraint(
                condition=~Q(role="branch_coordinator") | Q(branch__isnull=False),
                name="coordinator_has_branch",
            ),
            models.CheckConstraint(
                condition=~Q(role="school_leader") | Q(organisation__isnull=False),
                name="school_leader_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        target = self.branch or self.organisation
        label = self.get_role_display()
        return f"{label} ({target})" if target else str(label)


class LoginFailure(models.Model):
    """A failed login, kept for throttling across all server processes."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A personal token for scripts using the JSON API. Only its SHA-256 is stored: the token
    itself is shown once, when it is created."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("purpose"), max_length=100, blank=True)
    # The first characters, to tell tokens apart in lists and logs without revealing them.
    prefix = models.CharField(_("token prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
