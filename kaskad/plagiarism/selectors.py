"""Reads of the plagiarism workflow: which checks a user may see, the officer's queue, and the
report as a page (or the API) shows it.

Who sees a check:

* plagiarism officers and national administrators: every check, with the checked
  participant's identity;
* an assessor (or moderator) of the portfolio — an assignment on the checked attempt that
  was not withdrawn: the report BLIND, the portfolio named only by its code ("P-<id>");
* anyone else: 404.

Sources are never identified, whoever looks: a source is "Source n" with its programme and
year. The one exception is a published material whose author consented to publishing: it is
public anyway, so its title and author are shown. The sources' portfolios are read with
explicit column lists that never reach a person, an IIN or an organisation unless the source
is such a published material.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from kaskad.accounts.scopes import iin_for, user_scope
from kaskad.assessment.marking.selectors import portfolio_code
from kaskad.assessment.models import (
    Assignment,
    AssignmentStatus,
    PlagiarismStatus,
    Portfolio,
)
from kaskad.assessment.publishing.selectors import PUBLISHED
from kaskad.plagiarism.models import CheckStatus, PlagiarismCheck, PlagiarismDecision
from kaskad.plagiarism.permissions import OFFICER_ROLES, is_officer
from kaskad.plagiarism.services import COUNTED_KINDS, portfolio_text
from kaskad.plagiarism.store import parse_doc_id, text_digest

if TYPE_CHECKING:
    from kaskad.accounts.models import User

EXCERPT_CHARS = 160


# --- Scope --------------------------------------------------------------------------------------


def _base() -> QuerySet[PlagiarismCheck]:
    return PlagiarismCheck.objects.select_related(
        "portfolio", "portfolio__programme", "portfolio__rubric__version"
    )


def checks_visible_to(user: User) -> QuerySet[PlagiarismCheck]:
    scope = user_scope(user)
    if scope.has(*OFFICER_ROLES):
        return _base()
    if scope.person_id is None:
        return PlagiarismCheck.objects.none()
    assigned = Assignment.objects.filter(
        portfolio_id=OuterRef("portfolio_id"),
        attempt=OuterRef("attempt"),
        assessor_id=scope.person_id,
    ).exclude(status=AssignmentStatus.WITHDRAWN)
    return _base().filter(Exists(assigned))


def check_get(*, user: User, pk: int) -> PlagiarismCheck:
    try:
        return checks_visible_to(user).get(pk=pk)
    except PlagiarismCheck.DoesNotExist as exc:
        raise Http404 from exc


def check_for_portfolio(*, user: User, portfolio_id: int) -> PlagiarismCheck:
    """The check of the portfolio's current attempt (else its latest), as far as visible."""
    checks = checks_visible_to(user).filter(portfolio_id=portfolio_id)
    check = (
        checks.filter(attempt=F("portfolio__attempt")).first()
        or checks.order_by("-attempt").first()
    )
    if check is None:
        raise Http404
    return check


# --- The officer's queue ------------------------------------------------------------------------


def queue(*, user: User, programme_id: int | None = None) -> QuerySet[PlagiarismCheck]:
    """Suspected portfolios, highest similarity first (their current attempt's check)."""
    if not is_officer(user):
        raise Http404
    qs = _base().filter(
        portfolio__plagiarism_status=PlagiarismStatus.SUSPECTED, attempt=F("portfolio__attempt")
    )
    if programme_id:
        qs = qs.filter(portfolio__programme_id=programme_id)
    return qs.order_by(F("similarity_percent").desc(nulls_first=True), "finished_at", "id")


def failed_checks(*, user: User, programme_id: int | None = None) -> QuerySet[PlagiarismCheck]:
    """Checks the engine could not finish, while the portfolio still waits for a result."""
    if not is_officer(user):
        raise Http404
    qs = _base().filter(
        status=CheckStatus.FAILED,
        attempt=F("portfolio__attempt"),
        portfolio__plagiarism_status=PlagiarismStatus.PENDING,
    )
    if programme_id:
        qs = qs.filter(portfolio__programme_id=programme_id)
    return qs.order_by("finished_at", "id")


