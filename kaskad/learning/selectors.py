"""Reads of the online courses. Every list starts from what the user may see; a course, step
or enrolment out of reach is "not found", like one that does not exist.

The learner's course page reads one enrolment row (its totals and "continue" pointer), the
outline of its version (immutable once published, so cached per version) and the ids of the
steps done: a fixed number of queries whatever the size of the course.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import User
from kaskad.accounts.scopes import user_scope
from kaskad.core.errors import NotFoundError
from kaskad.delivery.models import CohortTrainer
from kaskad.learning.models import (
    KIND_LABELS,
    Attempt,
    Course,
    CourseVersion,
    Enrolment,
    EnrolmentStatus,
    Post,
    ProgressStatus,
    Step,
    StepProgress,
    VersionStatus,
)
from kaskad.learning.permissions import manages_course, sees_course_offer
from kaskad.learning.services import outline_cache_key


def _not_found() -> NotFoundError:
    return NotFoundError("not_found", _("Not found."))


# --- Courses --------------------------------------------------------------------------------


def course_list_visible_to(user: User | AnonymousUser) -> QuerySet[Course]:
    """The courses whose team the user is in."""
    if not user.is_authenticated:
        return Course.objects.none()
    scope = user_scope(user)
    qs = Course.objects.select_related("current_version", "programme_version")
    if scope.national_write:
        return qs
    cond = Q(branch_id__in=scope.branch_ids) | Q(created_by=user)
    if scope.person_id is not None:
        cohorts = CohortTrainer.objects.filter(person_id=scope.person_id).values("cohort_id")
        cond |= Q(cohort_id__in=cohorts)
    return qs.filter(cond)


def course_for_team(*, user: User, pk: int) -> Course:
    course = course_list_visible_to(user).filter(pk=pk).first()
    if course is None:
        raise _not_found()
    return course


def courses_open_to(user: User) -> list[Course]:
    """Published courses with open enrolment the learner may join (teachers: all; people
    without an IIN: public ones)."""
    qs = Course.objects.filter(open_enrolment=True, current_version__isnull=False)
    if user.person_id is None:
        qs = qs.filter(is_public=True)
    return list(qs.order_by("title", "id")[:100])


def my_enrolments(user: User) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(user=user)
        .select_related("course", "version")
        .order_by("-last_activity_at")[:100]
    )


def course_public(*, user: User, pk: int) -> Course:
    """A published course whose offer `user` may see (`sees_course_offer`), else not found."""
    course = Course.objects.filter(pk=pk, current_version__isnull=False).first()
    if course is None or not sees_course_offer(user, course):
        raise _not_found()
    return course


# --- The outline (cached per published version) ---------------------------------------------


@dataclass
class OutlineStep:
    id: int
    title: str
    kind: str
    required: bool
    points: float
    position: int

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


@dataclass
class OutlineLesson:
    id: int
    title: str
    steps: list[OutlineStep] = field(default_factory=list)


@dataclass
class OutlineModule:
    id: int
    title: str
    soft_deadline: Any
    hard_deadline: Any
    step_count: int = 0
    points: float = 0.0
    lessons: list[OutlineLesson] = field(default_factory=list)


def _build_outline(version_id: int) -> list[OutlineModule]:
    rows = (
        Step.objects.filter(version_id=version_id)
        .order_by("position")
        .values(
            "id",
            "title",
            "kind",
            "required",
            "points",
            "position",
            "lesson_id",
            "lesson__title",
            "lesson__order",
            "module_id",
            "module__title",
            "module__order",
            "module__soft_deadline",
            "module__hard_deadline",
        )
    )
    modules: dict[int, OutlineModule] = {}
    lessons: dict[int, OutlineLesson] = {}
    for r in rows:
        module = modules.get(r["module_id"])
        if module is None:
            module = modules[r["module_id"]] = OutlineModule(
                id=r["module_id"],
                title=r["module__title"],
                soft_deadline=r["module__soft_deadline"],
                hard_deadline=r["module__hard_deadline"],
            )
        lesson = lessons.get(r["lesson_id"])
        if lesson is None:
            lesson = lessons[r["lesson_id"]] = OutlineLesson(
                id=r["lesson_id"], title=r["lesson__title"]
            )
            module.lessons.append(lesson)
        lesson.steps.append(
            OutlineStep(
                id=r["id"],
                title=r["title"],
                kind=r["kind"],
                required=r["required"],
                points=r["points"],
                position=r["position"],
            )
        )
        module.step_count += 1
        module.points += r["points"]
    return list(modules.values())


def outline(version: CourseVersion) -> list[OutlineModule]:
    """The modules, lessons and steps of a version; a published one from the cache."""
    if version.status != VersionStatus.PUBLISHED:
        return _build_outline(version.pk)
    key = outline_cache_key(version)
    cached: list[OutlineModule] | None = cache.get(key)
    if cached is None:
        cached = _build_outline(version.pk)
        cache.set(key, cached, 3600)
    return cached


# --- The learner ----------------------------------------------------------------------------


def enrolment_of(*, user: User, course_id: int) -> Enrolment | None:
    return (
        Enrolment.objects.select_related("course", "version", "resume_step")
        .filter(course_id=course_id, user=user)
        .first()
    )


@dataclass
class ModuleView:
    module: OutlineModule
    done: int
    points: float

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.module.step_count) if self.module.step_count else 0


@dataclass
class CoursePage:
    enrolment: Enrolment
    modules: list[ModuleView]
    done_ids: set[int]
    next_step_id: int | None
    percent_points: int
    percent_steps: int


def course_page(*, enrolment: Enrolment) -> CoursePage:
    """What the learner's course page shows: totals from the enrolment row, the outline from
    the cache, and one query for the ticks."""
    version = enrolment.version
    modules = outline(version)
    done_ids = set(
        StepProgress.objects.filter(enrolment=enrolment, status=ProgressStatus.DONE).values_list(
            "step_id", flat=True
        )
    )
    views = []
    for m in modules:
        done, points = enrolment.module_progress.get(str(m.id), [0, 0.0])
        views.append(ModuleView(module=m, done=int(done), points=float(points)))
    next_id = enrolment.resume_step_id
    if next_id is None or next_id in done_ids:
        # The first step after the pointer that is not done (else the first not done).
        ordered = [s.id for m in modules for lesson in m.lessons for s in lesson.steps]
        start = ordered.index(next_id) if next_id in ordered else 0
        rest = ordered[start:] + ordered[:start]
        next_id = next((i for i in rest if i not in done_ids), None)
    total = version.total_points
    return CoursePage(
        enrolment=enrolment,
        modules=views,
        done_ids=done_ids,
        next_step_id=next_id,
        percent_points=int(enrolment.points * 100 / total) if total else 0,
        percent_steps=int(enrolment.steps_done * 100 / version.step_count)
        if version.step_count
        else 0,
    )


def step_for_learner(*, user: User, pk: int) -> tuple[Step, Enrolment]:
    """A step and the learner's enrolment on its course; a step of a course the user is not
    enrolled in is "not found". A step of another version of the course is returned with the
    enrolment: the services refuse a reply to it."""
    step = Step.objects.select_related("module", "lesson", "version").filter(pk=pk).first()
    if step is None or step.version.status != VersionStatus.PUBLISHED:
        raise _not_found()
    enrolment = (
        Enrolment.objects.select_related("course", "version")
        .filter(course_id=step.version.course_id, user=user)
        .first()
    )
    if enrolment is None:
        raise _not_found()
    return step, enrolment


def progress_of(*, enrolment: Enrolment, step: Step) -> StepProgress | None:
    return StepProgress.objects.filter(enrolment=enrolment, step=step).first()


def last_attempt(progress: StepProgress | None) -> Attempt | None:
    if progress is None or progress.attempts == 0:
        return None
    return Attempt.objects.filter(progress=progress).order_by("-number").first()


def neighbours(enrolment: Enrolment, step: Step) -> tuple[int | None, int | None]:
    ordered = [
        s.id for m in outline(enrolment.version) for lesson in m.lessons for s in lesson.steps
    ]
    if step.pk not in ordered:
        return None, None
    i = ordered.index(step.pk)
    return (ordered[i - 1] if i > 0 else None, ordered[i + 1] if i + 1 < len(ordered) else None)


def questions_on(step: Step, *, team: bool) -> list[Post]:
    qs = Post.objects.filter(step__version__course_id=step.version.course_id, step__key=step.key)
    if not team:
        qs = qs.filter(hidden=False)
    posts = list(qs.select_related("author").order_by("created_at", "id")[:200])
    by_id = {p.pk: p for p in posts}
    roots: list[Post] = []
    for p in posts:
        p.thread = []  # type: ignore[attr-defined]
    for p in posts:
        if p.parent_id is None:
            roots.append(p)
        elif p.parent_id in by_id:
            by_id[p.parent_id].thread.append(p)  # type: ignore[attr-defined]
    return roots


def post_for_team(*, user: User, pk: int) -> Post:
    post = Post.objects.select_related("step__version__course").filter(pk=pk).first()
    if post is None or not manages_course(user, post.step.version.course):
        raise _not_found()
    return post


# --- The course team's reports ----------------------------------------------------------------


@dataclass(frozen=True)
class CompletionReport:
    enrolled: int
    active: int
    completed: int
    distinction: int
    mean_percent: float
    stuck: int


def completion_report(*, course: Course, stuck_days: int = 14) -> CompletionReport:
    """The whole course in one pass over its enrolments (no join to progress)."""
    since = timezone.now() - timedelta(days=stuck_days)
    total_points = course.current_version.total_points if course.current_version else 0.0
    agg = Enrolment.objects.filter(course=course).aggregate(
        enrolled=Count("id"),
        active=Count("id", filter=Q(status=EnrolmentStatus.ACTIVE)),
        completed=Count("id", filter=Q(status=EnrolmentStatus.COMPLETED)),
        distinction=Count("id", filter=Q(result="distinction")),
        points=Avg("points"),
        stuck=Count("id", filter=Q(status=EnrolmentStatus.ACTIVE, last_activity_at__lt=since)),
    )
    mean = float(agg["points"] or 0.0)
    return CompletionReport(
        enrolled=agg["enrolled"],
        active=agg["active"],
        completed=agg["completed"],
        distinction=agg["distinction"],
        mean_percent=round(mean * 100 / total_points, 1) if total_points else 0.0,
        stuck=agg["stuck"],
    )


def learners(*, course: Course, stuck_days: int | None = None, limit: int = 200) -> list[Enrolment]:
    """Learners with their progress, least recently active first when looking for the stuck."""
    qs = Enrolment.objects.filter(course=course).select_related("user", "person", "version")
    if stuck_days is not None:
        since = timezone.now() - timedelta(days=stuck_days)
        qs = qs.filter(status=EnrolmentStatus.ACTIVE, last_activity_at__lt=since).order_by(
            "last_activity_at", "id"
        )
    else:
        qs = qs.order_by("-last_activity_at", "id")
    return list(qs[:limit])


@dataclass(frozen=True)
class StepStat:
    step: Step
    opened: int
    done: int
    attempts: int
    mean_score: float | None
    facility: float | None  # share of first attempts fully correct

    @property
    def completion_percent(self) -> int:
        return int(self.done * 100 / self.opened) if self.opened else 0


def step_stats(*, version: CourseVersion) -> list[StepStat]:
    steps_ = list(Step.objects.filter(version=version).order_by("position"))
    progress: dict[int, dict[str, Any]] = {
        r["step_id"]: dict(r)
        for r in StepProgress.objects.filter(step__version=version)
        .values("step_id")
        .annotate(
            opened=Count("id"),
            done=Count("id", filter=Q(status=ProgressStatus.DONE)),
        )
    }
    attempts: dict[int, dict[str, Any]] = {
        r["step_id"]: dict(r)
        for r in Attempt.objects.filter(step__version=version)
        .values("step_id")
        .annotate(
            n=Count("id"),
            mean=Avg("score"),
            first=Count("id", filter=Q(number=1)),
            first_right=Count("id", filter=Q(number=1, score__gte=0.999999)),
            total=Sum("score"),
        )
    }
    out = []
    for s in steps_:
        p = progress.get(s.pk, {})
        a = attempts.get(s.pk, {})
        first = a.get("first") or 0
        out.append(
            StepStat(
                step=s,
                opened=p.get("opened", 0),
                done=p.get("done", 0),
                attempts=a.get("n", 0),
                mean_score=a.get("mean"),
                facility=(a.get("first_right", 0) / first) if first else None,
            )
        )
    return out


def versions_of(course: Course) -> list[CourseVersion]:
    return list(course.versions.order_by("-number"))


def draft_of(course: Course) -> CourseVersion | None:
    return course.versions.filter(status=VersionStatus.DRAFT).first()
