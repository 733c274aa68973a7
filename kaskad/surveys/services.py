"""Every write of the surveys: creating (on the screen or from an XLSForm), editing the form,
publishing, and answering. Answers are written so that nothing joins them to who gave them:
the "already answered" mark and the response are separate rows, written in separate
transactions, with random keys and no time finer than the day (docs/adr/0008-anonymous-surveys.md).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError, StateConflict
from kaskad.surveys import definition as forms
from kaskad.surveys import tallies
from kaskad.surveys.models import (
    ALL_CELLS,
    Audience,
    PublicAttempt,
    RespondentGroup,
    Response,
    ResultTally,
    Submission,
    Survey,
)
from kaskad.surveys.permissions import manages_survey, runs_national_surveys, runs_surveys

if TYPE_CHECKING:
    from kaskad.accounts.models import User
    from kaskad.delivery.models import Cohort
    from kaskad.registry.models import Branch, Organisation


class FormRefused(DomainError):
    """The form (an XLSForm or a question) has problems; `problems` says where."""

    def __init__(self, problems: list[forms.Problem]) -> None:
        super().__init__(
            "form_invalid",
            _("The form has %(n)s problem(s); nothing was created.") % {"n": len(problems)},
        )
        self.problems = problems


@dataclass(frozen=True)
class SurveyFields:
    title: Mapping[str, str]  # language → text
    audience: str
    opens_on: date
    closes_on: date
    description: Mapping[str, str] | None = None
    branch: Branch | None = None
    cohort: Cohort | None = None
    organisations: tuple[Organisation, ...] = ()


def _check_fields(*, by: User, fields: SurveyFields) -> Branch | None:
    if not any((fields.title or {}).values()):
        raise DomainError("title_missing", _("Give the survey a title."), field="title_kk")
    if fields.closes_on < fields.opens_on:
        raise DomainError(
            "closes_before_opening",
            _("The survey closes (%(closes)s) before it opens (%(opens)s).")
            % {"closes": fields.closes_on.isoformat(), "opens": fields.opens_on.isoformat()},
            field="closes_on",
        )
    if fields.audience not in Audience.values:
        raise DomainError("audience_unknown", _("Choose who answers."), field="audience")
    branch = fields.branch
    if fields.audience == Audience.COHORT:
        if fields.cohort is None:
            raise DomainError(
                "cohort_missing", _("Choose the cohort whose participants answer."), field="cohort"
            )
        branch = fields.cohort.branch
    if fields.audience == Audience.TEACHERS and not fields.organisations:
        raise DomainError(
            "schools_missing", _("Choose the schools whose teachers answer."), field="organisations"
        )
    if not runs_national_surveys(by):
        # A branch coordinator runs course feedback for their own branch's cohorts only.
        if fields.audience != Audience.COHORT or not runs_surveys(by):
            raise PermissionDeniedError(
                "surveys_forbidden",
                _("Only the course feedback of your branch's cohorts may be run from a branch."),
            )
        from kaskad.accounts.scopes import user_scope

        if branch is None or branch.pk not in user_scope(by).branch_ids:
            raise NotFoundError("cohort_not_found", _("No such cohort."), field="cohort")
    return branch


@transaction.atomic
def survey_create(
    *,
    by: User,
    fields: SurveyFields,
    definition: dict[str, Any] | None = None,
    source_name: str = "",
) -> Survey:
    branch = _check_fields(by=by, fields=fields)
    form = definition or {"languages": ["kk", "ru"], "default_language": "kk", "elements": []}
    if definition is not None:
        try:
            forms.check(form)
        except forms.FormInvalid as invalid:
            raise FormRefused(invalid.problems) from None
    survey = Survey(
        audience=fields.audience,
        opens_on=fields.opens_on,
        closes_on=fields.closes_on,
        branch=branch,
        cohort=fields.cohort if fields.audience == Audience.COHORT else None,
        definition=form,
        source_name=source_name[:200],
        created_by=by,
    )
    _set_text(survey, "title", fields.title)
    _set_text(survey, "description", fields.description or {})
    survey.save()
    if fields.audience == Audience.TEACHERS:
        survey.organisations.set(fields.organisations)
    audit_record(
        actor=by,
        action="survey.create",
        obj=survey,
        changes={"title": [None, survey.title], "audience": [None, survey.audience]},
        source=source_name,
    )
    return survey


def _set_text(survey: Survey, field: str, values: Mapping[str, str]) -> None:
    for code in forms.LANGUAGES:
        setattr(survey, f"{field}_{code}", (values.get(code) or "").strip())


def survey_import_xlsform(*, by: User, fields: SurveyFields, data: bytes, filename: str) -> Survey:
    """A survey from an XLSForm file: every problem with sheet, row and column, or the survey."""
    from kaskad.surveys.xlsform import read

    try:
        parsed = read(data, filename=filename)
    except forms.FormInvalid as invalid:
        raise FormRefused(invalid.problems) from None
    title = dict(fields.title)
    if not any(title.values()):
        title = parsed.title
    return survey_create(
        by=by,
        fields=SurveyFields(
            title=title,
            audience=fields.audience,
            opens_on=fields.opens_on,
            closes_on=fields.closes_on,
            description=fields.description,
            branch=fields.branch,
            cohort=fields.cohort,
            organisations=fields.organisations,
        ),
        definition=parsed.definition,
        source_name=filename,
    )


def _editable(survey: Survey, by: User) -> None:
    if not manages_survey(by, survey):
        raise NotFoundError("survey_not_found", _("No such survey."))
    if survey.published:
        raise StateConflict(
            "survey_published", _("A published survey's form can no longer be changed.")
        )


@transaction.atomic
def survey_question_add(*, survey: Survey, by: User, question: dict[str, Any]) -> Survey:
    """Append a question built on the screen; the whole form is checked again."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _editable(survey, by)
    form = dict(survey.definition)
    elements = list(form.get("elements", []))
    elements.append(question)
    form["elements"] = elements
    languages = set(form.get("languages", []))
    languages |= {code for code, text in question.get("label", {}).items() if text}
    form["languages"] = [c for c in forms.LANGUAGES if c in languages]
    try:
        forms.check(form)
    except forms.FormInvalid as invalid:
        raise FormRefused(invalid.problems) from None
    survey.definition = form
    survey.save(update_fields=["definition", "updated_at"])
    audit_record(
        actor=by,
        action="survey.question_add",
        obj=survey,
        changes={"question": [None, question.get("name")]},
    )
    return survey