# --- The report ---------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> Decimal:
    if whole <= 0:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class SourceView:
    number: int
    doc_id: str
    share_percent: Decimal
    programme_code: str = ""
    year: int | None = None
    # Only for a published material whose author consented.
    published: bool = False
    title: str = ""
    author: str = ""
    url: str = ""
    # Only for officers (a pseudonymous code, never a name).
    code: str = ""
    cross_language: bool = False
    text_available: bool = True


@dataclass
class MatchView:
    number: int  # the anchor: l-<number> on the left, r-<number> on the right
    kind: str
    source: SourceView
    start: int
    end: int
    source_start: int
    source_end: int
    similarity_percent: Decimal
    excerpt: str
    source_excerpt: str = ""

    @property
    def counted(self) -> bool:
        return self.kind in COUNTED_KINDS


@dataclass
class Participant:
    name: str
    iin: str
    organisation: str


@dataclass
class DecisionView:
    decision: str
    label: str
    comment: str
    by: str
    at: datetime


@dataclass
class ReportView:
    check: PlagiarismCheck
    code: str
    blind: bool
    programme_code: str
    programme_title: str
    attempt: int
    similarity_percent: Decimal | None
    threshold_percent: Decimal | None
    template_percent: Decimal
    quoted_percent: Decimal
    cross_language: str
    cross_language_label: str
    plagiarism_status: str
    plagiarism_status_label: str
    sources: list[SourceView]
    matches: list[MatchView]
    quoted: list[MatchView]
    selected: SourceView | None
    left_html: SafeString
    right_html: SafeString
    text_available: bool
    participant: Participant | None = None
    decisions: list[DecisionView] = field(default_factory=list)
    can_decide: bool = False


def _excerpt(text: str, start: int, end: int) -> str:
    piece = text[start:end]
    if len(piece) > EXCERPT_CHARS:
        piece = piece[: EXCERPT_CHARS - 1].rstrip() + "…"
    return " ".join(piece.split())


def _source_details(sources: list[dict[str, Any]], *, officer: bool) -> dict[str, SourceView]:
    """Programme and year of each source; title and author only for consented publications."""

    ids = {}
    for source in sources:
        parsed = parse_doc_id(str(source.get("doc_id", "")))
        if parsed:
            ids[source["doc_id"]] = parsed
    portfolio_ids = {pid for pid, _attempt in ids.values()}
    rows = {
        row["pk"]: row
        for row in Portfolio.objects.filter(pk__in=portfolio_ids).values(
            "pk", "programme__code", "enrolment__cohort__ends_on"
        )
    }
    published = {
        p.pk: p
        for p in Portfolio.objects.filter(PUBLISHED, pk__in=portfolio_ids).select_related(
            "enrolment__person", "enrolment__cohort__version"
        )
    }
    views: dict[str, SourceView] = {}
    for number, source in enumerate(sources, start=1):
        doc = str(source.get("doc_id", ""))
        view = SourceView(number=number, doc_id=doc, share_percent=Decimal("0"))
        parsed = ids.get(doc)
        if parsed and parsed[0] in rows:
            row = rows[parsed[0]]
            view.programme_code = row["programme__code"]
            ends_on = row["enrolment__cohort__ends_on"]
            view.year = ends_on.year if ends_on else None
            material = published.get(parsed[0])
            if material is not None:
                view.published = True
                view.title = str(material.enrolment.cohort.version.title)
                view.author = material.enrolment.person.full_name
                try:
                    view.url = reverse("assessment:material_detail", args=[material.pk])
                except NoReverseMatch:
                    view.url = ""
            elif officer:
                view.code = portfolio_code(parsed[0])
        views[doc] = view
    return views


