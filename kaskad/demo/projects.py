"""The demo's projects: NIS/SHARE (2024–2027) with its real first-year schools, their teams of
five, one finished Lesson Study cycle with case pupils A, B and C, and one Action Research in
progress. Built through the projects' services, like everything else in the demo.

Schools are matched to the demo registry (Astana general schools by number, Intellectual
schools by city); those the registry lacks are created through the registry's services.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from kaskad.accounts.models import Role, User
from kaskad.accounts.services import user_create
from kaskad.projects.models import LessonStudyGroup, Project, ProjectSchool
from kaskad.projects.services import (
    ProjectData,
    action_research_start,
    ar_comment_add,
    ar_entry_add,
    case_pupil_add,
    discussion_record,
    interview_add,
    lesson_study_finish,
    lesson_study_start,
    mentoring_link_add,
    mentoring_session_add,
    observer_note_add,
    partner_add,
    prediction_set,
    project_create,
    project_event_plan,
    public_lesson_add,
    research_lesson_add,
    school_join,
    staff_add,
    team_carry_over,
    team_member_add,
    team_member_remove,
)
from kaskad.registry.choices import OrganisationKind, Position
from kaskad.registry.identifiers import make_bin, make_iin
from kaskad.registry.models import Area, Branch, Employment, Organisation, Person
from kaskad.registry.services import (
    EmploymentData,
    ForeignPersonData,
    OrganisationData,
    PersonData,
    employment_set,
    organisation_upsert,
    person_register_without_iin,
    person_upsert,
)

CODE = "nis-share"
ASTANA = "710000000"
# First year (2024–2025): ten general schools of Astana and ten Intellectual schools.
ASTANA_SCHOOLS = (37, 50, 59, 60, 67, 72, 74, 75, 90, 91)
# (area code, city in kk / ru / en, how many Intellectual schools there).
NIS_CITIES = (
    (ASTANA, "Астана", "Астана", "Astana", 3),
    ("230000000", "Атырау", "Атырау", "Atyrau", 1),
    ("110000000", "Көкшетау", "Кокшетау", "Kokshetau", 1),
    ("390000000", "Қостанай", "Костанай", "Kostanay", 1),
    ("100000000", "Семей", "Семей", "Semey", 1),
    ("630000000", "Өскемен", "Усть-Каменогорск", "Oskemen", 1),
    ("330000000", "Талдықорған", "Талдыкорган", "Taldykorgan", 1),
    ("610000000", "Түркістан", "Туркестан", "Turkestan", 1),
)
TEAM = (
    ("principal", (Position.DIRECTOR,)),
    ("senior_leader", (Position.DEPUTY_DIRECTOR, Position.METHODOLOGIST)),
    ("coordinator", (Position.METHODOLOGIST, Position.TEACHER)),
    ("teacher", (Position.TEACHER,)),
    ("teacher", (Position.TEACHER,)),
)


def _new_bin(serial: int) -> str:
    while True:
        value = make_bin(2001, 9, serial % 100000)
        if value and not Organisation.objects.filter(Q(bin=value) | Q(code=value)).exists():
            return value
        serial += 1


def _create_school(
    *, area: Area, names: tuple[str, str, str], kind: str, serial: int
) -> Organisation:
    value = _new_bin(serial)
    organisation, _ = organisation_upsert(
        data=OrganisationData(
            code=value,
            bin=value,
            name_kk=names[0],
            name_ru=names[1],
            name_en=names[2],
            kind=kind,
            area=area,
            locality="urban",
            languages=["kk", "ru"],
        ),
        source="demo",
    )
    return organisation


def astana_school(number: int) -> Organisation:
    """The demo registry's Astana general school No. `number`, or a new one."""
    pattern = re.compile(rf"№\s*{number}(?!\d)")
    for organisation in Organisation.objects.filter(
        area__code=ASTANA, kind=OrganisationKind.SCHOOL, name_ru__contains=f"№ {number}"
    ).order_by("code"):
        if pattern.search(getattr(organisation, "name_ru", "") or ""):
            return organisation
    return _create_school(
        area=Area.objects.get(code=ASTANA),
        names=(
            f"№ {number} жалпы білім беретін мектеп",
            f"Общеобразовательная школа № {number}",
            f"General School No. {number}",
        ),
        kind=OrganisationKind.SCHOOL,
        serial=70000 + number,
    )


