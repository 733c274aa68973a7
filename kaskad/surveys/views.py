"""Survey pages: the list, creating (on the screen or from an XLSForm), the form's page with its
simple editor, publishing, answering (signed in, or by the public link, throttled, no login),
results (aggregates with suppression) and exports. Thin: selectors read, services write."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kaskad.accounts.scopes import user_scope
from kaskad.core.errors import DomainError
from kaskad.core.http import AuthedRequest, client_ip
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.surveys import definition as forms_def
from kaskad.surveys import exports, selectors, services
from kaskad.surveys.forms import DatesForm, QuestionForm, ResultsFilterForm, SurveyForm
from kaskad.surveys.models import PUBLIC_GROUPS, Audience, Survey
from kaskad.surveys.permissions import runs_national_surveys, runs_surveys

MAX_XLSFORM = 5 * 1024 * 1024


def _language() -> str:
    return translation.get_language() or "kk"


def _survey(request: AuthedRequest, pk: int) -> Survey:
    return get_object_or_404(selectors.survey_list_visible_to(request.user), pk=pk)


def _cohort_choices(request: AuthedRequest) -> list[tuple[str, str]]:
    from kaskad.delivery.models import Cohort

    cohorts = Cohort.objects.select_related("version").order_by("-ends_on")
    if not runs_national_surveys(request.user):
        cohorts = cohorts.filter(branch_id__in=user_scope(request.user).branch_ids)
    return [(str(c.pk), f"{c.code} · {c.version.title}") for c in cohorts[:300]]


@login_required
def survey_list(request: AuthedRequest) -> HttpResponse:
    managed = None
    if runs_surveys(request.user):
        managed = selectors.survey_list_visible_to(request.user).select_related("branch")[:200]
    mine = selectors.surveys_for_respondent(request.user)
    cohorts = _cohort_choices(request) if managed is not None else []
    return render(
        request,
        "surveys/survey_list.html",
        {"managed": managed, "mine": mine, "cohorts": cohorts},
    )


@login_required
def survey_create(request: AuthedRequest) -> HttpResponse:
    if not runs_surveys(request.user):
        raise Http404
    form = SurveyForm(request.POST or None, request.FILES or None, cohorts=_cohort_choices(request))
    problems: list[forms_def.Problem] = []
    if request.method == "POST" and form.is_valid():
        from kaskad.delivery.models import Cohort
        from kaskad.registry.models import Organisation

        data = form.cleaned_data
        cohort = None
        if data["cohort"]:
            cohort = Cohort.objects.select_related("branch").filter(pk=int(data["cohort"])).first()
        codes = form.school_codes()
        schools = tuple(Organisation.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {o.code for o in schools})
        if unknown:
            form.add_error(
                "schools",
                _("Unknown organisation codes: %(codes)s") % {"codes": ", ".join(unknown)},
            )
        else:
            fields = services.SurveyFields(
                title={c: data[f"title_{c}"] for c in ("kk", "ru", "en")},
                audience=data["audience"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                cohort=cohort,
                organisations=schools,
            )
            upload = data.get("xlsform")
            with domain_errors_on_form(form):
                try:
                    if upload is not None:
                        if upload.size > MAX_XLSFORM:
                            raise DomainError(
                                "file_too_large",
                                _("The file is larger than 5 MB."),
                                field="xlsform",
                            )
                        survey = services.survey_import_xlsform(
                            by=request.user,
                            fields=fields,
                            data=upload.read(),
                            filename=upload.name,
                        )
                    else:
                        survey = services.survey_create(by=request.user, fields=fields)
                except services.FormRefused as refused:
                    problems = refused.problems
                    raise
                messages.success(request, _("The survey was created."))
                return redirect("surveys:detail", pk=survey.pk)
    return render(
        request,
        "surveys/survey_create.html",
        {"form": form, "problems": problems},
        status=400 if problems else 200,
    )


@login_required
@require_POST
def course_feedback(request: AuthedRequest) -> HttpResponse:
    """The standard course feedback for a cohort of the user's branch (or any, nationally)."""
    from kaskad.delivery.models import Cohort
    from kaskad.surveys.feedback import course_feedback_create

    if not runs_surveys(request.user):
        raise Http404
    allowed = {pk for pk, _label in _cohort_choices(request)}
    cohort_id = request.POST.get("cohort", "")
    if cohort_id not in allowed:
        raise Http404
    cohort = get_object_or_404(Cohort.objects.select_related("branch"), pk=int(cohort_id))
    with domain_errors_as_messages(request):
        survey = course_feedback_create(cohort=cohort, by=request.user)
        messages.success(request, _("The course feedback was created and published."))
        return redirect("surveys:detail", pk=survey.pk)
    return redirect("surveys:list")


