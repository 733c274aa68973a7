"""The demo year's school network for the demo branch, made through the networks services: a
methodological centre, three leading schools with partners (one with too few, one with too
many, to show the warning), a hub link, a dozen support events and teachers' requests in every
status. The demo school (the leader's and the teacher's) is the first leading school; a
colleague there, `mentor`, answers requests."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from kaskad.accounts.demo import DEMO_PASSWORD
from kaskad.accounts.models import Role, User
from kaskad.accounts.services import user_create
from kaskad.networks.events import (
    EventData,
    attendance_set,
    event_create,
    event_feedback_give,
    event_register,
    participant_add,
    participant_count_set,
)
from kaskad.networks.models import LeadingSchool, RequestTopic, SupportRequest
from kaskad.networks.services import (
    centre_upsert,
    coordinator_add,
    hub_link_create,
    leading_upsert,
    network_copy_year,
    partner_set,
)
from kaskad.networks.support_requests import (
    request_assign,
    request_close,
    request_decline,
    request_file,
    request_reply,
)
from kaskad.networks.years import academic_year
from kaskad.registry.choices import Locality, OrganisationKind
from kaskad.registry.models import Branch, Organisation, Person

DEMO_BRANCH = "AST"
PARTNERS = (9, 6, 11)  # the second and third show the 8–10 warning

EVENTS = (
    ("observation", "teaching", "Бақылау: оқу мақсаттары", "in_person"),
    ("joint_planning", "teaching", "Сабақты бірлесіп жоспарлау", "in_person"),
    ("coaching_individual", "content", "Жеке коучинг: критериалды бағалау", "in_person"),
    ("coaching_group", "content", "Топтық коучинг: формативті бағалау", "in_person"),
    ("seminar", "research", "Семинар: Lesson Study", "in_person"),
    ("workshop", "teaching", "Тренинг: саралау", "in_person"),
    ("master_class", "teaching", "Шеберлік сыныбы: сұрақ қою", "in_person"),
    ("webinar", "teaching", "Вебинар: қашықтан оқыту", "online"),
    ("consultation", "management", "Консультация: мектеп басшыларына", "online"),
    ("forum", "pastoral", "Форум: тәрбие жұмысы", "in_person"),
    ("seminar", "content", "Семинар по обновлённому содержанию", "in_person"),
    ("webinar", "content", "Вебинар: суммативное оценивание", "online"),
)


def _admin() -> User | None:
    return (
        User.objects.filter(username="admin").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )


def _schools(branch: Branch, exclude: set[int]) -> list[Organisation]:
    return list(
        Organisation.objects.filter(area__branch=branch, kind=OrganisationKind.SCHOOL, is_open=True)
        .exclude(pk__in=exclude)
        .annotate(staff=Count("employments", filter=Q(employments__ended_on__isnull=True)))
        .order_by("-staff", "code")
    )


def _staff(school: Organisation, count: int, exclude: set[int]) -> list[Person]:
    return list(
        Person.objects.filter(current_organisation=school)
        .exclude(pk__in=exclude)
        .order_by("iin")[:count]
    )


@transaction.atomic
def seed_networks() -> int:
    """Make the demo network (once); returns the number of support events made."""
    branch = Branch.objects.filter(code=DEMO_BRANCH).first()
    admin = _admin()
    if branch is None or admin is None:
        return 0
    today = timezone.localdate()
    year = academic_year(today)
    if LeadingSchool.objects.filter(year=year, branch=branch).exists():
        return 0
    rng = random.Random(13)
    leader = User.objects.filter(username="leader").first()
    teacher = User.objects.filter(username="teacher").first()
    home = teacher.person.current_organisation if teacher and teacher.person else None
    nis = (
        Organisation.objects.filter(area__branch=branch, kind=OrganisationKind.NIS, is_open=True)
        .order_by("code")
        .first()
    )
    if nis is None:
        return 0
    centre = centre_upsert(year=year, school=nis, areas=list(branch.areas.all()), by=admin)
    pool = _schools(branch, {home.pk} if home else set())
    leading_schools = ([home] if home is not None else []) + pool[: 3 - (1 if home else 0)]
    rest = [s for s in pool if s not in leading_schools]
    leading_rows = []
    for index, school in enumerate(leading_schools):
        leading = leading_upsert(
            year=year,
            school=school,
            centre=centre,
            decision_number=f"{120 + index}-ө",
            decision_date=today.replace(month=8, day=25)
            if today.month >= 9
            else today.replace(year=today.year - 1, month=8, day=25),
            by=admin,
        )
        for partner in rest[: PARTNERS[index]]:
            partner_set(leading=leading, school=partner, by=admin)
        rest = rest[PARTNERS[index] :]
        leading_rows.append(leading)
    rural = (
        Organisation.objects.filter(
            area__branch=branch, locality=Locality.RURAL, kind=OrganisationKind.SCHOOL
        )
        .exclude(pk__in=[s.pk for s in leading_schools])
        .order_by("code")[:2]
    )
    for school in rural:
        hub_link_create(year=year, mentor=nis, mentee=school, kind="rural", by=admin)
    # Last year: the same network, a little smaller (the growth chart has two bars).
    network_copy_year(branch=branch, from_year=year, to_year=year - 1, by=admin)
    coordinator = User.objects.filter(username="coordinator").first()
    if coordinator and coordinator.person:
        coordinator_add(
            year=year, person=coordinator.person, branch=branch, centre=centre, by=admin
        )

    # A colleague at the first leading school answers teachers' requests.
    first = leading_rows[0]
    taken = {
        p.pk for p in (teacher.person if teacher else None, leader.person if leader else None) if p
    }
    mentor = User.objects.filter(username="mentor").first()
    if mentor is None:
        colleagues = _staff(first.school, 1, taken)
        if colleagues:
            mentor = user_create(
                username="mentor",
                password=DEMO_PASSWORD,
                roles=[(Role.TEACHER, None)],
                person=colleagues[0],
                validate=False,
            )

    # Support events: past ones with attendance and feedback, upcoming open ones.
    participants = _staff(first.school, 6, set())
    partner_staff = [
        p
        for partnership in first.partnerships.select_related("school")[:6]
        for p in _staff(partnership.school, 2, set())
    ]
    made = 0
    for index, (kind, topic, title, fmt) in enumerate(EVENTS):
        days = -60 + index * 7
        starts = timezone.make_aware(datetime.combine(today + timedelta(days=days), time(15, 0)))
        organiser = leading_rows[index % len(leading_rows)]
        is_open = days > 0
        event = event_create(
            data=EventData(
                kind=kind,
                title=title,
                topic=topic,
                organiser_kind="leading" if index % 3 else "centre",
                branch=branch,
                centre=centre,
                leading=organiser if index % 3 else None,
                school=organiser.school if kind == "observation" else None,
                starts_at=starts,
                duration_minutes=rng.choice([45, 60, 90, 120]),
                format=fmt,
                language="kk" if index % 2 == 0 else "ru",
                venue="" if fmt == "online" else str(organiser.school)[:300],
                link=f"https://meet.example.kz/kaskad-{index}" if fmt == "online" else "",
                is_open=is_open,
                capacity=25 if is_open else None,
            ),
            by=admin,
        )
        made += 1
        if is_open:
            if teacher and teacher.person and index == len(EVENTS) - 1:
                event_register(event=event, person=teacher.person)
            continue
        people = rng.sample(
            partner_staff + participants, k=min(8, len(partner_staff + participants))
        )
        if teacher and teacher.person and index in (1, 4):
            people.append(teacher.person)
        for person in dict.fromkeys(people):
            participant_add(event=event, person=person, by=admin)
        present = set(event.participants.values_list("pk", flat=True)[: max(1, len(people) - 1)])
        attendance_set(event=event, present=present, by=admin)
        for participant in event.participants.filter(attended=True).select_related("person")[:6]:
            if teacher and participant.person_id == teacher.person_id:
                continue  # the demo teacher still has a form to answer
            event_feedback_give(
                event=event,
                person=participant.person,
                rating=rng.choice([4, 5, 5, 3]),
                comment=rng.choice(
                    ["", "Пайдалы болды", "Полезно, спасибо", "Көбірек мысал керек"]
                ),
            )
        if kind == "webinar":
            participant_count_set(event=event, count=340, by=admin)

    # Requests in every status.
    if teacher and teacher.person and mentor is not None:
        texts = {
            RequestTopic.PLANNING: "7-сыныпқа арналған сабақ жоспарын тексеріп беріңізші.",
            RequestTopic.ASSESSMENT: "Как составить дескрипторы к суммативному оцениванию за "
            "раздел?",
            RequestTopic.DISTANCE: "Қашықтан оқытуда оқушылардың белсенділігін қалай арттыруға "
            "болады?",
            RequestTopic.RESEARCH: "Lesson Study зерттеуіне тақырып таңдауға көмек керек.",
            RequestTopic.PASTORAL: "Как работать с тревожностью учеников перед экзаменами?",
            RequestTopic.OTHER: "Методическая литература по функциональной грамотности.",
        }
        filed = [
            request_file(by=teacher, topic=topic, text=text, today=today - timedelta(days=12 - i))
            for i, (topic, text) in enumerate(texts.items())
        ]
        routers = [u for u in (leader, coordinator, admin) if u is not None]
        router = routers[0]
        # new: filed[5]; assigned (and overdue): filed[0]
        request_assign(request=filed[0], assignee=mentor, by=router)
        for item in filed[1:4]:
            request_assign(request=item, assignee=mentor, by=router)
            request_reply(
                request=item,
                by=mentor,
                text="Жауап: құжатты қоса беремін, келесі аптада кездесейік.",
                answer=True,
            )
        request_reply(request=filed[1], by=teacher, text="Рақмет!")
        request_close(request=filed[1], by=teacher, rating=5, note="Өте пайдалы")
        request_close(request=filed[2], by=teacher, rating=4)
        request_decline(request=filed[4], by=router, reason="Этот вопрос решает школьный психолог.")
        SupportRequest.objects.filter(pk=filed[0].pk).update(due_on=today - timedelta(days=2))
    return made