def intellectual_schools() -> list[Organisation]:
    """The ten first-year Intellectual schools: the registry's in each city, new ones else."""
    schools: list[Organisation] = []
    for index, (code, kk, ru, en, count) in enumerate(NIS_CITIES):
        area = Area.objects.get(code=code)
        found = list(
            Organisation.objects.filter(area=area, kind=OrganisationKind.NIS).order_by("code")[
                :count
            ]
        )
        for n in range(len(found), count):
            suffix = f" {n + 1}" if count > 1 else ""
            found.append(
                _create_school(
                    area=area,
                    names=(
                        f"{kk} қаласындағы Назарбаев Зияткерлік мектебі{suffix}",
                        f"Назарбаев Интеллектуальная школа города {ru}{suffix}",
                        f"Nazarbayev Intellectual School in {en}{suffix}",
                    ),
                    kind=OrganisationKind.NIS,
                    serial=71000 + index * 10 + n,
                )
            )
        schools.extend(found)
    return schools


def _staff(
    organisation: Organisation, positions: tuple[str, ...], taken: set[int]
) -> Person | None:
    job = (
        Employment.objects.filter(
            organisation=organisation, position__in=positions, ended_on__isnull=True
        )
        .exclude(person_id__in=taken)
        .select_related("person")
        .order_by("person__surname", "person_id")
        .first()
    )
    return job.person if job else None


# Staff hired for a school the demo registry lacks (or that has too few people): invented names.
HIRED = (
    ("Әбдірахманова", "Гүлнар", "F", Position.DIRECTOR),
    ("Сейтқалиев", "Нұрлан", "M", Position.DEPUTY_DIRECTOR),
    ("Омарова", "Жанар", "F", Position.METHODOLOGIST),
    ("Қуанышева", "Әсел", "F", Position.TEACHER),
    ("Тоқтаров", "Ерлан", "M", Position.TEACHER),
)


def _hire_staff(organisation: Organisation, *, serial: int, by: User) -> None:
    """Give a school without enough staff in the registry a team's worth of people, through
    the registry's services (valid IINs, an employment each)."""
    present = set(
        Employment.objects.filter(organisation=organisation, ended_on__isnull=True).values_list(
            "position", flat=True
        )
    )
    for index, (surname, given, sex, position) in enumerate(HIRED):
        if position in present and position != Position.TEACHER:
            continue
        born = date(1975 + index * 3, 1 + index, 10 + index)
        number = serial * 10 + index
        iin = None
        while iin is None or Person.objects.filter(iin=iin).exists():
            iin = make_iin(born, "F" if sex == "F" else "M", number % 10000)
            number += 7
        person, _ = person_upsert(
            data=PersonData(iin=iin, surname=surname, given_name=given), by=by, source="demo"
        )
        employment_set(
            person=person,
            data=EmploymentData(
                organisation=organisation,
                position=position,
                started_on=date(2018, 9, 1),
                subjects=["mathematics"] if position == Position.TEACHER else [],
            ),
            by=by,
            source="demo",
        )


def _team(school: ProjectSchool, *, by: User) -> list[Person]:
    """A team of five from the school's staff in the registry (hired first when it has too
    few people)."""
    staff = Employment.objects.filter(organisation=school.organisation, ended_on__isnull=True)
    if staff.count() < len(TEAM):
        _hire_staff(school.organisation, serial=school.pk, by=by)
    taken: set[int] = set()
    members: list[Person] = []
    for role, positions in TEAM:
        person = _staff(school.organisation, positions, taken)
        if person is None:
            continue
        taken.add(person.pk)
        team_member_add(school=school, person=person, role=role, by=by)
        members.append(person)
    return members


def _mentor(*, by: User) -> Person | None:
    user = User.objects.filter(username="trainer", person__isnull=False).first()
    if user is not None and user.person is not None:
        return user.person
    job = Employment.objects.filter(position=Position.TRAINER, ended_on__isnull=True).first()
    return job.person if job else None


