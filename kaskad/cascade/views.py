"""Trainer pages: the list of accredited trainers, a trainer's page with the cascade lineage,
granting and revoking accreditations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaskad.accounts.scopes import iin_for
from kaskad.cascade import permissions, selectors, services
from kaskad.cascade.forms import GrantForm, RevokeForm, TrainerFilterForm
from kaskad.catalogue.models import VersionStatus
from kaskad.catalogue.selectors import programme_list_visible_to
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError
from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages
from kaskad.registry.selectors import person_get, person_search
from kaskad.registry.services import add_years

if TYPE_CHECKING:
    from kaskad.accounts.models import User

PAGE_SIZE = 25
DEFAULT_TERM_YEARS = 3


def _page(request: AuthedRequest, items: Any) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _programmes(user: User) -> Any:
    return programme_list_visible_to(user).order_by("code")


@login_required
def trainer_list(request: AuthedRequest) -> HttpResponse:
    if not permissions.can_see_trainer_list(request.user):
        raise PermissionDenied
    form = TrainerFilterForm(request.GET, programmes=_programmes(request.user))
    filters = selectors.TrainerFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.TrainerFilters(
            programme=data["programme"].pk if data["programme"] else None,
            level=data["level"],
            strand=data["strand"],
            validity=data["validity"],
            q=data["q"],
        )
    page = _page(request, selectors.accreditation_list(user=request.user, filters=filters))
    return render(
        request,
        "cascade/trainer_list.html",
        {
            "form": form,
            "page": page,
            "querystring": _querystring(request),
            "today": timezone.localdate(),
            "can_grant": bool(services.grantable_levels(request.user)),
        },
    )


def _mark_visible(links: list[Any], visible: set[int]) -> None:
    for link in links:
        link.visible = link.person.pk in visible
        _mark_visible(link.children, visible)


@login_required
def trainer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = selectors.trainer_get(user=request.user, pk=pk)
    accreditations = list(selectors.trainer_accreditations(person=person))
    lineage = selectors.cascade_lineage(person=person)
    # People of the lineage outside the user's scope are shown without their names.
    visible = selectors.trainer_ids_visible_to(request.user, lineage.people())
    _mark_visible(lineage.up, visible)
    _mark_visible(lineage.down, visible)
    today = timezone.localdate()
    for accreditation in accreditations:
        accreditation.is_valid = (  # type: ignore[attr-defined]
            accreditation.revoked_at is None
            and accreditation.valid_from <= today <= accreditation.valid_until
        )
        accreditation.can_revoke = (  # type: ignore[attr-defined]
            accreditation.revoked_at is None
            and permissions.can_grant(request.user, person=person, level=accreditation.level)
        )
    return render(
        request,
        "cascade/trainer_detail.html",
        {
            "person": person,
            "iin": iin_for(request.user, person),
            "accreditations": accreditations,
            "lineage": lineage,
            "can_grant": bool(services.grantable_levels(request.user))
            and permissions.can_grant(request.user, person=person),
            "today": today,
        },
    )


@login_required
def grant_start(request: AuthedRequest) -> HttpResponse:
    """Find the person to accredit (by IIN or name, within the user's scope)."""
    if not services.grantable_levels(request.user):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()[:200]
    people = list(person_search(user=request.user, q=q)[:PAGE_SIZE]) if q else []
    rows = [(p, iin_for(request.user, p)) for p in people]
    return render(request, "cascade/grant_start.html", {"q": q, "rows": rows})


@login_required
def accreditation_grant(request: AuthedRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, pk=pk)  # out of scope: 404
    levels = services.grantable_levels(request.user)
    if not levels or not permissions.can_grant(request.user, person=person):
        raise PermissionDenied
    programmes = _programmes(request.user).exclude(status=VersionStatus.RETIRED)
    enrolments = (
        selectors.related_model("earned_through")
        ._default_manager.completed()
        .filter(person=person)
        .select_related("cohort__version__programme")
        .order_by("-cohort__starts_on")
    )
    if request.method == "POST":
        form = GrantForm(request.POST, programmes=programmes, levels=levels, enrolments=enrolments)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.accreditation_grant(
                    person=person,
                    programme=data["programme"],
                    level=data["level"],
                    strand=data["strand"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    earned_through=data["earned_through"],
                    by=request.user,
                    source="web",
                )
            except (NotFoundError, PermissionDeniedError):
                raise PermissionDenied from None
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, str(exc.message))
            else:
                messages.success(request, _("The accreditation has been granted."))
                return redirect("cascade:trainer_detail", pk=person.pk)
    else:
        today = timezone.localdate()
        form = GrantForm(
            initial={
                "valid_from": today,
                "valid_until": add_years(today, DEFAULT_TERM_YEARS),
                # The lowest level the user may grant: most accreditations are of school
                # trainers; the national level is rare and must be chosen on purpose.
                "level": levels[-1],
            },
            programmes=programmes,
            levels=levels,
            enrolments=enrolments,
        )
    return render(request, "cascade/grant_form.html", {"form": form, "person": person})


@login_required
@require_POST
def accreditation_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    accreditation = selectors.accreditation_get(user=request.user, pk=pk)
    if not permissions.can_grant(
        request.user, person=accreditation.person, level=accreditation.level
    ):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the revocation."))
    else:
        with domain_errors_as_messages(request):
            services.accreditation_revoke(
                accreditation=accreditation,
                reason=form.cleaned_data["reason"],
                by=request.user,
                source="web",
            )
            messages.success(request, _("The accreditation has been revoked."))
    return redirect("cascade:trainer_detail", pk=accreditation.person_id)