@login_required
def xlsform_example(request: AuthedRequest) -> HttpResponse:
    if not runs_surveys(request.user):
        raise Http404
    from kaskad.surveys.samples import parents_xlsform

    response = HttpResponse(
        parents_xlsform(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="parents-survey.xlsx"'
    return response


def _rows(definition: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """The form as flat rows for the template: group starts and ends, notes, questions, each
    with its label in `language` and its conditions as JSON for form.js."""
    rows: list[dict[str, Any]] = []

    def add(elements: list[dict[str, Any]], depth: int) -> None:
        for element in elements:
            row = {
                "element": element,
                "depth": depth,
                "label": forms_def.label_in(
                    element.get("label"), language, element.get("name", "")
                ),
                "hint": forms_def.label_in(element.get("hint"), language),
                "relevant_json": json.dumps(element.get("relevant_tree"))
                if element.get("relevant_tree")
                else "",
                "constraint_json": json.dumps(element.get("constraint_tree"))
                if element.get("constraint_tree")
                else "",
                "constraint_message": forms_def.label_in(
                    element.get("constraint_message"), language
                ),
                "choices": [
                    (c["name"], forms_def.label_in(c.get("label"), language, c["name"]))
                    for c in element.get("choices", [])
                ],
            }
            if element.get("type") == "group":
                rows.append({**row, "kind": "group_start"})
                add(element.get("children", []), depth + 1)
                rows.append({"kind": "group_end", "depth": depth})
            else:
                rows.append({**row, "kind": "note" if element["type"] == "note" else "question"})

    add(list(definition.get("elements", [])), 0)
    return rows


@login_required
def survey_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "rows": _rows(survey.definition, _language()),
            "question_form": QuestionForm(),
            "dates_form": DatesForm(
                initial={"opens_on": survey.opens_on, "closes_on": survey.closes_on}
            ),
            "public_url": request.build_absolute_uri(f"/surveys/s/{survey.link}/")
            if survey.audience == Audience.PUBLIC
            else "",
            "responses": survey.responses.count(),
        },
    )


@login_required
@require_POST
def survey_question_add(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    form = QuestionForm(request.POST)
    problems: list[forms_def.Problem] = []
    if form.is_valid():
        with domain_errors_on_form(form):
            try:
                services.survey_question_add(
                    survey=survey, by=request.user, question=form.question()
                )
            except services.FormRefused as refused:
                problems = refused.problems
                raise
            messages.success(request, _("The question was added."))
            return redirect("surveys:detail", pk=survey.pk)
    survey.refresh_from_db()
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "rows": _rows(survey.definition, _language()),
            "question_form": form,
            "problems": problems,
            "dates_form": DatesForm(
                initial={"opens_on": survey.opens_on, "closes_on": survey.closes_on}
            ),
            "responses": survey.responses.count(),
        },
        status=400,
    )


@login_required
@require_POST
def survey_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    with domain_errors_as_messages(request):
        services.survey_publish(survey=survey, by=request.user)
        messages.success(request, _("The survey was published."))
    return redirect("surveys:detail", pk=survey.pk)


@login_required
@require_POST
def survey_dates(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    form = DatesForm(request.POST)
    if form.is_valid():
        with domain_errors_as_messages(request):
            services.survey_dates_set(
                survey=survey,
                by=request.user,
                opens_on=form.cleaned_data["opens_on"],
                closes_on=form.cleaned_data["closes_on"],
            )
            messages.success(request, _("The dates were saved."))
    else:
        messages.error(request, _("Enter both dates."))
    return redirect("surveys:detail", pk=survey.pk)


@login_required
def survey_results(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    options = selectors.filter_options(survey)
    form = ResultsFilterForm(request.GET or None, options=options)
    filters = selectors.Filters()
    if form.is_valid():
        filters = selectors.Filters(
            organisation_id=form.cleaned_data["organisation"],
            area_id=form.cleaned_data["area"],
            group=form.cleaned_data["group"] or "",
        )
    results = selectors.survey_results(survey=survey, filters=filters, language=_language())
    charts = {
        q.name: q.chart for q in results.questions if q.cells and any(c.count for c in q.cells)
    }
    return render(
        request,
        "surveys/survey_results.html",
        {"survey": survey, "form": form, "results": results, "charts": charts},
    )


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", exports.as_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.as_xlsx,
    ),
    "sav": ("application/x-spss-sav", exports.as_sav),
}