def _lesson_study(
    project: Project, team: list[Person], *, by: User, start: date
) -> LessonStudyGroup:
    group = lesson_study_start(
        project=project,
        name="5-сынып математика: бөлшектер",
        focus="5-сынып оқушыларына бөлшектерді салыстыруды үйретуді жақсарту",
        research_question=(
            "Бөлшектердің көрнекі модельдері орта және төмен үлгерімді оқушыларға "
            "бөлшектерді салыстыруға көмектесе ме?"
        ),
        members=team[1:5] if len(team) >= 4 else team,
        language="kk",
        year=2024,
        by=by,
    )
    pupils = {
        code: case_pupil_add(
            group=group,
            code=code,
            attainment=level,
            consent_recorded_on=start - timedelta(days=7),
            by=by,
        )
        for code, level in (("A", "high"), ("B", "middle"), ("C", "low"))
    }
    stages = ["Кіріспе: бөлшек жолағы", "Жұптық жұмыс: модельдермен салыстыру", "Рефлексия"]
    observer = team[1]
    for number in (1, 2, 3):
        lesson = research_lesson_add(
            group=group,
            taught_on=start + timedelta(days=21 * (number - 1)),
            plan=(
                f"RL{number}: бөлшек жолақтарымен 1/2, 2/4, 3/8 салыстыру; жұптық жұмыс; "
                "шығу парағы."
            ),
            success_criteria="Оқушы екі бөлшекті модельмен салыстырып, неге екенін түсіндіреді.",
            stages=stages,
            by=by,
        )
        for stage in lesson.stages.all():
            for code, pupil in pupils.items():
                prediction_set(
                    stage=stage,
                    pupil=pupil,
                    predicted={
                        "A": "Модельсіз-ақ дұрыс жауап береді.",
                        "B": "Модельді қолданып, дұрыс салыстырады.",
                        "C": "Бөлімі үлкенін үлкен деп ойлайды.",
                    }[code],
                    observed={
                        "A": "Жұбына түсіндірді.",
                        "B": "Модельмен дұрыс салыстырды.",
                        "C": "Жолақты бүктеп көрген соң дұрыс жауап берді."
                        if number > 1
                        else "Алғашында қателесті.",
                    }[code],
                    by=by,
                )
        observer_note_add(
            lesson=lesson,
            pupil=pupils["C"],
            observer=observer,
            minute=14,
            note="С жолақты екі рет бүктеп, 2/4 пен 1/2 теңдігін өзі тапты.",
            by=by,
        )
        interview_add(
            lesson=lesson,
            pupil=pupils["C"],
            summary="Жолақтарды бүктегенде түсіндім дейді; суреттен гөрі қағаз ыңғайлы.",
            by=by,
        )
        discussion_record(
            lesson=lesson,
            about_pupils={
                "A": "Болжамға сай: жұбына түсіндіруші болды.",
                "B": "Модельді тез қолданды.",
                "C": "Бүктелетін жолақтар көмектесті." if number > 1 else "Суреттер жетпеді.",
            },
            discussion="Модельдер жұпта жақсы жұмыс істейді; уақыт жетпеді.",
            changes_next="Келесі сабақта әр жұпқа бүктелетін жолақтар беру; рефлексияны қысқарту.",
            by=by,
        )
    public_lesson_add(
        group=group,
        held_on=start + timedelta(days=50),
        place="Астана, № 37 мектеп",
        guests=24,
        by=by,
    )
    return lesson_study_finish(group=group, by=by)


