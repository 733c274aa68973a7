"""Certificate pages: the public verification (no login), staff lists and details with the
history, revocation and re-issue, bulk generation for a cohort, and "My certificates".

Thin on purpose: reads through `selectors` (scope first: out of scope is 404), writes through
`services` (whose refusals are shown as messages or on the form field they name).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.certificates import selectors
from kaskad.certificates.forms import (
    CertificateFilterForm,
    ReissueForm,
    RevokeForm,
    SessionForm,
    VerifyForm,
)
from kaskad.certificates.models import Certificate, CertificateStatus
from kaskad.certificates.pdf import result_label
from kaskad.certificates.permissions import manages_branch
from kaskad.certificates.services import (
    BULK_JOB_KIND,
    bulk_job_start,
    certificate_reissue,
    certificate_revoke,
    verification_attempt,
    verify_limit,
)
from kaskad.core.http import AuthedRequest, client_ip
from kaskad.core.jobs import job_for
from kaskad.core.models import Job
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.core.public_url import public_url, public_url_problem
from kaskad.delivery.models import Cohort

PAGE_SIZE = 25


# --- Public verification --------------------------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    # A look-up is personal to whoever made it: never cached (never_cache), never indexed.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _limited(request: HttpRequest) -> HttpResponse:
    _limit, window = verify_limit()
    response = render(
        request,
        "certificates/verify_limited.html",
        {"minutes": max(1, window // 60)},
        status=429,
    )
    response["Retry-After"] = str(window)
    return _public(response)


@require_GET
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """The form for a number; with ?number=… also the answer."""
    asked = "number" in request.GET
    form = VerifyForm(request.GET if asked else None)
    result = None
    if asked:
        if not verification_attempt(ip=client_ip(request)):
            return _limited(request)
        # The same look-up whatever was typed: a malformed number is simply not found.
        result = selectors.certificate_verify(number=request.GET.get("number", ""))
    return _public(render(request, "certificates/verify.html", {"form": form, "result": result}))


@require_GET
@never_cache
def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    """The target of the QR code printed on the certificate."""
    if not verification_attempt(ip=client_ip(request)):
        return _limited(request)
    result = selectors.certificate_verify(token=token)
    form = VerifyForm(initial={"number": result.number})
    return _public(
        render(request, "certificates/verify.html", {"form": form, "result": result, "qr": True})
    )


# --- Staff and participants -----------------------------------------------------------------


@login_required
def certificate_list(request: AuthedRequest) -> HttpResponse:
    if not selectors.sees_certificate_lists(request.user):
        if user_scope(request.user).person_id:
            return redirect("certificates:my_certificates")
        raise Http404
    form = CertificateFilterForm(request.GET)
    filters = selectors.CertificateFilters()
    if form.is_valid():
        filters = selectors.CertificateFilters(
            q=form.cleaned_data["q"],
            status=form.cleaned_data["status"],
            year=form.cleaned_data["year"],
        )
    page = Paginator(
        selectors.certificate_list(user=request.user, filters=filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "certificates/certificate_list.html",
        {
            "form": form,
            "page": page,
            "querystring": params.urlencode(),
            "session_form": SessionForm(),
        },
    )


@login_required
@require_POST
def session_generate(request: AuthedRequest) -> HttpResponse:
    """Certificates of a whole assessment session (a programme's cohorts ending in a period),
    as one background job and one ZIP."""
    if not selectors.sees_certificate_lists(request.user) or not user_scope(request.user).has(
        Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR
    ):
        raise Http404
    form = SessionForm(request.POST)
    if form.is_valid():
        with domain_errors_on_form(form):
            job = bulk_job_start(
                by=request.user,
                programme=form.cleaned_data["programme"],
                period=(form.cleaned_data["date_from"], form.cleaned_data["date_to"]),
            )
            return redirect("core:job_detail", pk=job.pk)
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, str(message))
    return redirect("certificates:list")


@login_required
def my_certificates(request: AuthedRequest) -> HttpResponse:
    if user_scope(request.user).person_id is None:
        raise Http404
    return render(
        request,
        "certificates/my_certificates.html",
        {"certificates": list(selectors.my_certificates(user=request.user))},
    )


def _may_manage(request: HttpRequest, certificate: Certificate) -> bool:
    return manages_branch(request.user, certificate.branch_id)


@login_required
def certificate_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    certificate = selectors.certificate_get(user=request.user, pk=pk)
    manager = _may_manage(request, certificate)
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "certificate": certificate,
            "history": selectors.certificate_history(certificate=certificate),
            "chain": selectors.certificate_chain(certificate=certificate),
            "manager": manager,
            "actionable": manager and certificate.status == CertificateStatus.VALID,
            "staff": selectors.sees_certificate_lists(request.user),
            "result_label": result_label(certificate.result),
            "reader_title": _title_for_reader(certificate),
            # Staff are told when the QR codes point at an address only this machine reaches.
            "public_url_warning": selectors.sees_certificate_lists(request.user)
            and public_url_problem(reached_at=request.get_host()),
            "public_url": public_url(),
            "certificate_language": dict(settings.LANGUAGES).get(
                certificate.language, certificate.language
            ),
        },
    )


def _title_for_reader(certificate: Any) -> str:
    """The programme's title in the reader's language when the certificate (printed in its own
    language, see docs/assessment.md) carries another one; empty when they are the same."""
    language = (translation.get_language() or "")[:2]
    if language == certificate.language:
        return ""
    if certificate.portfolio is None:  # an online course's certificate: one language
        return ""
    version = certificate.portfolio.enrolment.cohort.version
    title = str(getattr(version, f"title_{language}", "") or "")
    return title if title and title != certificate.programme_title else ""


@login_required
def certificate_pdf(request: AuthedRequest, pk: int) -> FileResponse:
    certificate = selectors.certificate_get(user=request.user, pk=pk)
    staff = selectors.sees_certificate_lists(request.user)
    # A participant downloads their valid certificate; a revoked or replaced one stays with
    # the staff, so that it is not passed around as if it still held.
    if not certificate.pdf or (not staff and certificate.status != CertificateStatus.VALID):
        raise Http404
    try:
        handle = certificate.pdf.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )


def _manageable(request: AuthedRequest, pk: int) -> Certificate:
    certificate = selectors.certificate_get(user=request.user, pk=pk)
    if not _may_manage(request, certificate):
        raise Http404
    return certificate


@login_required
def certificate_revoke_view(request: AuthedRequest, pk: int) -> HttpResponse:
    certificate = _manageable(request, pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors_on_form(form):
            certificate_revoke(
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                category=form.cleaned_data["category"],
                by=request.user,
            )
            messages.success(
                request,
                _("Certificate No. %(number)s has been revoked.") % {"number": certificate.number},
            )
            return redirect("certificates:detail", pk=certificate.pk)
    return render(
        request,
        "certificates/certificate_action.html",
        {"certificate": certificate, "form": form, "action": "revoke"},
    )


@login_required
def certificate_reissue_view(request: AuthedRequest, pk: int) -> HttpResponse:
    certificate = _manageable(request, pk)
    form = ReissueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors_on_form(form):
            new = certificate_reissue(
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                language=form.cleaned_data["language"] or None,
                by=request.user,
            )
            messages.success(
                request,
                _("Certificate No. %(new)s has been issued in place of No. %(old)s.")
                % {"new": new.number, "old": certificate.number},
            )
            return redirect("certificates:detail", pk=new.pk)
    return render(
        request,
        "certificates/certificate_action.html",
        {"certificate": certificate, "form": form, "action": "reissue"},
    )


# --- Bulk generation ------------------------------------------------------------------------


def _managed_cohort(request: HttpRequest, pk: int) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("version", "branch"), pk=pk)
    if not manages_branch(request.user, cohort.branch_id):
        raise Http404
    return cohort


@login_required
def cohort_certificates(request: AuthedRequest, pk: int) -> HttpResponse:
    """How many of a cohort's certified participants have their certificate; a button that
    issues the rest and packs all of them into one ZIP file (a background job)."""
    cohort = _managed_cohort(request, pk)
    if request.method == "POST":
        with domain_errors_as_messages(request):
            job = bulk_job_start(by=request.user, cohort=cohort)
            return redirect("core:job_detail", pk=job.pk)
    jobs = Job.objects.filter(kind=BULK_JOB_KIND, params__cohort_id=cohort.pk).order_by(
        "-created_at"
    )
    if not user_scope(request.user).national_write:
        jobs = jobs.filter(created_by_id=request.user.pk)
    certificates = (
        Certificate.objects.filter(portfolio__enrolment__cohort=cohort)
        .select_related("person")
        .order_by("full_name", "-id")
    )
    return render(
        request,
        "certificates/cohort_certificates.html",
        {
            "cohort": cohort,
            "counts": selectors.cohort_certificate_counts(cohort=cohort),
            "jobs": list(jobs[:5]),
            "certificates": list(certificates),
        },
    )


@login_required
def bulk_download(request: AuthedRequest, pk: int) -> FileResponse:
    job = job_for(request, pk)
    result: dict[str, Any] = job.result if isinstance(job.result, dict) else {}
    name = str(result.get("zip") or "")
    if job.kind != BULK_JOB_KIND or job.status != Job.Status.SUCCEEDED or not name:
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"certificates-{job.pk}.zip",
        content_type="application/zip",
    )
