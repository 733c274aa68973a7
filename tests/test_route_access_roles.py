"""Out of scope looks like nothing, for the users the eight-role walk leaves out (ADR 0002).

tests/test_route_access.py walks every declared route as eight roles. This module walks the same
routes, against the same world (branches A and B), as the users who came later:

* `monitor`: a monitoring officer (monitoring studies and surveys, the whole country);
* `editor`: a library editor (moderates the resource library);
* `learner`: a learner registered with an e-mail only (no registry person, no role), enrolled
  in A's online course, which is public for this walk;
* `nobody`: a signed-in user with no role and no registry person;
* `abroad`: a participant abroad, a registry person with a passport instead of an IIN (ADR
  0005), with the teacher's role, a participant of A's event and a member of A's project team.

EXTRA_ACCESS says, per route and method, what each of them gets for A's object and B's, in
the order of EXTRA_ROLES; a route it does not name must answer every one of them exactly as an
id nobody has (same status, same body). Every answer is also read for full IINs, birth dates
and the participant abroad's document number.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.accounts.tokens import api_token_create
from tests.test_route_access import (
    ACCESS,
    IDENTITY,
    ROLES,
    TWELVE_DIGITS,
    Answer,
    World,
    _identity_strings,
    all_routes,
    ask,
    clients_for,
    kinds_of,
    url_for,
    world,
)

__all__ = ["world"]  # the eight-role walk's data set, built once for this module too

EXTRA_ROLES = ("monitor", "editor", "learner", "nobody", "abroad")
ABROAD: dict[str, Any] = {
    "document_number": "A7731594",
    "document_country": "TM",
    "birth_date": date(1983, 7, 19),
    "phone": "+993 65 555 731",
    "email": "abroad-rolewalk@example.tm",
}
LEARNER_EMAIL = "learner-rolewalk@example.org"


@dataclass
class Extras:
    world: World
    users: dict[str, User]
    tokens: dict[str, str]
    abroad_person_id: int


def _build_extras(world: World) -> Extras:
    from kaskad.learning import services as learning
    from kaskad.learning.models import Course
    from kaskad.networks.events import participant_add
    from kaskad.networks.models import SupportEvent
    from kaskad.projects.models import ProjectSchool
    from kaskad.projects.services import team_member_add
    from kaskad.registry.services import ForeignPersonData, person_register_without_iin

    admin = world.users["admin"]
    # A's online course is open to the public: the e-mail learner enrols in it.
    course = Course.objects.get(pk=world.a.ids["course"])
    Course.objects.filter(pk=course.pk).update(is_public=True)
    course.refresh_from_db()
    learner = learning.learner_create(
        email=LEARNER_EMAIL, password="A-long-pass-phrase-42", first_name="Public", last_name="L"
    )
    learning.enrol(course=course, user=learner)
    abroad_person = person_register_without_iin(
        data=ForeignPersonData(
            document_type="passport",
            document_number=ABROAD["document_number"],
            document_country=ABROAD["document_country"],
            surname="Ataýewa",
            given_name="Gülnara",
            birth_date=ABROAD["birth_date"],
            sex="F",
            email=ABROAD["email"],
            phone=ABROAD["phone"],
        ),
        by=admin,
    )
    participant_add(
        event=SupportEvent.objects.get(pk=world.a.ids["event"]), person=abroad_person, by=admin
    )
    team_member_add(
        school=ProjectSchool.objects.get(project__code=world.a.ids["project"]),
        person=abroad_person,
        role="teacher",
        by=admin,
    )
    users = {
        "monitor": make_user(roles=[(Role.MONITORING_OFFICER, None)]),
        "editor": make_user(roles=[(Role.LIBRARY_EDITOR, None)]),
        "learner": learner,
        "nobody": make_user(roles=[]),
        "abroad": make_user(roles=[(Role.TEACHER, None)], person=abroad_person),
    }
    tokens = {role: api_token_create(user=user)[1] for role, user in users.items()}
    return Extras(world=world, users=users, tokens=tokens, abroad_person_id=abroad_person.pk)


@pytest.fixture(scope="module")
def extras(world: World, django_db_blocker: Any) -> Iterator[Extras]:
    with django_db_blocker.unblock(), transaction.atomic():
        built = _build_extras(world)
        yield built
        transaction.set_rollback(True)


# --- What the extra users may reach ---------------------------------------------------------------
#
# "A/B" per user, in the order of EXTRA_ROLES:
#
#     monitor  editor  learner  nobody  abroad
#
# A route not named here answers each of them like an id nobody has, for A's object and B's.
# * the monitoring officer runs every study and survey of the country: 200/200 there;
# * the library editor moderates the library (`review`, `new_version`); the library and the
#   published portfolios are read by every user with a role or a registry record, not by
#   users with neither (the e-mail learner, the user with no role);
# * the e-mail learner learns in A's course, the public one: B's course, for teachers, looks
#   missing to them and to the user with no role (fixed in learning.selectors.course_public);
# * the participant abroad is a teacher: A's event and project team (they are a member), the
#   open cohorts (the enrolment API answers 409: a cohort delivered in Kazakhstan refuses a
#   person without an IIN, ADR 0005);
# * national reference for everyone signed in: programmes, versions, rubrics, the public
#   certificate check and the public survey link. Routes no extra user may use answer 403 for
#   every id (transfers, programme editing): a missing id too.
EVERYONE = "200/200 200/200 200/200 200/200 200/200"
MONITOR_ONLY = "200/200 404/404 404/404 404/404 404/404"
ROLE_OR_PERSON = "200/200 200/200 404/404 404/404 200/200"
ABROAD_OF_A = "404/404 404/404 404/404 404/404 200/404"
EXTRA_ACCESS: dict[str, dict[str, str]] = {
    "networks:event_detail": {"GET": ABROAD_OF_A},
    "networks:event_material": {"GET": ABROAD_OF_A},
    **{
        f"projects:{name}": {"GET": ABROAD_OF_A, "POST": ABROAD_OF_A}
        for name in ("detail", "lesson_study", "research_lesson", "action_research", "mentoring")
    },
    "projects:lesson_study_pdf": {"GET": ABROAD_OF_A},
    "projects:action_research_pdf": {"GET": ABROAD_OF_A},
    "catalogue:programme_detail": {"GET": EVERYONE},
    "catalogue:programme_version": {"GET": EVERYONE},
    "GET /api/programmes/{code}": {"GET": EVERYONE},
    "assessment:rubric_detail": {
        "GET": EVERYONE,
        "POST": "302/302 302/302 302/302 302/302 302/302",
    },
    "certificates:verify_token": {"GET": EVERYONE},
    "surveys:public": {"GET": EVERYONE, "POST": "400/400 400/400 400/400 400/400 400/400"},
    "delivery:self_enrol": {"POST": "404/404 404/404 404/404 404/404 302/302"},
    "GET /api/cohorts/{cohort_id}": {"GET": "404/404 404/404 404/404 404/404 200/200"},
    "POST /api/cohorts/{cohort_id}/enrol": {"POST": "404/404 404/404 404/404 404/404 409/409"},
    "assessment:material_detail": {"GET": ROLE_OR_PERSON},
    "assessment:material_file": {"GET": ROLE_OR_PERSON},
    "GET /api/assessment/materials/{portfolio_id}": {"GET": ROLE_OR_PERSON},
    "GET /api/assessment/materials/{portfolio_id}/files/{file_id}": {"GET": ROLE_OR_PERSON},
    "library:issue": {"GET": ROLE_OR_PERSON},
    "library:material_detail": {"GET": ROLE_OR_PERSON},
    "library:download": {"GET": ROLE_OR_PERSON},
    "library:favourite": {"POST": "302/302 302/302 404/404 404/404 302/302"},
    "library:rate": {"POST": "302/302 302/302 404/404 404/404 302/302"},
    "library:review": {"POST": "404/404 302/302 404/404 404/404 404/404"},
    "library:new_version": {"POST": "404/404 302/302 404/404 404/404 404/404"},
    **{
        f"monitoring:{name}": {method: MONITOR_ONLY}
        for name, method in (
            ("test_detail", "GET"),
            ("analysis", "GET"),
            ("analysis_xlsx", "GET"),
            ("comparison", "GET"),
            ("school_report", "GET"),
            ("school_report_pdf", "GET"),
            ("results_xlsx", "GET"),
            ("pupil_report", "GET"),
            ("pupil_pdf", "GET"),
        )
    },
    "monitoring:study_detail": {"GET": MONITOR_ONLY, "POST": MONITOR_ONLY},
    "monitoring:study_bands": {"GET": MONITOR_ONLY, "POST": MONITOR_ONLY},
    "monitoring:comparison_pdf": {"GET": MONITOR_ONLY},
    # Observation instruments are national reference, like the programmes.
    "observations:instrument_detail": {"GET": EVERYONE},
    "observations:instrument_export": {"GET": EVERYONE},
    "monitoring:form_detail": {"GET": MONITOR_ONLY, "POST": MONITOR_ONLY},
    "monitoring:entry": {"GET": MONITOR_ONLY, "POST": MONITOR_ONLY},
    **{
        f"monitoring:{name}": {"POST": "302/302 404/404 404/404 404/404 404/404"}
        for name in ("import_responses", "resolve", "bulk_start")
    },
    "surveys:detail": {"GET": MONITOR_ONLY},
    "surveys:results": {"GET": MONITOR_ONLY},
    "surveys:export": {"GET": MONITOR_ONLY},
    "surveys:question_add": {"POST": "400/400 404/404 404/404 404/404 404/404"},
    "surveys:publish": {"POST": "302/302 404/404 404/404 404/404 404/404"},
    "surveys:dates": {"POST": "302/302 404/404 404/404 404/404 404/404"},
    # B's course is for teachers: the e-mail learner and the user with no role get 404.
    "learning:course": {"GET": "200/200 200/200 200/404 200/404 200/200"},
    "learning:enrol": {"POST": "302/302 302/302 302/404 302/404 302/302"},
    "learning:continue": {"GET": "404/404 404/404 302/404 404/404 404/404"},
    "learning:certificate": {"GET": "404/404 404/404 302/404 404/404 404/404"},
    "learning:step": {
        "GET": "404/404 404/404 200/404 404/404 404/404",
        "POST": "404/404 404/404 400/404 404/404 404/404",
    },
    "learning:ask": {"POST": "404/404 404/404 302/404 404/404 404/404"},
}


Key = tuple[str, str, str, str]  # route key, method, user, target ("A", "B", "missing")


def walk_extras(extras: Extras, plan: dict[str, tuple[str, ...]]) -> dict[Key, Answer]:
    from django.test import Client

    routes = {route.key: route for route in all_routes()}
    pages: dict[str, Client] = {}
    apis: dict[str, Client] = {}
    for role, user in extras.users.items():
        pages[role] = Client()
        pages[role].force_login(user)
        apis[role] = Client(HTTP_AUTHORIZATION=f"Bearer {extras.tokens[role]}")
    answers: dict[Key, Answer] = {}
    for key, methods in plan.items():
        route = routes[key]
        for method in methods:
            for role in EXTRA_ROLES:
                client = apis[role] if route.api else pages[role]
                for target, side in (
                    ("A", extras.world.a),
                    ("B", extras.world.b),
                    ("missing", None),
                ):
                    url = url_for(route, side)
                    answers[(key, method, role, target)] = ask(
                        client, method, url, api=route.api, key=key
                    )
    return answers


@pytest.fixture(scope="module")
def extra_answers(extras: Extras) -> dict[Key, Answer]:
    declared = {route.key for route in all_routes()} & set(ACCESS)
    return walk_extras(extras, {key: tuple(ACCESS[key]) for key in sorted(declared)})


def test_the_extra_table_names_declared_routes_and_methods_only() -> None:
    wrong = [
        f"{method} {key}"
        for key, methods in EXTRA_ACCESS.items()
        for method, declared in methods.items()
        if method not in ACCESS.get(key, {}) or len(declared.split()) != len(EXTRA_ROLES)
    ]
    assert not wrong, "EXTRA_ACCESS names unknown routes or has a wrong number of columns: " + (
        ", ".join(wrong)
    )


@pytest.mark.slow  # builds the world and walks every route as five more users
@pytest.mark.django_db
def test_every_extra_user_gets_the_declared_answer_and_out_of_scope_looks_like_nothing(
    extras: Extras, extra_answers: dict[Key, Answer]
) -> None:
    wrong: list[str] = []
    observed: list[str] = []
    for key, methods in ACCESS.items():
        for method in methods:
            declared = EXTRA_ACCESS.get(key, {}).get(method)
            expected = dict(zip(EXTRA_ROLES, declared.split(), strict=True)) if declared else {}
            row: list[str] = []
            for role in EXTRA_ROLES:
                a = extra_answers.get((key, method, role, "A"))
                b = extra_answers.get((key, method, role, "B"))
                missing = extra_answers.get((key, method, role, "missing"))
                if a is None or b is None or missing is None:
                    continue  # a stale entry: reported by the eight-role module
                got = f"{a.status}/{b.status}"
                row.append(got)
                want = expected.get(role, f"{missing.status}/{missing.status}")
                if got != want:
                    wrong.append(f"{method} {key} as {role}: {got}, declared {want}")
                    continue
                for target, answer in (("A", a), ("B", b)):
                    hidden = answer.status == missing.status and (
                        answer.status in (403, 404) or role not in expected
                    )
                    if hidden and answer.body != missing.body:
                        wrong.append(
                            f"{method} {key} as {role}: the {answer.status} for {target}'s "
                            f"object differs from the answer for an id nobody has"
                        )
            if row:
                observed.append(f'"{key}": {{"{method}": "{" ".join(row)}"}},')
    if os.environ.get("KASKAD_ROLEWALK_DUMP"):
        with open(os.environ["KASKAD_ROLEWALK_DUMP"], "w", encoding="utf-8") as out:
            out.write("\n".join(observed) + "\n")
    assert not wrong, "\n".join(wrong)


@pytest.mark.slow  # builds the world and walks every route as five more users
@pytest.mark.django_db
def test_no_extra_user_sees_an_iin_a_birth_date_or_a_document_number(
    extras: Extras, extra_answers: dict[Key, Answer]
) -> None:
    from kaskad.registry.models import Person

    world = extras.world
    # None of them holds an IIN or a role that shows one: no full IIN anywhere.
    registered = {iin for iin in Person.objects.values_list("iin", flat=True) if iin}
    identities = {
        "A's participant": _identity_strings(IDENTITY["ALA"]),
        "B's participant": _identity_strings(IDENTITY["AST"]),
    }
    # The participant abroad sees their own document, birth date and contacts; nobody else.
    abroad_strings = [
        ABROAD["document_number"],
        *_identity_strings(
            {"birth_date": ABROAD["birth_date"], "phone": ABROAD["phone"], "email": ABROAD["email"]}
        ),
    ]
    assert world.a.participant.iin in registered
    wrong: list[str] = []
    for (key, method, role, target), answer in extra_answers.items():
        for iin in set(TWELVE_DIGITS.findall(answer.raw)) & registered:
            wrong.append(f"{method} {key} as {role} ({target}) shows the full IIN {iin}")
        for whose, strings in identities.items():
            for text in strings:
                if text in answer.raw:
                    wrong.append(f"{method} {key} as {role} ({target}) shows {text!r} of {whose}")
        if role != "abroad":
            for text in abroad_strings:
                if text in answer.raw:
                    wrong.append(
                        f"{method} {key} as {role} ({target}) shows {text!r} of the participant "
                        "abroad"
                    )
    assert not wrong, "\n".join(sorted(set(wrong)))


# The pages of A's objects the participant abroad is part of (the event, the project and its
# groups, the school), and their own registry record.
ABROAD_KINDS = {
    "event",
    "event_material",
    "project",
    "lesson_study",
    "research",
    "organisation",
    "school",
}


@pytest.mark.slow  # builds the world and walks the participant abroad's pages as eight roles
@pytest.mark.django_db
def test_the_participant_abroad_s_document_is_shown_in_full_to_the_national_admin_only(
    extras: Extras,
) -> None:
    """ADR 0005: the document, like an IIN, is shown in full to national administrators (and
    to its holder, walked above); every other role of the eight sees it masked, and never the
    birth date or contacts."""
    from django.urls import reverse

    world = extras.world
    routes = [
        route
        for route in all_routes()
        if route.key in ACCESS and set(kinds_of(route).values()) & ABROAD_KINDS
    ]
    assert any(route.key == "networks:event_detail" for route in routes)
    person = extras.abroad_person_id
    pages, apis = clients_for(world)
    strings = [
        ABROAD["document_number"],
        *_identity_strings(
            {"birth_date": ABROAD["birth_date"], "phone": ABROAD["phone"], "email": ABROAD["email"]}
        ),
    ]
    wrong: list[str] = []
    seen_by_admin = False
    for role in ROLES:
        asked: list[tuple[str, Answer]] = [
            (
                "registry:person_detail",
                ask(
                    pages[role], "GET", reverse("registry:person_detail", args=[person]), api=False
                ),
            ),
            (
                "GET /api/people/{person_id}",
                ask(apis[role], "GET", f"/api/people/{person}", api=True),
            ),
        ]
        for route in routes:
            for method in ACCESS[route.key]:
                client = apis[role] if route.api else pages[role]
                url = url_for(route, world.a)
                asked.append((route.key, ask(client, method, url, api=route.api, key=route.key)))
        for key, answer in asked:
            if role == "admin":
                seen_by_admin |= ABROAD["document_number"] in answer.raw
                continue
            for text in strings:
                if text in answer.raw:
                    wrong.append(f"{key} as {role} shows {text!r} of the participant abroad")
    assert seen_by_admin, "the national administrator should see the document in full"
    assert not wrong, "\n".join(sorted(set(wrong)))