def seed_projects(*, today: date | None = None) -> list[str]:
    """NIS/SHARE as the demo shows it; nothing when it is there already."""
    if Project.objects.filter(code=CODE).exists():
        return []
    admin = User.objects.filter(roles__role=Role.NATIONAL_ADMIN).order_by("pk").first()
    branch = Branch.objects.filter(code="AST").first()
    if admin is None or branch is None or not Area.objects.filter(code=ASTANA).exists():
        return []
    project = project_create(
        data=ProjectData(
            code=CODE,
            name_kk="NIS/SHARE: мектепті дамытудағы іс-әрекеттегі зерттеу",
            name_ru="NIS/SHARE: исследование в действии для развития школы",
            name_en="NIS/SHARE: Action Research for school development",
            kind="action_research",
            first_year=2024,
            last_year=2026,
            branch=branch,
        ),
        by=admin,
    )
    partner_add(
        project=project,
        name="University of Cambridge, Faculty of Education",
        kind="foreign",
        country="GB",
        by=admin,
    )
    partner_add(
        project=project,
        name="Астана қаласы әкімдігінің әдістемелік орталығы",
        kind="organisation",
        by=admin,
    )
    mentor = _mentor(by=admin)
    if mentor is not None:
        staff_add(project=project, person=mentor, role="mentor", by=admin)
        staff_add(project=project, person=mentor, role="trainer", by=admin)
    schools = [astana_school(n) for n in ASTANA_SCHOOLS] + intellectual_schools()
    teams: dict[int, list[Person]] = {}
    for organisation in schools:
        school = school_join(project=project, organisation=organisation, year=2024, by=admin)
        teams[school.pk] = _team(school, by=admin)
    made = [
        ngettext("%(n)s school in projects", "%(n)s schools in projects", len(schools))
        % {"n": len(schools)}
    ]
    first = ProjectSchool.objects.filter(project=project, organisation=schools[0]).get()
    start = date(2024, 10, 7)
    if len(teams[first.pk]) >= 4:
        _lesson_study(project, teams[first.pk], by=admin, start=start)
        # The second year starts from the first year's team, which stays as it was: one
        # teacher leaves, a colleague joins.
        following = team_carry_over(school=first, year=2025, by=admin)
        leaving = following.team.filter(role="teacher").order_by("pk").last()
        if leaving is not None:
            team_member_remove(member=leaving, by=admin)
        newcomer = _staff(first.organisation, (Position.TEACHER,), {p.pk for p in teams[first.pk]})
        if newcomer is not None:
            team_member_add(school=following, person=newcomer, role="teacher", by=admin)
    # The Action Research: the next school with a team in the registry (else the first one).
    second = next(
        (
            s
            for s in ProjectSchool.objects.filter(project=project).exclude(pk=first.pk)
            if teams[s.pk]
        ),
        first,
    )
    team = teams[second.pk]
    if team:
        research = action_research_start(
            school=second, title="Сабақтағы кері байланыс оқушы белсенділігін арттыра ма?", by=admin
        )
        author = User.objects.filter(person=team[0]).first()
        writer = author or _login_for(team[0])
        for step, day, text in (
            (
                "reconnaissance",
                0,
                "Бастапқы деректер: 7-сыныптағы 4 сабақты бақылау, оқушы сауалнамасы.",
            ),
            ("reconnaissance", 5, "Әдебиет: Black & Wiliam (1998), Hattie & Timperley (2007)."),
            ("plan", 14, "Әр сабақта екі рет ауызша кері байланыс; шығу парақтары."),
            ("act", 30, "Үш аптада 12 сабақ өткізілді."),
        ):
            entry = ar_entry_add(
                research=research,
                step=step,
                dated=start + timedelta(days=day),
                text=text,
                by=writer,
            )
        if mentor is not None:
            mentor_user = User.objects.filter(person=mentor).first() or _login_for(mentor)
            ar_comment_add(
                entry=entry,
                text="Бақылау кестесін оқушы кодтарымен толтырыңыз; есімдер қажет емес.",
                by=mentor_user,
            )
    made.extend(_mentoring(project, teams, admin=admin, today=today or timezone.localdate()))
    made.extend(_plan(project, admin=admin))
    made.extend(_partner_training(admin=admin, branch=branch))
    return made


# The plan: train-the-trainers sessions in Astana, online mentoring, webinars for principals.
PLAN = (
    (
        "workshop",
        "research",
        "Оқыту сессиясы: іс-әрекеттегі зерттеу негіздері",
        (2024, 10, 2, 10),
        360,
        "in_person",
        "en",
        "Астана, ДББЗО",
    ),
    (
        "coaching_group",
        "research",
        "Онлайн менторлық: зерттеу сұрағы",
        (2024, 11, 20, 15),
        90,
        "online",
        "kk",
        "",
    ),
    (
        "webinar",
        "management",
        "Директорларға арналған вебинар: мектепті дамыту",
        (2025, 1, 22, 16),
        60,
        "online",
        "ru",
        "",
    ),
)


def _plan(project: Project, *, admin: User) -> list[str]:
    from kaskad.networks.events import EventData

    for kind, topic, title, (y, m, d, h), minutes, fmt, language, venue in PLAN:
        project_event_plan(
            project=project,
            data=EventData(
                kind=kind,
                title=title,
                topic=topic,
                organiser_kind="branch",
                branch=project.branch,
                starts_at=datetime(y, m, d, h, 0, tzinfo=timezone.get_current_timezone()),
                duration_minutes=minutes,
                format=fmt,
                language=language,
                venue=venue,
                link="" if venue else "https://meet.nis.edu.kz/share",
            ),
            by=admin,
        )
    return [ngettext("%(n)s planned event", "%(n)s planned events", len(PLAN)) % {"n": len(PLAN)}]


# From November 2025 each Intellectual school works with two rural hub schools, and the Astana
# schools with two city schools each: the demo shows one link of each kind with its log.
SESSIONS = (
    (
        date(2025, 11, 12),
        "visit",
        "Іс-әрекеттегі зерттеуге кіріспе: командамен танысу",
        "Мектеп командасы зерттеу тақырыптарын ұсынды.",
        "Бастапқы деректерді жинау жоспары",
    ),
    (
        date(2025, 11, 26),
        "online",
        "Зерттеу сұрағын нақтылау",
        "Екі сұрақтың біреуі таңдалды.",
        "Сабақты бақылау парағын дайындау",
    ),
    (
        date(2025, 12, 10),
        "phone",
        "Бақылау парағы бойынша кеңес",
        "",
        "Келесі сапарда екі сабаққа қатысу",
    ),
)


