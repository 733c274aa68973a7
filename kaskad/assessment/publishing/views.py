"""The collection of best materials (every signed-in user with a role) and the staff's
publishing worklist ("Candidates for publishing", Publish / Unpublish).

Thin on purpose: reads through `publishing_selectors` (scope first: out of scope is 404),
writes through `publishing` (whose refusals are shown as messages).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaskad.assessment import permissions
from kaskad.assessment.models import PortfolioFile
from kaskad.assessment.portfolios.downloads import file_response
from kaskad.assessment.publishing import selectors
from kaskad.assessment.publishing.services import portfolio_publish, portfolio_unpublish
from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages
from kaskad.registry.choices import Language, Level, Position

PAGE_SIZE = 20
# The interface's languages; courses run in these.
COURSE_LANGUAGES = [(code, label) for code, label in Language.choices if code in ("kk", "ru", "en")]


class MaterialFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search the text"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    programme = forms.TypedChoiceField(
        label=gettext_lazy("Programme"), required=False, coerce=int, empty_value=None
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[("", gettext_lazy("All languages")), *COURSE_LANGUAGES],
    )
    position = forms.ChoiceField(
        label=gettext_lazy("Position"),
        required=False,
        choices=[("", gettext_lazy("All positions"))]
        + [(value, capfirst(label)) for value, label in Position.choices],
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Level taught"),
        required=False,
        choices=[("", gettext_lazy("All levels"))]
        + [(value, capfirst(label)) for value, label in Level.choices],
    )

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, str]] = [("", str(gettext_lazy("All programmes")))]
        for programme in programmes:
            versions = sorted(programme.versions.all(), key=lambda v: -v.number)
            title = next((v.title for v in versions if v.status == "approved"), None) or (
                versions[0].title if versions else ""
            )
            choices.append(
                (programme.pk, f"{programme.code} · {title}" if title else programme.code)
            )
        self.fields["programme"].choices = choices  # type: ignore[attr-defined]


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it taken down?"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _require_browse(request: HttpRequest) -> None:
    if not permissions.can_browse(request.user):
        raise Http404


# --- The collection -----------------------------------------------------------------------------


@login_required
def material_list(request: AuthedRequest) -> HttpResponse:
    _require_browse(request)
    form = MaterialFilterForm(request.GET, programmes=selectors.programmes_published())
    filters = selectors.MaterialFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.MaterialFilters(
            programme=data["programme"],
            language=data["language"],
            position=data["position"],
            level=data["level"],
            q=data["q"],
        )
    page = Paginator(
        selectors.published_list(user=request.user, filters=filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for portfolio in page.object_list:
        portfolio.excerpt_short = _excerpt(  # type: ignore[attr-defined]
            portfolio.excerpt or "",  # type: ignore[attr-defined]
            selectors.EXCERPT_CHARS,
        )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "assessment/publishing/list.html",
        {
            "form": form,
            "page": page,
            "querystring": params.urlencode(),
            "can_manage": permissions.can_manage_publishing(request.user),
        },
    )


def _excerpt(text: str, limit: int) -> str:
    """The start of a text cut at a word boundary, with runs of blank space folded."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    folded = "\n".join(line for line in lines if line)
    if len(folded) <= limit:
        return folded
    cut = folded[:limit].rsplit(" ", 1)[0].rstrip(",.;:—- ")
    return cut + "…"


@login_required
def material_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_browse(request)
    portfolio = selectors.published_get(user=request.user, pk=pk)
    files = portfolio.current_files  # type: ignore[attr-defined]
    text = "\n\n".join(f.text for f in files if f.text.strip())
    enrolment = portfolio.enrolment
    return render(
        request,
        "assessment/publishing/detail.html",
        {
            "portfolio": portfolio,
            "enrolment": enrolment,
            "version": enrolment.cohort.version,
            "files": files,
            "reading": _excerpt(text, selectors.READING_CHARS),
            "reading_cut": len(text) > selectors.READING_CHARS,
            "level": dict(Level.choices).get(selectors.employment_level(portfolio), ""),
            "can_manage": permissions.can_manage_publishing(request.user),
        },
    )


@login_required
def material_file(request: AuthedRequest, pk: int, file_pk: int) -> FileResponse:
    _require_browse(request)
    return material_file_response(
        selectors.published_file_get(user=request.user, pk=pk, file_pk=file_pk)
    )


def material_file_response(file: PortfolioFile) -> FileResponse:
    """The stored (metadata-stripped) copy as a download under its original name."""
    try:
        handle = file.stored.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return file_response(handle, name=file.original_name, kind=file.kind)


# --- The staff's worklist -----------------------------------------------------------------------


@login_required
def publishing_worklist(request: AuthedRequest) -> HttpResponse:
    candidates = list(selectors.publishing_candidates(user=request.user)[:200])
    for portfolio in candidates:
        portfolio.excerpt_short = _excerpt(  # type: ignore[attr-defined]
            portfolio.excerpt or "",  # type: ignore[attr-defined]
            selectors.EXCERPT_CHARS,
        )
    published = list(selectors.publishing_published(user=request.user)[:200])
    return render(
        request,
        "assessment/publishing/worklist.html",
        {
            "candidates": candidates,
            "published": published,
            "unpublish_form": UnpublishForm(),
        },
    )


@login_required
@require_POST
def publish_view(request: AuthedRequest, pk: int) -> HttpResponse:
    portfolio = selectors.publishing_get(user=request.user, pk=pk)
    with domain_errors_as_messages(request):
        portfolio_publish(portfolio=portfolio, by=request.user)
        messages.success(
            request,
            _("%(portfolio)s is published in the collection of best materials.")
            % {"portfolio": portfolio},
        )
    return redirect("assessment:publishing_worklist")


@login_required
@require_POST
def unpublish_view(request: AuthedRequest, pk: int) -> HttpResponse:
    portfolio = selectors.publishing_get(user=request.user, pk=pk)
    form = UnpublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the material is taken down."))
        return redirect("assessment:publishing_worklist")
    with domain_errors_as_messages(request):
        portfolio_unpublish(
            portfolio=portfolio, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request,
            _("%(portfolio)s is taken out of the collection.") % {"portfolio": portfolio},
        )
    return redirect("assessment:publishing_worklist")
