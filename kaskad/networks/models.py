"""School networks per academic year, support events and teachers' requests for support.

A network is stated per academic year (``year`` is the calendar year the academic year starts
in: 2025 is 2025/26). A new year gets new rows; earlier years are never overwritten, so the
history of a school's role is the list of its rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaskad.core.models import TimeStamped
from kaskad.registry.models import Area, Branch, District, Organisation, Person

# --- The network ---------------------------------------------------------------------------------


class MethodCentre(TimeStamped):
    """The methodological centre of an Intellectual school in one year: its branch and areas."""

    year = models.PositiveSmallIntegerField(_("academic year"))
    school = models.ForeignKey(
        Organisation,
        verbose_name=_("Intellectual school"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    areas = models.ManyToManyField(
        Area, verbose_name=_("areas served"), related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("methodological centre")
        verbose_name_plural = _("methodological centres")
        ordering = ["-year", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "school"], name="one_centre_per_school_and_year"
            )
        ]
        indexes = [models.Index(fields=["year", "branch"])]

    def __str__(self) -> str:
        return str(self.school)


class LeadingSchool(TimeStamped):
    """A general school designated leading school for a district in one year."""

    year = models.PositiveSmallIntegerField(_("academic year"))
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    centre = models.ForeignKey(
        MethodCentre,
        verbose_name=_("methodological centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leading_schools",
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_number = models.CharField(_("decision number"), max_length=40, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)

    class Meta:
        verbose_name = _("leading school")
        verbose_name_plural = _("leading schools")
        ordering = ["-year", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "school"], name="one_leading_row_per_school_and_year"
            )
        ]
        indexes = [models.Index(fields=["year", "branch"])]

    def __str__(self) -> str:
        return str(self.school)


class Partnership(TimeStamped):
    """A partner school attached to a leading school for one year."""

    year = models.PositiveSmallIntegerField(_("academic year"))
    leading = models.ForeignKey(
        LeadingSchool,
        verbose_name=_("leading school"),
        on_delete=models.CASCADE,
        related_name="partnerships",
    )
    school = models.ForeignKey(
        Organisation, verbose_name=_("partner school"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("partner school")
        verbose_name_plural = _("partner schools")
        ordering = ["-year", "school__name"]
        constraints = [
            # A school partners at most one leading school in a year.
            models.UniqueConstraint(
                fields=["year", "school"], name="one_partnership_per_school_and_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} → {self.leading}"


class HubKind(models.TextChoices):
    RURAL = "rural", _("Intellectual school → rural hub school")
    CITY = "city", _("general school → city school")


class HubLink(TimeStamped):
    """A mentoring link between two schools in one year."""

    year = models.PositiveSmallIntegerField(_("academic year"))
    mentor = models.ForeignKey(
        Organisation, verbose_name=_("mentor school"), on_delete=models.PROTECT, related_name="+"
    )
    mentee = models.ForeignKey(
        Organisation, verbose_name=_("mentee school"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=HubKind.choices)

    class Meta:
        verbose_name = _("hub-school link")
        verbose_name_plural = _("hub-school links")
        ordering = ["-year", "mentor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "mentor", "mentee"], name="one_hub_link_per_pair_and_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"


class NetworkCoordinator(TimeStamped):
    """A person who coordinates the network of a branch (or of one centre) in a year."""

    year = models.PositiveSmallIntegerField(_("academic year"))
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    centre = models.ForeignKey(
        MethodCentre,
        verbose_name=_("methodological centre"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="coordinators",
    )

    class Meta:
        verbose_name = _("network coordinator")
        verbose_name_plural = _("network coordinators")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "person", "branch"], name="one_coordinator_row_per_year"
            )
        ]

    def __str__(self) -> str:
        return str(self.person)


# --- Support events ------------------------------------------------------------------------------


class EventKind(models.TextChoices):
    OBSERVATION = "observation", _("lesson observation with feedback")
    JOINT_PLANNING = "joint_planning", _("joint lesson planning")
    COACHING_INDIVIDUAL = "coaching_individual", _("individual coaching")
    COACHING_GROUP = "coaching_group", _("group coaching")
    SEMINAR = "seminar", _("seminar")
    WORKSHOP = "workshop", _("training workshop")
    MASTER_CLASS = "master_class", _("master class")
    WEBINAR = "webinar", _("webinar")
    CONSULTATION = "consultation", _("consultation")
    FORUM = "forum", _("forum")


class TopicArea(models.TextChoices):
    TEACHING = "teaching", _("teaching and learning (incl. distance teaching)")
    CONTENT = "content", _("renewed content and assessment")
    RESEARCH = "research", _("research in teaching practice")
    PASTORAL = "pastoral", _("pastoral work")
    MANAGEMENT = "management", _("school management")


class OrganiserKind(models.TextChoices):
    BRANCH = "branch", _("branch")
    CENTRE = "centre", _("methodological centre")
    LEADING = "leading", _("leading school")


class EventFormat(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    ONLINE = "online", _("online")


class EventLanguage(models.TextChoices):
    KAZAKH = "kk", _("Kazakh")
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")


class SupportEvent(TimeStamped):
    year = models.PositiveSmallIntegerField(_("academic year"))
    kind = models.CharField(_("type"), max_length=24, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic area"), max_length=16, choices=TopicArea.choices)
    organiser_kind = models.CharField(_("organiser"), max_length=8, choices=OrganiserKind.choices)
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    centre = models.ForeignKey(
        MethodCentre,
        verbose_name=_("methodological centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    leading = models.ForeignKey(
        LeadingSchool,
        verbose_name=_("leading school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The school the event is held for (an observed lesson, a partner school's seminar).
    school = models.ForeignKey(
        Organisation,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"))
    format = models.CharField(_("format"), max_length=10, choices=EventFormat.choices)
    language = models.CharField(_("language"), max_length=2, choices=EventLanguage.choices)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    link = models.URLField(_("link"), blank=True)
    is_open = models.BooleanField(_("open for registration"), default=False)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    registered_count = models.PositiveIntegerField(default=0)
    # For mass webinars: how many took part when they are not named.
    participant_count = models.PositiveIntegerField(_("number of participants"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("support event")
        verbose_name_plural = _("support events")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(registered_count__lte=models.F("capacity")),
                name="support_event_never_over_capacity",
            )
        ]
        indexes = [
            models.Index(fields=["branch", "starts_at"]),
            models.Index(fields=["year", "kind"]),
        ]

    def __str__(self) -> str:
        return str(self.title)

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.registered_count, 0)

    @property
    def reached(self) -> int:
        """People reached: the named participants, or the stated count for a mass event."""
        return self.participant_count


class EventMaterial(TimeStamped):
    event = models.ForeignKey(
        SupportEvent, on_delete=models.CASCADE, related_name="materials", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="networks/events/%Y/", max_length=300)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.name)


class ParticipantSource(models.TextChoices):
    ADDED = "added", _("added by the organiser")
    REGISTERED = "registered", _("registered")
    LIST = "list", _("from a list")


class EventParticipant(TimeStamped):
    event = models.ForeignKey(
        SupportEvent, on_delete=models.CASCADE, related_name="participants", verbose_name=_("event")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    source = models.CharField(_("source"), max_length=12, choices=ParticipantSource.choices)
    # Copied from the event and the person when added: the reports count by year and by the
    # school the participant worked at then, without joining events or people.
    year = models.PositiveSmallIntegerField(_("academic year"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("school"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    # Whether they answered the feedback form: the answer itself is stored without them.
    feedback_given = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="one_participation_per_person")
        ]
        indexes = [
            models.Index(fields=["person", "event"]),
            models.Index(fields=["year", "person"]),
            models.Index(fields=["year", "organisation"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.event}"


class EventFeedback(models.Model):
    """An anonymous answer to an event's feedback form: no link to the person, no time."""

    event = models.ForeignKey(SupportEvent, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="event_feedback_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating}"


# --- Teachers' requests --------------------------------------------------------------------------


class RequestTopic(models.TextChoices):
    PLANNING = "planning", _("lesson planning")
    ASSESSMENT = "assessment", _("assessment")
    DISTANCE = "distance", _("distance teaching")
    RESEARCH = "research", _("research")
    PASTORAL = "pastoral", _("pastoral work")
    MANAGEMENT = "management", _("management")
    OTHER = "other", _("other")


class RequestStatus(models.TextChoices):
    NEW = "new", _("new")
    ASSIGNED = "assigned", _("assigned")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")
    DECLINED = "declined", _("declined")


class SupportRequest(TimeStamped):
    year = models.PositiveSmallIntegerField(_("academic year"))
    person = models.ForeignKey(
        Person, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=12, choices=RequestTopic.choices)
    text = models.TextField(_("request"), max_length=5000)
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    leading = models.ForeignKey(
        LeadingSchool,
        verbose_name=_("leading school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    centre = models.ForeignKey(
        MethodCentre,
        verbose_name=_("methodological centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    due_on = models.DateField(_("due"))
    assigned_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    declined_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    closing_note = models.TextField(_("closing note"), blank=True, max_length=2000)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("teacher's request")
        verbose_name_plural = _("teachers' requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["branch", "status"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["year", "topic"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="support_request_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (RequestStatus.NEW, RequestStatus.ASSIGNED)


class RequestAttachment(TimeStamped):
    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="networks/requests/%Y/", max_length=300)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.name)


class RequestMessage(TimeStamped):
    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("message"), max_length=5000)
    is_answer = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.pk}"