def _mentoring(
    project: Project, teams: dict[int, list[Person]], *, admin: User, today: date
) -> list[str]:
    from kaskad.networks.services import hub_link_create

    pairs: list[tuple[Organisation, Organisation, str]] = []
    nis = next(iter(intellectual_schools()), None)
    if nis is not None:
        rural = (
            Organisation.objects.filter(
                kind=OrganisationKind.SCHOOL, locality="rural", is_open=True
            )
            .order_by("area__branch_id", "code")
            .first()
        )
        if rural is None:
            value = _new_bin(72000)
            rural, _ = organisation_upsert(
                data=OrganisationData(
                    code=value,
                    bin=value,
                    name_kk="Ақсу ауылының жалпы білім беретін мектебі",
                    name_ru="Общеобразовательная школа села Аксу",
                    name_en="Aksu Village General School",
                    kind=OrganisationKind.SCHOOL,
                    area=Area.objects.get(pk=nis.area_id),
                    locality="rural",
                    languages=["kk", "ru"],
                ),
                source="demo",
            )
        pairs.append((nis, rural, "rural"))
    pairs.append((astana_school(ASTANA_SCHOOLS[0]), astana_school(2), "city"))
    links = 0
    for mentor_school, mentee_school, kind in pairs:
        hub = hub_link_create(
            year=2025, mentor=mentor_school, mentee=mentee_school, kind=kind, by=admin
        )
        link = mentoring_link_add(project=project, hub_link=hub, by=admin)
        links += 1
        school = ProjectSchool.objects.filter(project=project, organisation=mentor_school).first()
        team = teams.get(school.pk, []) if school is not None else []
        writer = admin
        if team:
            person = team[min(2, len(team) - 1)]
            writer = User.objects.filter(person=person).first() or _login_for(person)
        for held_on, form, topic, notes, next_steps in SESSIONS:
            if held_on <= today:
                mentoring_session_add(
                    link=link,
                    held_on=held_on,
                    form=form,
                    topic=topic,
                    notes=notes,
                    next_steps=next_steps,
                    by=writer,
                )
    return [ngettext("%(n)s mentoring link", "%(n)s mentoring links", links) % {"n": links}]


# Teachers abroad have no IIN: they are registered by an identity document (docs/adr/0005).
# Invented names and numbers, for the demo only.
ABROAD = (
    ("Myradowa", "Ogulgerek", "F", date(1986, 3, 14), "A1048203"),
    ("Annaýew", "Serdar", "M", date(1979, 11, 2), "A2293817"),
    ("Gurbanowa", "Maral", "F", date(1991, 6, 25), "A3380462"),
)


def _partner_training(*, admin: User, branch: Branch) -> list[str]:
    """Training for teachers in Turkmenistan: a partner project whose participants have no
    IIN."""
    project = project_create(
        data=ProjectData(
            code="tm-teachers",
            name_kk="Түрікменстан мұғалімдерін оқыту",
            name_ru="Обучение учителей Туркменистана",
            name_en="Training for teachers of Turkmenistan",
            kind="partner_training",
            first_year=2024,
            last_year=2024,
            branch=branch,
        ),
        by=admin,
    )
    partner_add(
        project=project,
        name="Ministry of Education of Turkmenistan",
        kind="foreign",
        country="TM",
        by=admin,
    )
    people = []
    for surname, given, sex, born, number in ABROAD:
        existing = Person.objects.filter(
            document_country="TM", document_type="passport", document_number=number
        ).first()
        people.append(
            existing
            or person_register_without_iin(
                data=ForeignPersonData(
                    document_type="passport",
                    document_number=number,
                    document_country="TM",
                    surname=surname,
                    given_name=given,
                    birth_date=born,
                    sex=sex,
                ),
                by=admin,
                source="demo",
            )
        )
    mentor = _mentor(by=admin)
    if mentor is not None:
        staff_add(project=project, person=mentor, role="trainer", by=admin)
    lesson_study_start(
        project=project,
        name="Aşgabat: matematika 6",
        focus="Improve how we teach proportional reasoning to Grade 6",
        research_question="Do double number lines help pupils compare ratios?",
        members=people,
        language="ru",
        year=2024,
        by=admin,
    )
    return [
        ngettext("%(n)s participant abroad", "%(n)s participants abroad", len(people))
        % {"n": len(people)}
    ]


def _login_for(person: Person) -> User:
    """A login for a team member who has none (the services act for a registry person)."""
    return user_create(
        username=f"share{person.pk}",
        password=secrets.token_urlsafe(18),
        roles=[(Role.TEACHER, None)],
        person=person,
        validate=False,
    )
