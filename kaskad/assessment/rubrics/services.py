"""Rubrics: the criteria of a programme version with their level descriptors (kk/ru/en), the
policy of its assessment, and the rule that turns criterion levels into the overall rating.

    rubric = rubric_create(version=version, criteria=[CriterionData(...), ...], by=admin)
    overall_rating([2, 3, 3, 2], rubric)  # -> Rating.GOOD when the mean reaches good_mean

`by` is the acting user; `None` stands for the system itself (the seed). A user must be a
national administrator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.scopes import user_scope
from kaskad.assessment.models import (
    Criterion,
    CriterionLevel,
    CriterionMark,
    Rating,
    Rubric,
)
from kaskad.catalogue.models import AssessmentScheme, ProgrammeVersion, VersionStatus
from kaskad.core.audit import audit_record, diff
from kaskad.core.errors import DomainError, PermissionDeniedError

if TYPE_CHECKING:
    from kaskad.accounts.models import User

LANGUAGES = ("kk", "ru", "en")
LANGUAGE_NAMES = {"kk": _("Kazakh"), "ru": _("Russian"), "en": _("English")}
MIN_LEVELS = 2  # level 1 fails; at least one level must pass
MAX_LEVELS = 10
TITLE_MAX = 300
SOURCE_SEED = "seed_rubrics"


class RubricConflict(DomainError):
    """The rubric's state does not allow the change (HTTP 409)."""

    status = 409


class HasRule(Protocol):
    """What the rule reads from a rubric (a Rubric, or anything with these two)."""

    @property
    def max_level(self) -> int: ...

    @property
    def good_mean(self) -> Decimal | float | int: ...


# --- The rule -----------------------------------------------------------------------------------


def overall_rating(levels: Sequence[int], rubric: HasRule) -> Rating:
    """The overall rating from the level of every criterion (the rule stated on the rubric):

    - unsatisfactory if any criterion is at level 1;
    - good if every criterion is at level 2 or higher and the mean level is at least
      `rubric.good_mean`;
    - satisfactory otherwise.

    Exact arithmetic (no floating point): the mean is compared as sum >= good_mean * count.
    """
    if not levels:
        raise ValueError("overall_rating needs the level of at least one criterion")
    max_level = int(rubric.max_level)
    for level in levels:
        if isinstance(level, bool) or not isinstance(level, int):
            raise ValueError(f"a level must be a whole number, not {level!r}")
        if not 1 <= level <= max_level:
            raise ValueError(f"level {level} is outside 1..{max_level}")
    if min(levels) == 1:
        return Rating.UNSATISFACTORY
    good_mean = Decimal(str(rubric.good_mean))
    if Decimal(sum(levels)) >= good_mean * len(levels):
        return Rating.GOOD
    return Rating.SATISFACTORY


def rule_text(rubric: HasRule) -> list[str]:
    """The rule in the reader's language, one sentence per rating (for pages)."""
    good_mean = Decimal(str(rubric.good_mean)).normalize()
    return [
        str(_("Unsatisfactory: any criterion is at level 1.")),
        str(
            _(
                "Good: every criterion is at level 2 or higher and the mean level is at least "
                "%(mean)s (of %(max)s)."
            )
            % {"mean": f"{good_mean:f}", "max": rubric.max_level}
        ),
        str(_("Satisfactory: every other combination.")),
    ]


# --- Writes -------------------------------------------------------------------------------------


