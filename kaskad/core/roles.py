"""The roles a user may hold. The values are stored in `accounts.RoleAssignment.role`; they live
in core because the scope every app reads (`kaskad.core.scope`) is phrased in them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("national administrator")
    BRANCH_COORDINATOR = "branch_coordinator", _("branch coordinator")
    TRAINER = "trainer", _("trainer")
    ASSESSOR = "assessor", _("assessor")
    SCHOOL_LEADER = "school_leader", _("school leader")
    TEACHER = "teacher", _("teacher")
    ANALYST = "analyst", _("analyst")
    # Reviews plagiarism reports and decides (cleared / confirmed) for the whole country.
    PLAGIARISM_OFFICER = "plagiarism_officer", _("plagiarism officer")
    # Runs monitoring studies (tests, item analysis, pupils' reports) and surveys, whole country.
    MONITORING_OFFICER = "monitoring_officer", _("monitoring officer")
    # Moderates the resource library: reviews teachers' submissions, publishes, withdraws.
    LIBRARY_EDITOR = "library_editor", _("library editor")
