"""Registry pages: person search and card, organisation list and page. Scoped by the
selectors: whatever is outside the user's scope is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from kaskad.core.http import AuthedRequest
from kaskad.core.models import AuditEntry
from kaskad.core.pages import domain_errors_on_form
from kaskad.core.scope import identifier_of, iin_for, scope_of
from kaskad.registry.choices import Language
from kaskad.registry.forms import ForeignPersonForm, OrganisationFilterForm, PersonSearchForm
from kaskad.registry.identifiers import IdentifierError, parse_iin
from kaskad.registry.messages import message_for
from kaskad.registry.models import Employment, Organisation, Person
from kaskad.registry.selectors import (
    area_list,
    organisation_get,
    organisation_list,
    organisation_list_visible_to,
    organisation_staff,
    person_search,
    person_with_history,
)
from kaskad.registry.services import ForeignPersonData, person_register_without_iin

PAGE_SIZE = 25
AUDIT_LIMIT = 100


def _page(request: AuthedRequest, items: Any) -> Page[Any]:
    # get_page copes with junk and out-of-range numbers by showing the first or last page.
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request: AuthedRequest) -> str:
    """The current filters without the page number, for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def iin_problem(q: str) -> str | None:
    """A message when the query is clearly meant as an IIN but is not a valid one."""
    if not (q.isascii() and q.isdigit()):
        return None
    try:
        parse_iin(q)
    except IdentifierError as exc:
        return message_for(exc.code, exc.params)
    return None


@login_required
def person_list(request: AuthedRequest) -> HttpResponse:
    """Search people by IIN (exact) or name (however it was typed)."""
    form = PersonSearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    problem = iin_problem(q) if q else None
    page = None
    rows: list[tuple[Person, str]] = []
    if q and problem is None:
        page = _page(request, person_search(user=request.user, q=q))
        rows = [(p, iin_for(request.user, p)) for p in page.object_list]
    context = {
        "form": form,
        "q": q,
        "problem": problem,
        "page": page,
        "rows": rows,
        "querystring": _querystring(request),
    }
    # Searching as you type (htmx) asks only for the results block.
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and htmx.target == "person-results"  # type: ignore[union-attr]
    template = "registry/_person_results.html" if partial else "registry/person_list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def person_abroad_new(request: AuthedRequest) -> HttpResponse:
    """Register a participant abroad who has no IIN, by an identity document (ADR 0005).
    National administrators only: such a person has no organisation in anyone's areas."""
    if not scope_of(request.user).national_write:
        raise Http404
    form = ForeignPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors_on_form(form):
            person = person_register_without_iin(
                data=ForeignPersonData(**form.cleaned_data), by=request.user, source="page"
            )
            messages.success(request, gettext("Registered: %(name)s.") % {"name": person.full_name})
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_abroad_form.html", {"form": form})


AUDITED_MODELS: dict[str, type[models.Model]] = {
    "registry.person": Person,
    "registry.employment": Employment,
}


@dataclass
class AuditRow:
    entry: AuditEntry
    record: str
    changes: list[tuple[str, str]]


def _audit_value(field: Any, value: Any, organisations: dict[int, str]) -> str:
    """One value of an audit entry as a reader would write it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(field, models.ForeignKey) and field.related_model is Organisation:
        return organisations.get(value, str(value))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and isinstance(field, models.DateField):
        try:
            return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


def _audit_trail(person: Person) -> list[AuditRow]:
    employment_ids = [str(e.pk) for e in person.employments.all()]  # already prefetched
    condition = Q(object_type="registry.person", object_id=str(person.pk))
    if employment_ids:
        condition |= Q(object_type="registry.employment", object_id__in=employment_ids)
    entries = list(
        AuditEntry.objects.filter(condition)
        .select_related("actor")
        .order_by("-at", "-id")[:AUDIT_LIMIT]
    )
    # Employment records name their organisation by id: look all of them up at once.
    organisation_ids = {
        value
        for entry in entries
        for value in _flat(entry.changes.get("organisation"))
        if isinstance(value, int)
    }
    organisations = (
        {o.pk: str(o) for o in Organisation.objects.filter(pk__in=organisation_ids)}
        if organisation_ids
        else {}
    )
    rows = []
    for entry in entries:
        model = AUDITED_MODELS.get(entry.object_type)
        changes = []
        for name, value in entry.changes.items():
            field = _model_field(model, name)
            label = capfirst(str(field.verbose_name)) if field is not None else name
            if (
                entry.action == AuditEntry.Action.UPDATE
                and isinstance(value, list)
                and len(value) == 2
            ):
                old, new = (_audit_value(field, v, organisations) for v in value)
                changes.append((label, f"{old} → {new}"))
            else:
                changes.append((label, _audit_value(field, value, organisations)))
        record = capfirst(str(model._meta.verbose_name)) if model else entry.object_type
        rows.append(AuditRow(entry=entry, record=record, changes=changes))
    return rows


def _flat(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _model_field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


@login_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = person_with_history(user=request.user, pk=pk)
    employments = list(person.employments.all())  # newest first (the model's ordering)
    organisation_ids = {e.organisation_id for e in employments}
    # Which organisations of the history the user may open (one query for all of them).
    linkable = (
        set(
            organisation_list_visible_to(request.user)
            .filter(pk__in=organisation_ids)
            .values_list("pk", flat=True)
        )
        if organisation_ids
        else set()
    )
    current = next((e for e in employments if e.ended_on is None and e.is_primary), None)
    scope = scope_of(request.user)
    iin = iin_for(request.user, person)
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "iin": iin,
            # Birth date and sex give a masked IIN back, contacts reach the person: they go
            # with the IIN (ADR 0002), as in the API.
            "sees_identity": iin == identifier_of(person),
            "is_self": person.pk == scope.person_id,
            "employments": employments,
            "current": current,
            "linkable": linkable,
            "audit": _audit_trail(person) if scope.can_edit_registry else None,
        },
    )


@login_required
def organisation_list_view(request: AuthedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    areas = area_list()
    if not scope.national:
        areas = areas.filter(pk__in=organisation_list_visible_to(request.user).values("area_id"))
    form = OrganisationFilterForm(request.GET, areas=areas)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "area": data["area"].pk if data["area"] else None,
            "kind": data["kind"],
            "locality": data["locality"],
            "q": data["q"],
        }
    page = _page(request, organisation_list(user=request.user, **filters))
    organisations: list[Organisation] = list(page.object_list)
    # Staff counts for this page only, in one grouped query.
    staff = (
        dict(
            Employment.objects.filter(
                organisation__in=[o.pk for o in organisations], ended_on__isnull=True
            )
            .values_list("organisation")
            .annotate(n=Count("id"))
            .values_list("organisation", "n")
        )
        if organisations
        else {}
    )
    rows = [(o, staff.get(o.pk, 0)) for o in organisations]
    return render(
        request,
        "registry/organisation_list.html",
        {"form": form, "page": page, "rows": rows, "querystring": _querystring(request)},
    )


@login_required
def organisation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = organisation_get(user=request.user, pk=pk)
    page = _page(request, organisation_staff(organisation=organisation))
    rows = [(e, iin_for(request.user, e.person)) for e in page.object_list]
    languages = dict(Language.choices)
    return render(
        request,
        "registry/organisation_detail.html",
        {
            "organisation": organisation,
            "languages": [languages.get(code, code) for code in organisation.languages or []],
            "page": page,
            "rows": rows,
            "querystring": _querystring(request),
        },
    )