def _source_text(view: SourceView, expected: dict[str, Any]) -> str | None:
    parsed = parse_doc_id(view.doc_id)
    if parsed is None:
        return None
    text = portfolio_text(portfolio_id=parsed[0], attempt=parsed[1])
    if expected.get("sha256") and text_digest(text) != expected["sha256"]:
        return None
    return text


@dataclass
class _Span:
    start: int
    end: int
    anchor: str
    href: str
    css: str
    title: str
    priority: tuple[int, int, int]


def highlight(text: str, spans: Iterable[_Span]) -> SafeString:
    """The text with each span wrapped in <mark>: the first piece of a span carries its id
    (the anchor the other side links to), every piece links to the span's counterpart.
    Overlapping spans are cut into pieces; a piece shows the span with the best priority, and
    a span hidden everywhere keeps an empty anchor so that links to it still land."""
    items = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    if not items:
        return conditional_escape(text)
    cuts = sorted({0, len(text)} | {s.start for s in items} | {s.end for s in items})
    placed: set[str] = set()
    parts: list[str] = []
    by_start: dict[int, list[_Span]] = {}
    for span in items:
        by_start.setdefault(span.start, []).append(span)
    for a, b in itertools.pairwise(cuts):
        covering = [s for s in items if s.start <= a and s.end >= b]
        piece = text[a:b]
        if not covering:
            parts.append(conditional_escape(piece))
            continue
        best = min(covering, key=lambda s: s.priority)
        # Anchors of spans starting here that this piece will not carry.
        for span in by_start.get(a, []):
            if span is not best and span.anchor not in placed:
                parts.append(format_html('<span class="pl-anchor" id="{}"></span>', span.anchor))
                placed.add(span.anchor)
        anchor = ""
        if best.anchor not in placed:
            anchor = best.anchor
            placed.add(anchor)
        parts.append(
            format_html(
                '<mark class="{}"{}><a href="{}" title="{}">{}</a></mark>',
                best.css,
                format_html(' id="{}"', anchor) if anchor else "",
                best.href,
                best.title,
                piece,
            )
        )
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part is escaped


def _participant(user: User, portfolio: Portfolio) -> Participant:
    enrolment = portfolio.enrolment
    person = enrolment.person
    organisation = enrolment.organisation
    return Participant(
        name=person.full_name,
        iin=iin_for(user, person),
        organisation=str(organisation) if organisation else "",
    )