@login_required
def survey_export(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    survey = _survey(request, pk)
    if fmt not in EXPORTS:
        raise Http404
    content_type, build = EXPORTS[fmt]
    response = HttpResponse(build(survey, _language()), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.{fmt}"'
    return response


# --- Answering ------------------------------------------------------------------------------------


def _answer_context(
    survey: Survey, raw: Any = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    rows = _rows(survey.definition, _language())
    errors = errors or {}
    for row in rows:
        element = row.get("element")
        if element is None:
            continue
        name = element.get("name")
        row["error"] = errors.get(name, "")
        if raw is not None and name:
            values = raw.getlist(name)
            row["value"] = values[-1] if values else ""
            row["values"] = values
    return {
        "survey": survey,
        "rows": rows,
        "errors": errors,
        "group_error": errors.get("_group", ""),
        "school_error": errors.get("_school", ""),
    }


@login_required
def survey_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk, published=True)
    if services.respondent_for(survey=survey, user=request.user) is None:
        raise Http404
    if services.has_answered(survey=survey, user=request.user):
        return render(request, "surveys/answer_done.html", {"survey": survey, "already": True})
    if not survey.is_open:
        return render(request, "surveys/answer_closed.html", {"survey": survey}, status=409)
    if request.method == "POST":
        try:
            services.response_submit(survey=survey, user=request.user, raw=request.POST)
        except services.AnswersInvalid as invalid:
            context = _answer_context(survey, request.POST, invalid.errors)
            return render(request, "surveys/answer.html", context, status=400)
        except DomainError as error:
            if error.status == 404:
                raise Http404 from error
            messages.error(request, str(error.message))
            return redirect("surveys:list")
        return render(request, "surveys/answer_done.html", {"survey": survey})
    return render(request, "surveys/answer.html", _answer_context(survey))


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def public_answer(request: HttpRequest, link: str) -> HttpResponse:
    """The public link: no account, no address stored, throttled per (hashed) address."""
    if not services.public_attempt(ip=client_ip(request)):
        _limit, window = services.public_limit()
        response = render(
            request, "surveys/public_limited.html", {"minutes": max(1, window // 60)}, status=429
        )
        response["Retry-After"] = str(window)
        return _public(response)
    survey = selectors.survey_public(link)
    if survey is None:
        raise Http404
    if not survey.is_open:
        return _public(
            render(request, "surveys/answer_closed.html", {"survey": survey}, status=409)
        )
    schools = list(survey.organisations.order_by("name").values_list("pk", "name"))
    extra = {
        "public": True,
        "groups": [(g.value, g.label) for g in PUBLIC_GROUPS],
        "schools": schools,
    }
    if request.method == "POST":
        token = request.POST.get("_token", "")
        school = request.POST.get("_school", "")
        try:
            stored = services.response_submit_public(
                survey=survey,
                raw=request.POST,
                token=token,
                group=request.POST.get("_group", ""),
                organisation_id=int(school) if school.isdigit() else None,
            )
        except services.AnswersInvalid as invalid:
            context = {**_answer_context(survey, request.POST, invalid.errors), **extra}
            context.update(
                token=token, chosen_group=request.POST.get("_group", ""), chosen_school=school
            )
            return _public(render(request, "surveys/answer.html", context, status=400))
        except DomainError as error:
            context = {
                **_answer_context(survey, request.POST),
                **extra,
                "token": secrets.token_urlsafe(24),
            }
            messages.error(request, str(error.message))
            return _public(render(request, "surveys/answer.html", context, status=error.status))
        return _public(
            render(request, "surveys/answer_done.html", {"survey": survey, "again": not stored})
        )
    context = {**_answer_context(survey), **extra, "token": secrets.token_urlsafe(24)}
    return _public(render(request, "surveys/answer.html", context))
