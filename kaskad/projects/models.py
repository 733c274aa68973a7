"""Projects that are not courses: school teams learning Lesson Study and Action Research.

Pupils appear only as case-pupil codes (A, B, C) with the parents' consent recorded: no model
here has a field for a pupil's name (a test checks every model and form).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped


class ProjectKind(models.TextChoices):
    LESSON_STUDY = "lesson_study", _("Lesson Study")
    ACTION_RESEARCH = "action_research", _("Action Research")
    SCHOOL_DEVELOPMENT = "school_development", _("school development")
    PARTNER_TRAINING = "partner_training", _("partner training")


class Project(TimeStamped):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=ProjectKind.choices)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    # The branch whose staff run the project and see its pages.
    branch = models.ForeignKey(
        "registry.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-first_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")), name="project_years_in_order"
            )
        ]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


class PartnerKind(models.TextChoices):
    UNIVERSITY = "university", _("university")
    ORGANISATION = "organisation", _("organisation")
    FOREIGN = "foreign", _("foreign partner")


class ProjectPartner(models.Model):
    """A partner: a registry organisation, or one abroad (which the registry does not hold)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    country = models.CharField(_("country"), max_length=2, default="KZ")
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="project_partner_once")
        ]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    TRAINER = "trainer", _("trainer")
    MENTOR = "mentor", _("mentor")


class ProjectStaff(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="staff")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=8, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("trainer or mentor")
        verbose_name_plural = _("trainers and mentors")
        constraints = [
            models.UniqueConstraint(fields=["project", "person", "role"], name="project_staff_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role})"


class ProjectSchool(models.Model):
    """A school taking part in one year of a project, with that year's team: the teams of
    earlier years stay as they were."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="schools")
    year = models.PositiveSmallIntegerField(_("year"))
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("participating school")
        verbose_name_plural = _("participating schools")
        ordering = ["year", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "organisation"], name="project_school_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.year})"


class TeamRole(models.TextChoices):
    PRINCIPAL = "principal", _("principal")
    SENIOR_LEADER = "senior_leader", _("senior leader")
    COORDINATOR = "coordinator", _("coordinator")
    TEACHER = "teacher", _("teacher")


class TeamMember(models.Model):
    school = models.ForeignKey(ProjectSchool, on_delete=models.CASCADE, related_name="team")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["school", "person"], name="team_member_once"),
            models.UniqueConstraint(
                fields=["school"], condition=Q(role="principal"), name="team_one_principal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role})"


class CycleStatus(models.TextChoices):
    OPEN = "open", _("in progress")
    FINISHED = "finished", _("finished")


class LessonStudyGroup(TimeStamped):
    """A Lesson Study cycle: a group of 3–6 teachers, a focus, a research question and three
    research lessons."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lesson_studies")
    # The project year (school year starting in September) the cycle belongs to.
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("group"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="kk"
    )
    focus = models.TextField(_("focus"), max_length=1000)
    research_question = models.TextField(_("research question"), max_length=1000)
    members = models.ManyToManyField("registry.Person", related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    finished_on = models.DateField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("Lesson Study cycle")
        verbose_name_plural = _("Lesson Study cycles")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Attainment(models.TextChoices):
    HIGH = "high", _("high attainment")
    MIDDLE = "middle", _("middle attainment")
    LOW = "low", _("low attainment")


class CasePupil(models.Model):
    """A case pupil, by code only. There is no field for a name, on purpose."""

    group = models.ForeignKey(LessonStudyGroup, on_delete=models.CASCADE, related_name="pupils")
    code = models.CharField(_("code"), max_length=1, choices=[("A", "A"), ("B", "B"), ("C", "C")])
    attainment = models.CharField(_("attainment"), max_length=8, choices=Attainment.choices)
    consent_recorded_on = models.DateField(_("parents' consent recorded on"))

    class Meta:
        verbose_name = _("case pupil")
        verbose_name_plural = _("case pupils")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="case_pupil_code_once")
        ]

    def __str__(self) -> str:
        return self.code


class ResearchLesson(models.Model):
    group = models.ForeignKey(LessonStudyGroup, on_delete=models.CASCADE, related_name="lessons")
    number = models.PositiveSmallIntegerField(_("research lesson"))
    taught_on = models.DateField(_("taught on"))
    plan = models.TextField(_("lesson plan"), max_length=5000)
    success_criteria = models.TextField(_("success criteria"), max_length=2000)
    # The post-lesson discussion: what was seen of each case pupil first, then the rest.
    discussion_pupils = models.JSONField(_("discussion of the case pupils"), default=dict)
    discussion = models.TextField(_("discussion"), blank=True, max_length=5000)
    changes_next = models.TextField(_("changes for the next lesson"), blank=True, max_length=3000)

    class Meta:
        verbose_name = _("research lesson")
        verbose_name_plural = _("research lessons")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="research_lesson_once"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=3), name="research_lesson_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"RL{self.number}"