@transaction.atomic
def survey_publish(*, survey: Survey, by: User) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _editable(survey, by)
    if not survey.questions():
        raise StateConflict("survey_empty", _("Add at least one question before publishing."))
    survey.published = True
    survey.save(update_fields=["published", "updated_at"])
    audit_record(
        actor=by, action="survey.publish", obj=survey, changes={"published": [False, True]}
    )
    return survey


@transaction.atomic
def survey_dates_set(*, survey: Survey, by: User, opens_on: date, closes_on: date) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not manages_survey(by, survey):
        raise NotFoundError("survey_not_found", _("No such survey."))
    if closes_on < opens_on:
        raise DomainError(
            "closes_before_opening",
            _("The survey closes (%(closes)s) before it opens (%(opens)s).")
            % {"closes": closes_on.isoformat(), "opens": opens_on.isoformat()},
            field="closes_on",
        )
    old = (survey.opens_on, survey.closes_on)
    survey.opens_on, survey.closes_on = opens_on, closes_on
    survey.save(update_fields=["opens_on", "closes_on", "updated_at"])
    audit_record(
        actor=by,
        action="survey.dates",
        obj=survey,
        changes={
            "opens_on": [old[0].isoformat(), opens_on.isoformat()],
            "closes_on": [old[1].isoformat(), closes_on.isoformat()],
        },
    )
    return survey


# --- Answering ----------------------------------------------------------------------------------


