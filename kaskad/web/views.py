"""The home page: it gathers the registry counts and the work list of every app, so it sits in
the presentation layer above them (docs/adr/0003-layers.md)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.core.http import AuthedRequest
from kaskad.registry.selectors import organisation_list_visible_to, person_list_visible_to
from kaskad.reports.worklist import worklist

# Roles that work with the registry and so see its counts on the home page.
REGISTRY_READERS = (
    Role.NATIONAL_ADMIN,
    Role.BRANCH_COORDINATOR,
    Role.SCHOOL_LEADER,
    Role.ANALYST,
)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """The dashboard: who you are, what you may do, and the size of what you look after."""
    scope = user_scope(request.user)
    assignments = (
        request.user.roles.select_related("branch", "organisation", "organisation__area")
        .prefetch_related("branch__areas")
        .order_by("role", "id")
    )
    counts = None
    if scope.has(*REGISTRY_READERS):
        counts = {
            "people": person_list_visible_to(request.user).count(),
            "organisations": organisation_list_visible_to(request.user).count(),
        }
    sections = worklist(user=request.user)
    return render(
        request,
        "core/home.html",
        {
            "assignments": assignments,
            "counts": counts,
            "worklist": sections,
            "work_waiting": any(s.total or s.kind == "teachers_in_training" for s in sections),
            "today": timezone.localdate(),
        },
    )
