"""Demo logins: one user per role, made through the account services on seeded data.

`manage.py seed` creates them after loading the registry; `manage.py serve` prints them with
:func:`demo_logins`. All share one documented password (it passes the password validators);
a real installation simply never runs the seed command.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from kaskad.accounts.models import Role, RoleAssignment, User
from kaskad.accounts.services import user_create
from kaskad.registry.choices import OrganisationKind, Position
from kaskad.registry.models import Branch, Employment, Organisation, Person

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "DemoLogin",
    "DemoSetupError",
    "demo_logins",
    "demo_users_create",
]

DEMO_PASSWORD = "Kaskad-demo-2026"
ASTANA_AREA = "710000000"
COORDINATOR_BRANCH = "AST"
# The second coordinator's branch: the first of these that serves seeded organisations.
SECOND_BRANCHES = ("KOK", "ALA", "SHY")

# (username, role) in the order they are listed.
DEMO_USERS: tuple[tuple[str, str], ...] = (
    ("admin", Role.NATIONAL_ADMIN),
    ("coordinator", Role.BRANCH_COORDINATOR),
    ("coordinator2", Role.BRANCH_COORDINATOR),
    ("trainer", Role.TRAINER),
    ("assessor", Role.ASSESSOR),
    ("leader", Role.SCHOOL_LEADER),
    ("teacher", Role.TEACHER),
    ("analyst", Role.ANALYST),
    ("officer", Role.PLAGIARISM_OFFICER),
    ("monitor", Role.MONITORING_OFFICER),
    ("editor", Role.LIBRARY_EDITOR),
)


class DemoLogin(NamedTuple):
    username: str
    password: str
    role: str
    scope: str


class DemoSetupError(Exception):
    """The seeded data lacks what a demo user needs (e.g. no school in Astana)."""


def _demo_school() -> Organisation:
    """The largest open general school of Astana (ties by code): the leader's and teacher's."""
    school = (
        Organisation.objects.filter(
            kind=OrganisationKind.SCHOOL, area__code=ASTANA_AREA, is_open=True
        )
        .annotate(staff=Count("employments", filter=Q(employments__ended_on__isnull=True)))
        .filter(staff__gt=0)
        .order_by("-staff", "code")
        .first()
    )
    if school is None:
        raise DemoSetupError(_("Demo users need a general school in Astana with staff."))
    return school


def _staff_member(
    organisation: Organisation | None, position: str, *, exclude: tuple[int, ...] = ()
) -> Person | None:
    """The first person (by IIN) in a current job at ``organisation`` without a login."""
    if organisation is None:
        return None
    employment = (
        Employment.objects.filter(
            organisation=organisation,
            position=position,
            ended_on__isnull=True,
            person__user__isnull=True,
        )
        .exclude(person_id__in=exclude)
        .select_related("person")
        .order_by("person__iin")
        .first()
    )
    return employment.person if employment else None


def _other_school(
    *, besides: Organisation, area_code: str = "", branch: Branch | None = None
) -> Organisation | None:
    """Another open school with teachers, in the given area or branch."""
    schools = Organisation.objects.filter(kind=OrganisationKind.SCHOOL, is_open=True).exclude(
        pk=besides.pk
    )
    if area_code:
        schools = schools.filter(area__code=area_code)
    if branch is not None:
        schools = schools.filter(area__branch=branch)
    return (
        schools.filter(employments__ended_on__isnull=True, employments__position="teacher")
        .order_by("code")
        .first()
    )


def _second_branch() -> Branch:
    for code in SECOND_BRANCHES:
        branch = Branch.objects.filter(code=code).first()
        if branch and Organisation.objects.filter(area__branch=branch).exists():
            return branch
    return Branch.objects.exclude(code=COORDINATOR_BRANCH).order_by("code").first() or (
        Branch.objects.get(code=COORDINATOR_BRANCH)
    )


@transaction.atomic
def demo_users_create() -> list[DemoLogin]:
    """Create the demo users that do not exist yet and return every demo login.

    Idempotent: an existing username is left as it is.
    """
    existing = set(
        User.objects.filter(username__in=[u for u, _ in DEMO_USERS]).values_list(
            "username", flat=True
        )
    )
    missing = [(u, r) for u, r in DEMO_USERS if u not in existing]
    if missing:
        school = _demo_school()
        second = _second_branch()
        targets: dict[str, Branch | Organisation | None] = {
            "coordinator": Branch.objects.get(code=COORDINATOR_BRANCH),
            "coordinator2": second,
            "leader": school,
        }
        people: dict[str, Person | None] = {
            "leader": _staff_member(school, Position.DIRECTOR),
            "teacher": _staff_member(school, Position.TEACHER),
        }
        # The trainer teaches in another school of the same branch; the assessor works in
        # another branch, so neither has a conflict of interest with the demo teacher.
        teacher_id = people["teacher"].pk if people["teacher"] else 0
        people["trainer"] = _staff_member(
            _other_school(area_code=ASTANA_AREA, besides=school), Position.TEACHER
        ) or _staff_member(school, Position.TEACHER, exclude=(teacher_id,))
        people["assessor"] = _staff_member(
            _other_school(branch=second, besides=school), Position.TEACHER
        )
        if "teacher" in dict(missing) and people["teacher"] is None:
            raise DemoSetupError(_("Demo users need a teacher in a school in Astana."))
        for username, role in missing:
            person = people.get(username)
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                roles=[(role, targets.get(username))],
                person=person,
                first_name=person.given_name if person else "",
                last_name=person.surname if person else "",
            )
            if role == Role.NATIONAL_ADMIN:
                # The national administrator also manages the site's technical admin pages.
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
    return demo_logins()


def _scope(assignment: RoleAssignment, user: User) -> str:
    role = assignment.role
    if role in (Role.NATIONAL_ADMIN, Role.ANALYST):
        return _("whole country")
    if assignment.branch is not None:
        return _("branch %(code)s: %(name)s") % {
            "code": assignment.branch.code,
            "name": assignment.branch.name,
        }
    if assignment.organisation is not None:
        return _("organisation %(name)s (%(code)s)") % {
            "name": assignment.organisation.name,
            "code": assignment.organisation.code,
        }
    if user.person is not None:
        person = user.person
        where = person.current_organisation
        text = _("own record: %(name)s") % {"name": person.full_name}
        return f"{text}, {where.name}" if where else text
    if role == Role.TRAINER:
        return _("own cohorts")
    if role == Role.ASSESSOR:
        return _("portfolios allocated to them")
    if role == Role.PLAGIARISM_OFFICER:
        return _("plagiarism reports, whole country")
    if role == Role.MONITORING_OFFICER:
        return _("monitoring studies and surveys, whole country")
    if role == Role.LIBRARY_EDITOR:
        return _("resource library, whole country")
    return ""


def demo_logins() -> list[DemoLogin]:
    """The demo users that exist, in a fixed order, with password, role and scope."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[u for u, _ in DEMO_USERS])
        .select_related("person__current_organisation")
        .prefetch_related("roles__branch", "roles__organisation")
    }
    logins = []
    for username, role in DEMO_USERS:
        user = users.get(username)
        if user is None:
            continue
        assignment = next((a for a in user.roles.all() if a.role == role), None)
        label = str(Role(role).label)
        scope = _scope(assignment, user) if assignment else ""
        logins.append(DemoLogin(username, DEMO_PASSWORD, label, scope))
    return logins
