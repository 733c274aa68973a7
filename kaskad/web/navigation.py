"""Navigation by role, available to every template (a context processor).

It names pages of every app, so it lives above them all rather than in accounts."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import Scope, user_scope
from kaskad.assessment.permissions import is_moderator
from kaskad.core.notifications import notification_unread_count
from kaskad.networks.permissions import sees_networks

REGISTRY_ROLES = (Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR, Role.SCHOOL_LEADER, Role.ANALYST)
TRAINER_ROLES = (Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR)
COHORT_ROLES = (Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR, Role.TRAINER)
ASSESSMENT_STAFF_ROLES = (Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR)
PLAGIARISM_ROLES = (Role.NATIONAL_ADMIN, Role.PLAGIARISM_OFFICER)
MONITORING_ROLES = (Role.NATIONAL_ADMIN, Role.MONITORING_OFFICER, Role.ANALYST, Role.SCHOOL_LEADER)
REPORT_ROLES = (Role.NATIONAL_ADMIN, Role.ANALYST, Role.BRANCH_COORDINATOR)
SURVEY_ROLES = (Role.NATIONAL_ADMIN, Role.MONITORING_OFFICER, Role.BRANCH_COORDINATOR)
OBSERVATION_ROLES = (
    Role.NATIONAL_ADMIN,
    Role.ANALYST,
    Role.BRANCH_COORDINATOR,
    Role.TRAINER,
    Role.SCHOOL_LEADER,
)

# Each language named in itself, as a reader of that language looks for it.
LANGUAGE_SWITCH = (
    ("kk", "Қазақша", "ҚАЗ"),
    ("ru", "Русский", "РУС"),
    ("en", "English", "ENG"),
)


class NavItem(NamedTuple):
    url: str
    label: str | Promise
    current: bool = False


def _reverse(name: str, *args: Any) -> str | None:
    # Another part of the project may not have defined the route yet: leave the link out
    # rather than break every page.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def nav_items(request: HttpRequest, scope: Scope) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    wanted: list[tuple[str | None, str | Promise]] = [(_reverse("home"), _("Home"))]
    if scope.has(*REGISTRY_ROLES):
        wanted.append((_reverse("registry:person_list"), _("People")))
        wanted.append((_reverse("registry:organisation_list"), _("Organisations")))
    if scope.can_import:
        wanted.append((_reverse("registry_imports:upload"), _("Imports")))
    if scope.can_edit_registry:
        wanted.append((_reverse("registry:transfer_list"), _("Transfers")))
    wanted.append((_reverse("catalogue:programme_list"), _("Programmes")))
    if scope.has(*TRAINER_ROLES):
        wanted.append((_reverse("cascade:trainer_list"), _("Trainers")))
    if scope.has(*COHORT_ROLES) or scope.has(Role.ANALYST):
        # Analysts read every cohort (read-only pages: they manage none).
        wanted.append((_reverse("delivery:cohort_list"), _("Cohorts")))
    if scope.has(Role.TRAINER):
        wanted.append((_reverse("assessment:trainer_portfolios"), _("Portfolios")))
    if scope.has(*ASSESSMENT_STAFF_ROLES):
        wanted.append((_reverse("assessment:allocation_dashboard"), _("Assessment")))
        wanted.append((_reverse("certificates:list"), _("Certificates")))
    if scope.has(*ASSESSMENT_STAFF_ROLES):
        wanted.append((_reverse("assessment:history_list"), _("Portfolio history")))
    if scope.has(Role.ASSESSOR):
        wanted.append((_reverse("assessment:marking_queue"), _("Assessment tasks")))
        if is_moderator(user):
            wanted.append((_reverse("assessment:moderation_queue"), _("Moderation")))
    if scope.has(*PLAGIARISM_ROLES):
        wanted.append((_reverse("plagiarism:queue"), _("Plagiarism")))
    if scope.roles:
        support = "networks:network" if sees_networks(user) else "networks:request_list"
        wanted.append((_reverse(support), _("Support")))
    if scope.has(*MONITORING_ROLES):
        wanted.append((_reverse("monitoring:index"), _("Monitoring")))
    if scope.has(*OBSERVATION_ROLES) or scope.person_id:
        wanted.append((_reverse("observations:list"), _("Observations")))
    if scope.has(*REPORT_ROLES):
        wanted.append((_reverse("reports:index"), _("Reports")))
    elif scope.has(Role.SCHOOL_LEADER):
        wanted.append((_reverse("reports:dashboard"), _("My teachers' training")))
    if scope.has(*SURVEY_ROLES) or scope.person_id:
        wanted.append((_reverse("surveys:list"), _("Surveys")))
    # Online courses: teachers and people registered for public courses learn there; the
    # course teams find their courses on the same page.
    wanted.append((_reverse("learning:home"), _("Online courses")))
    if scope.has(*REPORT_ROLES) or scope.person_id:
        wanted.append((_reverse("projects:list"), _("Projects")))
    if scope.roles:
        # The library holds the published portfolios ("best materials") with everything else.
        wanted.append((_reverse("library:search"), _("Library")))
    if scope.person_id:
        wanted.append((_reverse("registry:person_detail", scope.person_id), _("My card")))
        wanted.append((_reverse("delivery:my_courses"), _("My courses")))
        wanted.append((_reverse("assessment:my_portfolios"), _("My portfolios")))
        wanted.append((_reverse("certificates:my_certificates"), _("My certificates")))
    # One indexed count per page; the link shows only when there is something new.
    unread = notification_unread_count(user=user)
    if unread:
        wanted.append(
            (_reverse("delivery:notifications"), _("Notifications (%(n)s)") % {"n": unread})
        )
    if user.is_staff:
        wanted.append((_reverse("admin:index"), _("Administration")))
    links = [(url, label) for url, label in wanted if url is not None]
    # The current item is the longest link the path starts with ("My card" beats "People");
    # the home link only counts on the home page itself.
    path = request.path
    matching = [
        url for url, _label in links if path == url or (url != "/" and path.startswith(url))
    ]
    current = max(matching, key=len, default=None)
    return [NavItem(url, label, url == current) for url, label in links]


def navigation(request: HttpRequest) -> dict[str, Any]:
    scope = user_scope(getattr(request, "user", None))
    return {
        "scope": scope,
        "nav_items": nav_items(request, scope),
        "language_switch": LANGUAGE_SWITCH,
        # In the footer of every page, signed in or not.
        "verify_url": _reverse("certificates:verify"),
    }