def report_view(
    *,
    user: User,
    check: PlagiarismCheck,
    source_number: int | None = None,
    with_texts: bool = True,
) -> ReportView:
    """The report of a visible check (get it with `check_get` first). `with_texts` False:
    without the highlighted texts (the API gives offsets; it reads the texts only for the
    excerpts)."""
    from kaskad.plagiarism.models import CrossLanguage

    officer = is_officer(user)
    portfolio = check.portfolio
    report = check.report if isinstance(check.report, dict) else {}
    stored_sources = [s for s in (check.sources or []) if isinstance(s, dict)]
    details = _source_details(stored_sources, officer=officer)
    sources = [details[str(s.get("doc_id", ""))] for s in stored_sources]
    for view, stored in zip(sources, stored_sources, strict=True):
        view.share_percent = _percent(int(stored.get("covered") or 0), check.checked_chars)

    text = portfolio_text(portfolio_id=portfolio.pk, attempt=check.attempt)
    text_available = bool(check.text_sha256) and text_digest(text) == check.text_sha256

    matches: list[MatchView] = []
    for number, raw in enumerate(report.get("matches") or [], start=1):
        source = details.get(str(raw.get("source_id", "")))
        if source is None:
            continue
        kind = str(raw.get("kind", "copy"))
        if kind == "cross_language":
            source.cross_language = True
        start, end = int(raw.get("start", 0)), int(raw.get("end", 0))
        matches.append(
            MatchView(
                number=number,
                kind=kind,
                source=source,
                start=start,
                end=end,
                source_start=int(raw.get("source_start", 0)),
                source_end=int(raw.get("source_end", 0)),
                similarity_percent=_percent(round(float(raw.get("similarity", 0)) * 1000), 1000),
                excerpt=_excerpt(text, start, end) if text_available else "",
            )
        )

    selected = None
    if sources:
        wanted = source_number or 1
        selected = next((s for s in sources if s.number == wanted), sources[0])
    right_text = None
    if selected is not None and with_texts:
        stored = stored_sources[selected.number - 1]
        right_text = _source_text(selected, stored)
        selected.text_available = right_text is not None

    def href_to_right(match: MatchView) -> str:
        if selected is not None and match.source is selected:
            return f"#r-{match.number}"
        return f"?source={match.source.number}#r-{match.number}"

    def css(match: MatchView) -> str:
        return f"pl-mark pl-mark--{match.kind.replace('_', '-')}"

    def priority(match: MatchView) -> tuple[int, int, int]:
        return (0 if match.source is selected else 1, 0 if match.counted else 1, match.start)

    left_spans = [
        _Span(m.start, m.end, f"l-{m.number}", href_to_right(m), css(m), _label(m), priority(m))
        for m in matches
    ]
    left_html = highlight(text, left_spans) if text_available and with_texts else mark_safe("")
    right_html = mark_safe("")
    if right_text is not None and selected is not None:
        mine = [m for m in matches if m.source is selected]
        for m in mine:
            m.source_excerpt = _excerpt(right_text, m.source_start, m.source_end)
        right_html = highlight(
            right_text,
            [
                _Span(
                    m.source_start,
                    m.source_end,
                    f"r-{m.number}",
                    f"#l-{m.number}",
                    css(m),
                    _label(m),
                    priority(m),
                )
                for m in mine
            ],
        )

    quoted_chars = sum(m.end - m.start for m in matches if m.kind == "quoted")
    cross = check.cross_language or str(report.get("cross_language", ""))
    labels = dict(CrossLanguage.choices)
    result = ReportView(
        check=check,
        code=portfolio_code(portfolio.pk),
        blind=not officer,
        programme_code=portfolio.programme.code,
        programme_title=str(portfolio.rubric.version.title),
        attempt=check.attempt,
        similarity_percent=check.similarity_percent,
        threshold_percent=check.threshold_percent,
        template_percent=_percent(int(report.get("template_chars") or 0), check.checked_chars),
        quoted_percent=_percent(quoted_chars, check.checked_chars),
        cross_language=cross,
        cross_language_label=str(labels.get(cross, "")),
        plagiarism_status=portfolio.plagiarism_status,
        plagiarism_status_label=str(portfolio.get_plagiarism_status_display()),
        sources=sources,
        matches=[m for m in matches if m.counted],
        quoted=[m for m in matches if not m.counted],
        selected=selected,
        left_html=left_html,
        right_html=right_html,
        text_available=text_available,
    )
    if officer:
        full = Portfolio.objects.select_related("enrolment__person", "enrolment__organisation").get(
            pk=portfolio.pk
        )
        result.participant = _participant(user, full)
        result.decisions = decisions_of(check)
        result.can_decide = check.status in (CheckStatus.DONE, CheckStatus.FAILED)
    return result


def _label(match: MatchView) -> str:
    from django.utils.translation import gettext

    if match.kind == "quoted":
        return gettext("Quoted passage, source %(n)s") % {"n": match.source.number}
    if match.kind == "cross_language":
        return gettext("Translated passage, source %(n)s") % {"n": match.source.number}
    return gettext("Matched passage, source %(n)s") % {"n": match.source.number}


def decisions_of(check: PlagiarismCheck) -> list[DecisionView]:
    rows = PlagiarismDecision.objects.filter(plagiarism_check=check).select_related("by")
    return [
        DecisionView(
            decision=row.decision,
            label=str(row.get_decision_display()),
            comment=row.comment,
            by=(row.by.get_full_name() or row.by.username) if row.by else "",
            at=row.at,
        )
        for row in rows.order_by("-at", "-id")
    ]