class LessonStage(models.Model):
    lesson = models.ForeignKey(ResearchLesson, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("stage"), max_length=200)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "order"], name="lesson_stage_order_once")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class StagePrediction(models.Model):
    """For one stage and one case pupil: how the pupil is expected to respond, and what the
    observers saw."""

    stage = models.ForeignKey(LessonStage, on_delete=models.CASCADE, related_name="predictions")
    pupil = models.ForeignKey(CasePupil, on_delete=models.CASCADE, related_name="+")
    predicted = models.TextField(_("prediction"), max_length=1000)
    observed = models.TextField(_("observed"), blank=True, max_length=2000)

    class Meta:
        ordering = ["pupil__code"]
        constraints = [models.UniqueConstraint(fields=["stage", "pupil"], name="prediction_once")]

    def __str__(self) -> str:
        return f"{self.stage} / {self.pupil}"


class ObserverNote(models.Model):
    lesson = models.ForeignKey(ResearchLesson, on_delete=models.CASCADE, related_name="notes")
    pupil = models.ForeignKey(CasePupil, on_delete=models.CASCADE, related_name="+")
    observer = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    minute = models.PositiveSmallIntegerField(_("minute of the lesson"))
    note = models.TextField(_("note"), max_length=2000)

    class Meta:
        ordering = ["minute", "pk"]

    def __str__(self) -> str:
        return f"{self.minute}′ / {self.pupil}"


class PupilInterview(models.Model):
    lesson = models.ForeignKey(ResearchLesson, on_delete=models.CASCADE, related_name="interviews")
    pupil = models.ForeignKey(CasePupil, on_delete=models.CASCADE, related_name="+")
    summary = models.TextField(_("what the pupil said"), max_length=3000)

    class Meta:
        ordering = ["pupil__code"]

    def __str__(self) -> str:
        return f"{self.lesson} / {self.pupil}"


class PublicLesson(models.Model):
    """A public research lesson: colleagues from other schools watch a research lesson."""

    group = models.ForeignKey(
        LessonStudyGroup, on_delete=models.CASCADE, related_name="public_lessons"
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=300)
    guests = models.PositiveIntegerField(_("guests"), default=0)

    class Meta:
        ordering = ["held_on"]

    def __str__(self) -> str:
        return f"{self.group} · {self.held_on}"


class ArStep(models.TextChoices):
    RECONNAISSANCE = "reconnaissance", _("reconnaissance")
    PLAN = "plan", _("plan")
    ACT = "act", _("act")
    OBSERVE = "observe", _("observe")
    REFLECT = "reflect", _("reflect")


class ActionResearch(TimeStamped):
    """A team's Action Research, in cycles of reconnaissance → plan → act → observe → reflect."""

    school = models.ForeignKey(
        ProjectSchool, on_delete=models.CASCADE, related_name="action_research"
    )
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="kk"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    authors_consent = models.BooleanField(_("authors consent to publication"), default=False)
    ready_to_publish = models.BooleanField(_("ready to publish"), default=False)
    # The final report as published in the library's collection (kept when withdrawn).
    library_material = models.ForeignKey(
        "library.Material",
        verbose_name=_("published material"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Action Research")
        verbose_name_plural = _("Action Research")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ready_to_publish=False) | Q(authors_consent=True),
                name="publish_only_with_consent",
            )
        ]

    def __str__(self) -> str:
        return self.title


def entry_upload_to(instance: ArEntry, filename: str) -> str:
    return f"projects/ar/{instance.research_id}/{filename}"


class ArEntry(TimeStamped):
    research = models.ForeignKey(ActionResearch, on_delete=models.CASCADE, related_name="entries")
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    step = models.CharField(_("step"), max_length=16, choices=ArStep.choices)
    dated = models.DateField(_("date"))
    author = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("entry"), max_length=5000)
    attachment = models.FileField(_("file"), upload_to=entry_upload_to, blank=True)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["cycle", "dated", "pk"]

    def __str__(self) -> str:
        return f"{self.research} · {self.step} · {self.dated}"


class ArComment(TimeStamped):
    entry = models.ForeignKey(ArEntry, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"), max_length=2000)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.entry} · {self.author}"


# --- Mentoring -----------------------------------------------------------------------------------


class MentoringLink(TimeStamped):
    """A network's hub-school link (mentor school → mentee school, one year) that a project
    covers. The link itself belongs to the school network; the project keeps the log."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="mentoring")
    hub_link = models.ForeignKey(
        "networks.HubLink",
        verbose_name=_("hub-school link"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mentoring link")
        verbose_name_plural = _("mentoring links")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "hub_link"], name="mentoring_link_once")
        ]

    def __str__(self) -> str:
        return str(self.hub_link)


class MentoringForm(models.TextChoices):
    VISIT = "visit", _("visit")
    ONLINE = "online", _("online")
    PHONE = "phone", _("phone")


class MentoringSession(TimeStamped):
    link = models.ForeignKey(MentoringLink, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=8, choices=MentoringForm.choices)
    topic = models.CharField(_("topic"), max_length=300)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    next_steps = models.TextField(_("next steps"), blank=True, max_length=3000)
    mentor = models.ForeignKey(
        "registry.Person",
        verbose_name=_("mentor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.link} · {self.held_on}"


class ProjectEvent(models.Model):
    """An event in a project's plan: a support event of the network (training sessions in
    Astana, online mentoring, webinars for principals), listed on the project's page."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plan")
    event = models.ForeignKey(
        "networks.SupportEvent",
        verbose_name=_("support event"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("planned event")
        verbose_name_plural = _("plan of events")
        ordering = ["event__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "event"], name="project_event_once")
        ]

    def __str__(self) -> str:
        return str(self.event)