class AnswersInvalid(DomainError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("answers_invalid", _("Some answers need attention."))
        self.errors = errors


@dataclass(frozen=True)
class Respondent:
    """What the results may be filtered by; never who it was."""

    group: str
    organisation_id: int | None = None
    area_id: int | None = None


def _closed(survey: Survey) -> None:
    if not survey.is_open:
        raise StateConflict("survey_closed", _("This survey is not open for answers."))


def _write_response(survey: Survey, answers: dict[str, Any], respondent: Respondent) -> None:
    """Store a response so that its place says nothing of when it came in.

    The key is random, and the rows are kept in a uniformly random order by the "inside-out"
    Fisher-Yates shuffle: the new row takes the content of a response picked at random among
    the survey's (or keeps its own), and that response takes the new content. The storage
    order (SQLite's rowid, the order of a dump) is then a random permutation of the order of
    answering, and cannot be lined up with the order of the "answered" marks."""
    vector = forms.pack(survey.definition, answers)
    content = {
        "submitted_on": timezone.localdate(),
        "organisation_id": respondent.organisation_id,
        "area_id": respondent.area_id,
        "group": respondent.group,
        "answers": answers,
        "vector": vector,
    }
    with transaction.atomic():
        existing = Response.objects.filter(survey=survey).count()
        position = secrets.randbelow(existing + 1)
        other = None
        if position < existing:
            key = (
                Response.objects.filter(survey=survey)
                .order_by("pk")
                .values_list("pk", flat=True)[position : position + 1]
                .first()
            )
            if key is not None:
                other = Response.objects.select_for_update().filter(pk=key).first()
        if other is None:
            Response.objects.create(survey=survey, **content)
        else:
            moved = {name: getattr(other, name) for name in content}
            Response.objects.create(survey=survey, **moved)
            for name, value in content.items():
                setattr(other, name, value)
            other.save(update_fields=list(content))
        _tally_add(survey, respondent, vector)


def _tally_add(survey: Survey, respondent: Respondent, vector: bytes) -> None:
    """Add one response's sums to the survey-wide tally and to its filter cell's, in the
    response's transaction (the survey-wide row first: one lock order for every writer)."""
    width = len(forms.numeric_questions(survey.definition))
    matrix = np.frombuffer(vector, dtype="<f4").reshape(1, width)
    added = tallies.summarise(survey.definition, matrix)
    cells = [
        (None, None, ALL_CELLS),
        (respondent.organisation_id, respondent.area_id, respondent.group),
    ]
    for organisation_id, area_id, group in cells:
        cell = {"organisation_id": organisation_id, "area_id": area_id, "group": group}
        row = ResultTally.objects.select_for_update().filter(survey=survey, **cell).first()
        if row is None:
            ResultTally.objects.create(
                survey=survey,
                responses=1,
                **cell,
                sums=tallies.pack(added),
            )
        else:
            row.responses += 1
            row.sums = tallies.pack(tallies.unpack(row.sums) + added)
            row.save(update_fields=["responses", "sums"])


@transaction.atomic
def tallies_rebuild(*, survey: Survey) -> None:
    """Count the tallies of a survey again from its responses (after responses were written
    around the services, e.g. loaded in bulk)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    ResultTally.objects.filter(survey=survey).delete()
    rows = (
        Response.objects.filter(survey=survey)
        .values_list("organisation_id", "area_id", "group", "vector")
        .iterator(5000)
    )
    cells = tallies.by_cell(survey.definition, rows)
    shape = tallies.layout(survey.definition)
    everything = np.zeros(shape.width, dtype=np.float64)
    made = []
    for (organisation_id, area_id, group), sums in cells.items():
        everything += sums
        made.append(
            ResultTally(
                survey=survey,
                organisation_id=organisation_id,
                area_id=area_id,
                group=group,
                responses=int(sums[0]),
                sums=tallies.pack(sums),
            )
        )
    made.append(
        ResultTally(
            survey=survey,
            group=ALL_CELLS,
            responses=int(everything[0]),
            sums=tallies.pack(everything),
        )
    )
    ResultTally.objects.bulk_create(made)


def response_submit_public(
    *,
    survey: Survey,
    raw: Mapping[str, Any],
    token: str,
    group: str,
    organisation_id: int | None = None,
) -> bool:
    """Answer by the public link. `token` is the one-time value of the form: the same form
    posted twice is kept once. True if stored now, False if this form was already stored."""
    _closed(survey)
    if survey.audience != Audience.PUBLIC:
        raise NotFoundError("survey_not_found", _("No such survey."))
    if not token or len(token) > 64:
        raise DomainError("token_missing", _("The form has expired: open the link again."))
    if group not in {g.value for g in RespondentGroup} - {"teacher", "participant"}:
        raise AnswersInvalid({"_group": _("Say who you are.")})
    checked = forms.check_answers(survey.definition, raw)
    if checked.errors:
        raise AnswersInvalid(checked.errors)
    area_id = None
    if organisation_id is not None:
        found = survey.organisations.filter(pk=organisation_id).values_list("area_id", flat=True)
        if not found:
            raise AnswersInvalid({"_school": _("Choose a school from the list.")})
        area_id = found[0]
    # One transaction: the token is random, held by the browser only, and names nobody.
    with transaction.atomic():
        try:
            with transaction.atomic():
                Submission.objects.create(survey=survey, token=token)
        except IntegrityError:
            return False
        _write_response(
            survey,
            checked.answers,
            Respondent(group=group, organisation_id=organisation_id, area_id=area_id),
        )
    return True


def respondent_for(*, survey: Survey, user: User) -> Respondent | None:
    """The respondent `user` is for `survey`, or None if the survey is not addressed to them."""
    from kaskad.delivery.models import Enrolment, EnrolmentStatus

    person = getattr(user, "person", None)
    if person is None:
        return None
    if survey.audience == Audience.TEACHERS:
        organisation_id = person.current_organisation_id
        if organisation_id is None or not survey.organisations.filter(pk=organisation_id).exists():
            return None
        area_id = survey.organisations.filter(pk=organisation_id).values_list("area_id", flat=True)
        return Respondent(RespondentGroup.TEACHER, organisation_id, area_id[0])
    if survey.audience == Audience.COHORT and survey.cohort_id is not None:
        enrolment = (
            Enrolment.objects.filter(cohort_id=survey.cohort_id, person=person)
            .exclude(status__in=[EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REMOVED])
            .values("organisation_id", "area_id")
            .first()
        )
        if enrolment is None:
            return None
        return Respondent(
            RespondentGroup.PARTICIPANT, enrolment["organisation_id"], enrolment["area_id"]
        )
    return None


def response_submit(*, survey: Survey, user: User, raw: Mapping[str, Any]) -> None:
    """Answer as a registered user. The mark ("answered") and the response are written in two
    transactions, so not even the transaction id ties them together; if the response cannot be
    written the mark is taken back."""
    respondent = respondent_for(survey=survey, user=user)
    if respondent is None:
        raise NotFoundError("survey_not_found", _("No such survey."))
    _closed(survey)
    checked = forms.check_answers(survey.definition, raw)
    if checked.errors:
        raise AnswersInvalid(checked.errors)
    try:
        with transaction.atomic():
            mark = Submission.objects.create(survey=survey, user=user)
    except IntegrityError:
        raise StateConflict(
            "already_answered", _("You have already answered this survey.")
        ) from None
    try:
        with transaction.atomic():
            _write_response(survey, checked.answers, respondent)
    except Exception:
        Submission.objects.filter(pk=mark.pk).delete()
        raise


def response_enter_paper(
    *,
    survey: Survey,
    by: User,
    raw: Mapping[str, Any],
    group: str,
    organisation_id: int | None = None,
) -> None:
    """A paper questionnaire typed in by the survey's staff: checked like any answer, stored
    like any response (no mark: a paper form names nobody)."""
    if not manages_survey(by, survey):
        raise NotFoundError("survey_not_found", _("No such survey."))
    if not survey.published:
        raise StateConflict("survey_draft", _("Publish the survey before entering answers."))
    if group not in RespondentGroup.values:
        raise AnswersInvalid({"_group": _("Say who you are.")})
    checked = forms.check_answers(survey.definition, raw)
    if checked.errors:
        raise AnswersInvalid(checked.errors)
    area_id = None
    if organisation_id is not None:
        from kaskad.registry.models import Organisation

        area_id = (
            Organisation.objects.filter(pk=organisation_id)
            .values_list("area_id", flat=True)
            .first()
        )
    _write_response(survey, checked.answers, Respondent(group, organisation_id, area_id))


def has_answered(*, survey: Survey, user: User) -> bool:
    return Submission.objects.filter(survey=survey, user=user).exists()


# --- Throttle of the public page ----------------------------------------------------------------


def public_limit() -> tuple[int, int]:
    """(requests allowed, window in seconds) per address on the public survey pages."""
    return (
        int(getattr(settings, "KASKAD_SURVEY_PUBLIC_LIMIT", 60)),
        int(getattr(settings, "KASKAD_SURVEY_PUBLIC_WINDOW", 600)),
    )


def public_attempt(*, ip: str | None) -> bool:
    """Count one public request from `ip`; False when over the limit. The address itself is not
    stored, only a keyed hash of it, and only for the current window (as the certificate
    verification counts, with a conditional UPDATE the database runs atomically)."""
    limit, window = public_limit()
    now = timezone.now()
    start = datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=UTC)
    key = hashlib.sha256(f"{settings.SECRET_KEY}|{ip or ''}".encode()).hexdigest()
    PublicAttempt.objects.bulk_create(
        [PublicAttempt(key=key, window_start=start)], ignore_conflicts=True
    )
    counted = PublicAttempt.objects.filter(key=key, window_start=start, count__lt=limit).update(
        count=F("count") + 1
    )
    if secrets.randbelow(50) == 0:
        PublicAttempt.objects.filter(window_start__lt=start).delete()
    return counted == 1
