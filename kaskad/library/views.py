"""Library pages: search with facets, a material (files and versions, download, favourite,
rating, similar materials, the review for editors), submission, the review queue, one's own
submissions and favourites, publications and their report. Thin: reads via selectors (scope
first: out of scope is 404), writes via services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kaskad.core.errors import DomainError
from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.library import selectors
from kaskad.library.forms import MaterialForm, RatingForm, ReviewForm, SearchForm, VersionForm
from kaskad.library.models import GRADES, Language, MaterialType, Status, Subject
from kaskad.library.permissions import can_browse, can_submit, is_editor
from kaskad.library.search import SearchFilters, run_search, similar_to, snippet
from kaskad.library.services.materials import (
    file_version_add,
    material_submit,
    material_upload,
    submission_review,
)
from kaskad.library.services.use import (
    download_count,
    download_record,
    favourite_set,
    rating_set,
)

PAGE_SIZE = 20
LABELS: dict[str, dict[Any, Any]] = {
    "subject": dict(Subject.choices),
    "type": dict(MaterialType.choices),
    "language": dict(Language.choices),
    "grade": {g: str(g) for g in GRADES},
}


def _require_browse(request: AuthedRequest) -> None:
    if not can_browse(request.user):
        raise Http404


@login_required
def search(request: AuthedRequest) -> HttpResponse:
    _require_browse(request)
    form = SearchForm(request.GET)
    filters = SearchFilters()
    if form.is_valid():
        c = form.cleaned_data
        filters = SearchFilters(
            q=c["q"], grade=c["grade"], subject=c["subject"], type=c["type"], language=c["language"]
        )
    else:
        filters = SearchFilters(q=str(request.GET.get("q", ""))[:2000])
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 500))
    except ValueError:
        page = 1
    result = run_search(
        selectors.published_visible_to(request.user),
        filters,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    hits = []
    for material in result.materials:
        text = material.description or ""
        body = material.files.filter(current=True).values_list("text", flat=True).first() or ""
        hits.append(
            {
                "material": material,
                "snippet": snippet(
                    f"{text}\n{body}" if text else body, result.groups, material.language
                ),
            }
        )
    params = request.GET.copy()
    params.pop("page", None)
    facets = []
    for name in ("type", "subject", "grade", "language"):
        values = result.facets.get(name, [])
        current = str(getattr(filters, name) or "")
        links = []
        for value, count in values:
            query = params.copy()
            query[name] = value
            query.pop("page", None)
            links.append(
                {
                    "label": LABELS[name].get(value, value),
                    "count": count,
                    "url": "?" + query.urlencode(),
                    "active": str(value) == current,
                }
            )
        if links:
            clear = params.copy()
            clear.pop(name, None)
            facets.append(
                {
                    "name": name,
                    "label": form.fields[name].label,
                    "links": links,
                    "clear": "?" + clear.urlencode() if current else "",
                }
            )
    pages = max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render(
        request,
        "library/search.html",
        {
            "form": form,
            "result": result,
            "hits": hits,
            "facets": facets,
            "page": page,
            "pages": pages,
            "querystring": params.urlencode(),
            "can_submit": can_submit(request.user),
            "is_editor": is_editor(request.user),
        },
    )


@login_required
def material_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    material = selectors.material_get(user=request.user, pk=pk)
    files = selectors.material_files(material)
    published = material.status == Status.PUBLISHED
    context: dict[str, Any] = {
        "material": material,
        "files": files,
        "current": [f for f in files if f.current],
        "authors": list(material.authors.select_related("person")),
        "grades": list(material.grade_rows.values_list("grade", flat=True).order_by("grade")),
        "published": published,
        "is_editor": is_editor(request.user),
        "is_author": material.submitted_by_id == request.user.pk,
        "downloads": download_count(material),
        "ratings": list(selectors.ratings_of(material)[:20]),
        "rating_form": RatingForm(),
        "review_form": ReviewForm(),
        "version_form": VersionForm(),
    }
    if published:
        context["favourite"] = selectors.is_favourite(user=request.user, material=material)
        context["similar"] = similar_to(
            selectors.published_visible_to(request.user), material, limit=5
        )
        mine = selectors.my_rating(user=request.user, material=material)
        if mine is not None:
            context["rating_form"] = RatingForm(
                initial={"stars": mine.stars, "review": mine.review}
            )
    return render(request, "library/material_detail.html", context)


@login_required
def download(request: AuthedRequest, pk: int, file_pk: int) -> FileResponse:
    file = selectors.file_get(user=request.user, pk=pk, file_pk=file_pk)
    stored = file.portfolio_file.stored if file.portfolio_file is not None else file.stored
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except OSError as error:
        raise Http404 from error
    if file.material.status == Status.PUBLISHED:
        download_record(material=file.material)
    return FileResponse(handle, as_attachment=True, filename=file.original_name)


@login_required
@require_POST
def favourite(request: AuthedRequest, pk: int) -> HttpResponse:
    material = selectors.material_get(user=request.user, pk=pk)
    if material.status != Status.PUBLISHED:
        raise Http404
    on = request.POST.get("on") == "1"
    favourite_set(material=material, by=request.user, on=on)
    messages.success(
        request, _("Added to your favourites.") if on else _("Removed from your favourites.")
    )
    return redirect("library:material_detail", pk=material.pk)


@login_required
@require_POST
def rate(request: AuthedRequest, pk: int) -> HttpResponse:
    material = selectors.material_get(user=request.user, pk=pk)
    if material.status != Status.PUBLISHED:
        raise Http404
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Choose from 1 to 5 stars; the review holds at most 500 characters.")
        )
        return redirect("library:material_detail", pk=material.pk)
    with domain_errors_as_messages(request):
        rating_set(
            material=material,
            by=request.user,
            stars=form.cleaned_data["stars"],
            review=form.cleaned_data["review"],
        )
        messages.success(request, _("Thank you: your rating is saved."))
    return redirect("library:material_detail", pk=material.pk)


@login_required
@require_POST
def review(request: AuthedRequest, pk: int) -> HttpResponse:
    if not is_editor(request.user):
        raise Http404
    material = selectors.material_get(user=request.user, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to publish the material or to return it."))
        return redirect("library:material_detail", pk=material.pk)
    publish = form.cleaned_data["decision"] == "publish"
    with domain_errors_as_messages(request):
        submission_review(
            material=material,
            by=request.user,
            publish=publish,
            comment=form.cleaned_data["comment"],
        )
        messages.success(
            request,
            _("The material is published.")
            if publish
            else _("The material is returned to its author."),
        )
    return redirect("library:material_detail", pk=material.pk)


@login_required
@require_POST
def new_version(request: AuthedRequest, pk: int) -> HttpResponse:
    material = selectors.material_get(user=request.user, pk=pk)
    if not (is_editor(request.user) or material.submitted_by_id == request.user.pk):
        raise Http404
    form = VersionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect("library:material_detail", pk=material.pk)
    with domain_errors_as_messages(request):
        stored = file_version_add(
            material=material,
            upload=form.cleaned_data["file"],
            by=request.user,
            note=form.cleaned_data["note"],
        )
        messages.success(
            request,
            _("Version %(n)s is uploaded; the earlier ones are kept.") % {"n": stored.version},
        )
    return redirect("library:material_detail", pk=material.pk)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: AuthedRequest) -> HttpResponse:
    editor = is_editor(request.user)
    if not (editor or can_submit(request.user)):
        raise Http404
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors_on_form(form):
            service = material_upload if editor else material_submit
            material = service(
                data=form.data_for(), upload=form.cleaned_data["file"], by=request.user
            )
            messages.success(
                request,
                _("The material is published.")
                if editor
                else _("Thank you: the material is sent for review."),
            )
            return redirect("library:material_detail", pk=material.pk)
    return render(request, "library/submit.html", {"form": form, "editor": editor})


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    materials = selectors.review_queue(user=request.user)
    page = Paginator(materials, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "library/queue.html", {"page": page, "querystring": ""})


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    _require_browse(request)
    return render(
        request,
        "library/mine.html",
        {
            "submissions": list(selectors.my_submissions(user=request.user)[:100]),
            "favourites": list(selectors.favourites_of(user=request.user)[:100]),
            "can_submit": can_submit(request.user),
        },
    )


@login_required
def publications(request: AuthedRequest) -> HttpResponse:
    _require_browse(request)
    try:
        year = int(request.GET.get("year", "")) or None
    except ValueError:
        year = None
    return render(
        request,
        "library/publications.html",
        {
            "manuals": list(selectors.manuals(user=request.user)[:200]),
            "issues": list(selectors.journal_issues(user=request.user)[:40]),
            "report": selectors.publications_report(year=year),
            "year": year,
            "this_year": timezone.localdate().year,
        },
    )


@login_required
def issue(request: AuthedRequest, pk: int) -> HttpResponse:
    found = selectors.issue_get(user=request.user, pk=pk)
    return render(
        request,
        "library/issue.html",
        {
            "issue": found,
            "articles": list(selectors.issue_articles(user=request.user, issue=found)),
        },
    )


__all__ = ["DomainError"]