@dataclass
class CriterionData:
    """One criterion: its title and the descriptor of each level, each in kk/ru/en.

    CriterionData(title={"kk": …, "ru": …, "en": …}, levels={1: {"kk": …, …}, 2: …, 3: …})
    """

    title: Mapping[str, str]
    levels: Mapping[int, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """The policy fields of a rubric, with the model's defaults."""

    second_marking_percent: int = 10
    same_branch_is_conflict: bool = False
    submission_days: int = 14
    marking_days: int = 7
    resubmission_days: int = 14
    max_file_mb: int = 20
    max_files: int = 10


# (field, smallest, largest) of the whole-number policy fields.
POLICY_RANGES: dict[str, tuple[int, int]] = {
    "second_marking_percent": (0, 100),
    "submission_days": (1, 365),
    "marking_days": (1, 180),
    "resubmission_days": (1, 365),
    "max_file_mb": (1, 200),
    "max_files": (1, 50),
}
POLICY_LABELS = {
    "second_marking_percent": _("Random sample double-marked, percent"),
    "submission_days": _("Days after the cohort ends to submit"),
    "marking_days": _("Days to mark"),
    "resubmission_days": _("Days to resubmit for re-evaluation"),
    "max_file_mb": _("Largest file, MB"),
    "max_files": _("Most files per portfolio"),
}


def _require_admin(by: User | None) -> None:
    if by is None:
        return  # the system itself (seed, data migration)
    if not user_scope(by).national_write:
        raise PermissionDeniedError(
            "rubric_forbidden", _("Only national administrators may change rubrics.")
        )


def _check_policy_value(name: str, value: Any) -> int:
    low, high = POLICY_RANGES[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(
            "policy_out_of_range",
            _("%(field)s must be a whole number from %(low)s to %(high)s.")
            % {"field": POLICY_LABELS[name], "low": low, "high": high},
            field=name,
        )
    return value


def _check_good_mean(good_mean: Any, max_level: int) -> Decimal:
    try:
        value = Decimal(str(good_mean))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or not Decimal(2) <= value <= Decimal(max_level):
        raise DomainError(
            "good_mean_out_of_range",
            _("The mean level for “good” must be between 2 and %(max)s.") % {"max": max_level},
            field="good_mean",
        )
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(
            "good_mean_precision",
            _("The mean level for “good” may have at most two decimal places."),
            field="good_mean",
        )
    return value


def _check_criteria(criteria: Sequence[CriterionData], max_level: int) -> None:
    if not criteria:
        raise DomainError(
            "rubric_without_criteria", _("A rubric needs at least one criterion."), field="criteria"
        )
    for number, criterion in enumerate(criteria, start=1):
        for language in LANGUAGES:
            title = (criterion.title.get(language) or "").strip()
            if not title:
                raise DomainError(
                    "criterion_title_missing",
                    _("Criterion %(n)s has no title in %(language)s.")
                    % {"n": number, "language": LANGUAGE_NAMES[language]},
                    field="criteria",
                )
            if len(title) > TITLE_MAX:
                raise DomainError(
                    "criterion_title_too_long",
                    _("The title of criterion %(n)s is longer than %(max)s characters.")
                    % {"n": number, "max": TITLE_MAX},
                    field="criteria",
                )
        expected = set(range(1, max_level + 1))
        given = set(criterion.levels)
        if given != expected:
            raise DomainError(
                "criterion_levels_mismatch",
                _(
                    "Criterion %(n)s must describe exactly the levels 1 to %(max)s "
                    "(described: %(given)s)."
                )
                % {
                    "n": number,
                    "max": max_level,
                    "given": ", ".join(str(x) for x in sorted(given, key=str)) or "—",
                },
                field="criteria",
            )
        for level in sorted(expected):
            texts = criterion.levels[level]
            for language in LANGUAGES:
                if not (texts.get(language) or "").strip():
                    raise DomainError(
                        "descriptor_missing",
                        _("Level %(level)s of criterion %(n)s has no descriptor in %(language)s.")
                        % {"level": level, "n": number, "language": LANGUAGE_NAMES[language]},
                        field="criteria",
                    )


def rubric_create(
    *,
    version: ProgrammeVersion,
    criteria: Sequence[CriterionData],
    by: User | None,
    max_level: int = 3,
    good_mean: Decimal | str | float = Decimal("2.5"),
    policy: Policy | None = None,
    source: str = "",
) -> Rubric:
    """The rubric of a version that requires an assessment: every criterion with a title and a
    descriptor of every level 1..max_level in Kazakh, Russian and English. One per version."""
    _require_admin(by)
    policy = policy or Policy()
    if not version.requires_assessment:
        raise DomainError(
            "version_without_assessment",
            _("This programme version has no portfolio assessment, so it has no rubric."),
            field="version",
        )
    if version.status == VersionStatus.RETIRED:
        raise RubricConflict(
            "version_retired", _("This programme version is retired."), field="version"
        )
    if (
        isinstance(max_level, bool)
        or not isinstance(max_level, int)
        or not MIN_LEVELS <= max_level <= MAX_LEVELS
    ):
        raise DomainError(
            "max_level_out_of_range",
            _("The highest level must be from %(low)s to %(high)s.")
            % {"low": MIN_LEVELS, "high": MAX_LEVELS},
            field="max_level",
        )
    mean = _check_good_mean(good_mean, max_level)
    values = {name: _check_policy_value(name, getattr(policy, name)) for name in POLICY_RANGES}
    _check_criteria(criteria, max_level)
    try:
        with transaction.atomic():
            rubric = Rubric.objects.create(
                version=version,
                max_level=max_level,
                good_mean=mean,
                same_branch_is_conflict=bool(policy.same_branch_is_conflict),
                **values,
            )
            for order, data in enumerate(criteria, start=1):
                criterion = Criterion.objects.create(
                    rubric=rubric,
                    order=order,
                    **{f"title_{lang}": data.title[lang].strip() for lang in LANGUAGES},
                )
                CriterionLevel.objects.bulk_create(
                    CriterionLevel(
                        criterion=criterion,
                        level=level,
                        **{
                            f"descriptor_{lang}": data.levels[level][lang].strip()
                            for lang in LANGUAGES
                        },
                    )
                    for level in range(1, max_level + 1)
                )
            audit_record(
                actor=by,
                action="create",
                obj=rubric,
                changes={
                    "version": version.pk,
                    "criteria": len(criteria),
                    "max_level": max_level,
                    "good_mean": str(mean),
                    **values,
                    "same_branch_is_conflict": bool(policy.same_branch_is_conflict),
                },
                source=source,
            )
    except IntegrityError as exc:
        if Rubric.objects.filter(version=version).exists():
            raise RubricConflict(
                "rubric_exists",
                _("This programme version already has a rubric."),
                field="version",
            ) from exc
        raise
    return rubric


def rubric_update_policy(
    *,
    rubric: Rubric,
    by: User,
    second_marking_percent: int | None = None,
    same_branch_is_conflict: bool | None = None,
    submission_days: int | None = None,
    marking_days: int | None = None,
    resubmission_days: int | None = None,
    max_file_mb: int | None = None,
    max_files: int | None = None,
    good_mean: Decimal | str | float | None = None,
) -> Rubric:
    """Change the policy of a rubric (only the arguments given). The mean for “good” is part of
    the stated rule: it cannot change once any portfolio has been marked against the rubric."""
    _require_admin(by)
    given = {
        "second_marking_percent": second_marking_percent,
        "submission_days": submission_days,
        "marking_days": marking_days,
        "resubmission_days": resubmission_days,
        "max_file_mb": max_file_mb,
        "max_files": max_files,
    }
    changes: dict[str, Any] = {
        name: _check_policy_value(name, value) for name, value in given.items() if value is not None
    }
    if same_branch_is_conflict is not None:
        changes["same_branch_is_conflict"] = bool(same_branch_is_conflict)
    with transaction.atomic():
        locked = Rubric.objects.select_for_update().get(pk=rubric.pk)
        if good_mean is not None:
            mean = _check_good_mean(good_mean, locked.max_level)
            if mean != locked.good_mean:
                if CriterionMark.objects.filter(criterion__rubric=locked).exists():
                    raise RubricConflict(
                        "rubric_in_use",
                        _(
                            "Portfolios have already been marked against this rubric: the rule "
                            "for “good” can no longer change."
                        ),
                        field="good_mean",
                    )
                changes["good_mean"] = mean
        before = {name: getattr(locked, name) for name in changes}
        for name, value in changes.items():
            setattr(locked, name, value)
        changed = diff(before, changes) if before else {}
        if changed:
            locked.save(update_fields=[*changes, "updated_at"])
            audit_record(actor=by, action="update", obj=locked, changes=changed)
    rubric.refresh_from_db()
    return rubric


# --- The standard rubric (seed) -----------------------------------------------------------------


def _t(kk: str, ru: str, en: str) -> dict[str, str]:
    return {"kk": kk, "ru": ru, "en": en}


STANDARD_CRITERIA: tuple[CriterionData, ...] = (
    CriterionData(
        title=_t("Сабақты жоспарлау", "Планирование уроков", "Lesson planning"),
        levels={
            1: _t(
                "Жоспарларда оқу мақсаттары нақты қойылмаған немесе тапсырмалар оларға сәйкес "
                "келмейді; оқушылардың әртүрлі қажеттіліктері ескерілмеген.",
                "В планах не поставлены чёткие цели обучения или задания им не соответствуют; "
                "различные потребности учащихся не учтены.",
                "The plans set no clear learning objectives, or the activities do not match "
                "them; the different needs of pupils are not considered.",
            ),
            2: _t(
                "Жоспарларда оқу мақсаттары мен табыс критерийлері қойылған, тапсырмалар мен "
                "ресурстар соларға бағытталған; саралау жоспарланған.",
                "В планах поставлены цели обучения и критерии успеха, задания и ресурсы "
                "служат им; предусмотрена дифференциация.",
                "The plans set learning objectives and success criteria, the activities and "
                "resources serve them, and differentiation is planned.",
            ),
            3: _t(
                "Сабақтар топтамасы біртұтас: мақсаттар, табыс критерийлері, тапсырмалар және "
                "бағалау өзара үйлесімді, жоспарлар оқушылардың білетіні мен қажеттіліктеріне "
                "бейімделген.",
                "Целостная серия уроков: цели, критерии успеха, задания и оценивание "
                "согласованы, планы учитывают то, что учащиеся уже знают и в чём нуждаются.",
                "A coherent series of lessons: objectives, success criteria, activities and "
                "assessment are aligned, and the plans adapt to what pupils already know and "
                "need.",
            ),
        },
    ),
    CriterionData(
        title=_t("Оқу үшін бағалау", "Оценивание для обучения", "Assessment for learning"),
        levels={
            1: _t(
                "Бағалау тек баға қою үшін қолданылады; оқушылар ілгерілеуге көмектесетін кері "
                "байланыс алмайды.",
                "Оценивание используется только для выставления отметок; учащиеся не получают "
                "обратной связи, помогающей им продвигаться.",
                "Assessment is used only to give marks; pupils receive no feedback that helps "
                "them improve.",
            ),
            2: _t(
                "Қалыптастырушы бағалау жоспарланып, қолданылады: сұрақтар, табыс критерийлері "
                "және кері байланыс оқушыларға жұмысты қалай жақсартуға болатынын көрсетеді.",
                "Формативное оценивание спланировано и применяется: вопросы, критерии успеха и "
                "обратная связь показывают учащимся, как улучшить работу.",
                "Formative assessment is planned and used: questioning, success criteria and "
                "feedback show pupils how to improve their work.",
            ),
            3: _t(
                "Бағалау нәтижелері оқытудың келесі қадамдарын анықтайды; оқушылар критерийлер "
                "бойынша өзін-өзі және бір-бірін бағалап, кері байланысты пайдаланады.",
                "Результаты оценивания определяют следующие шаги обучения; учащиеся оценивают "
                "себя и друг друга по критериям и используют обратную связь.",
                "Assessment evidence shapes the next steps of teaching; pupils assess "
                "themselves and each other against the criteria and act on feedback.",
            ),
        },
    ),
    CriterionData(
        title=_t(
            "Тәжірибеге рефлексия", "Рефлексия собственной практики", "Reflection on practice"
        ),
        levels={
            1: _t(
                "Сабақта не болғанын сипаттайды, бірақ оның себептерін және нені өзгерту "
                "керектігін талдамайды.",
                "Описывает, что происходило на уроках, не анализируя причин и того, что "
                "следует изменить.",
                "Describes what happened in the lessons without analysing why or what to change.",
            ),
            2: _t(
                "Сабақтардың күшті және әлсіз жақтарын дәлелдерге сүйеніп талдайды және "
                "тәжірибедегі нақты өзгерістерді атайды.",
                "Анализирует сильные и слабые стороны уроков с опорой на факты и называет "
                "конкретные изменения в практике.",
                "Analyses the strengths and weaknesses of the lessons with evidence and names "
                "concrete changes to practice.",
            ),
            3: _t(
                "Сабақтағы дәлелдерді теориямен және әріптестердің пікірімен байланыстырып, "
                "өзгерістердің қалай сыналғанын және қандай нәтиже бергенін көрсетеді.",
                "Связывает факты с уроков с теорией и отзывами коллег, показывает, как "
                "изменения были опробованы и к чему они привели.",
                "Connects evidence from the lessons with theory and colleagues' feedback, and "
                "shows how the changes were tried and what they achieved.",
            ),
        },
    ),
    CriterionData(
        title=_t(
            "Оқушылардың оқуына ықпалы",
            "Влияние на обучение учащихся",
            "Impact on pupils' learning",
        ),
        levels={
            1: _t(
                "Оқушылардың оқуы қалай өзгергені туралы дәлел келтірмейді.",
                "Не приводит свидетельств того, как изменилось обучение учащихся.",
                "Gives no evidence of how pupils' learning changed.",
            ),
            2: _t(
                "Оқушылардың жұмыстары немесе бағалау нәтижелері арқылы олардың оқуы қалай "
                "өзгергенін көрсетеді.",
                "Показывает на работах учащихся или результатах оценивания, как изменилось их "
                "обучение.",
                "Shows with pupils' work or assessment results how their learning changed.",
            ),
            3: _t(
                "Әртүрлі дәлелдермен, соның ішінде оқушылардың өз пікірлерімен, түрлі "
                "топтағы оқушылардың оқуындағы тұрақты ілгерілеуді дәлелдейді.",
                "Разнообразными свидетельствами, включая мнения самих учащихся, доказывает "
                "устойчивое улучшение обучения разных групп учащихся.",
                "Demonstrates with varied evidence, including pupils' own views, a lasting "
                "improvement in the learning of different groups of pupils.",
            ),
        },
    ),
)


@dataclass
class SeedResult:
    created: list[int] = field(default_factory=list)  # version ids given a rubric
    skipped: int = 0  # versions that already had one


def seed_rubrics(*, by: User | None = None) -> SeedResult:
    """Give every approved programme version that requires an assessment the standard
    four-criterion rubric (kk/ru/en). Versions with a rubric are left alone: running it twice
    changes nothing."""
    result = SeedResult()
    versions = (
        ProgrammeVersion.objects.filter(status=VersionStatus.APPROVED)
        .exclude(assessment_scheme=AssessmentScheme.NONE)
        .order_by("pk")
    )
    for version in versions:
        if Rubric.objects.filter(version=version).exists():
            result.skipped += 1
            continue
        try:
            rubric_create(version=version, criteria=STANDARD_CRITERIA, by=by, source=SOURCE_SEED)
        except RubricConflict:
            result.skipped += 1  # made by someone else meanwhile
            continue
        result.created.append(version.pk)
    return result
