"""The rules of projects and the bad inputs they refuse, with nothing written on a refusal."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from kaskad.core.errors import DomainError, PermissionDeniedError, StateConflict
from kaskad.projects.models import ArEntry, CasePupil, ResearchLesson, TeamMember
from kaskad.projects.services import (
    ar_comment_add,
    ar_entry_add,
    ar_entry_update,
    ar_publication_set,
    case_pupil_add,
    discussion_record,
    lesson_study_finish,
    lesson_study_start,
    research_lesson_add,
    school_join,
    team_carry_over,
    team_member_add,
)
from kaskad.projects.tests.factories import CONSENT, make_research, make_world, person_user
from kaskad.registry.tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_team_with_two_principals_refused() -> None:
    world = make_world()
    with pytest.raises(StateConflict) as caught:
        team_member_add(school=world.school, person=make_person(), role="principal", by=world.admin)
    assert caught.value.code == "two_principals"
    assert world.teachers[0].full_name in str(caught.value.message)
    assert world.school.team.count() == 4
    with transaction.atomic(), pytest.raises(IntegrityError):
        TeamMember.objects.create(school=world.school, person=make_person(), role="principal")


def test_school_twice_in_one_year_refused_but_next_year_keeps_the_old_team() -> None:
    world = make_world()
    with pytest.raises(StateConflict) as caught:
        school_join(
            project=world.project, organisation=world.school.organisation, year=2024, by=world.admin
        )
    assert caught.value.code == "school_twice"
    assert world.project.schools.count() == 1
    following = team_carry_over(school=world.school, year=2025, by=world.admin)
    team_member_add(school=following, person=make_person(), role="teacher", by=world.admin)
    assert following.team.count() == 5
    assert world.school.team.count() == 4  # the first year's team is kept as it was
    with pytest.raises(DomainError):
        school_join(
            project=world.project, organisation=world.school.organisation, year=2030, by=world.admin
        )


def test_group_of_three_to_six() -> None:
    world = make_world()
    with pytest.raises(DomainError) as caught:
        lesson_study_start(
            project=world.project,
            name="x",
            focus="f",
            research_question="q",
            members=world.teachers[:2],
            by=world.admin,
        )
    assert caught.value.code == "group_size"


def test_case_pupil_without_consent_refused() -> None:
    world = make_world()
    assert world.group is not None
    with pytest.raises(DomainError) as caught:
        case_pupil_add(
            group=world.group, code="A", attainment="high", consent_recorded_on=None, by=world.admin
        )
    assert caught.value.code == "no_consent"
    assert caught.value.field == "consent_recorded_on"
    assert not CasePupil.objects.exists()


def test_discussion_starts_from_the_case_pupils_and_finished_cycle_takes_no_lesson() -> None:
    world = make_world()
    group = world.group
    assert group is not None
    for code, level in zip("ABC", ("high", "middle", "low"), strict=True):
        case_pupil_add(
            group=group, code=code, attainment=level, consent_recorded_on=CONSENT, by=world.admin
        )
    lesson = research_lesson_add(
        group=group, taught_on=date(2024, 10, 1), plan="p", success_criteria="s", by=world.admin
    )
    with pytest.raises(DomainError) as caught:
        discussion_record(
            lesson=lesson,
            about_pupils={"A": "ok", "B": ""},
            discussion="general",
            changes_next="more models",
            by=world.admin,
        )
    assert caught.value.code == "pupils_first"
    assert "B, C" in str(caught.value.message)
    with pytest.raises(StateConflict):
        lesson_study_finish(group=group, by=world.admin)
    for day in (8, 15):
        research_lesson_add(
            group=group,
            taught_on=date(2024, 10, day),
            plan="p",
            success_criteria="s",
            by=world.admin,
        )
    lesson_study_finish(group=group, by=world.admin)
    with pytest.raises(StateConflict) as caught_finished:
        research_lesson_add(
            group=group, taught_on=date(2024, 11, 1), plan="p", success_criteria="s", by=world.admin
        )
    assert caught_finished.value.code == "cycle_finished"
    assert ResearchLesson.objects.filter(group=group).count() == 3


def test_mentor_comments_but_may_not_edit_a_team_entry() -> None:
    world = make_world()
    research = make_research(world)
    member = person_user(world.teachers[2])
    entry = ar_entry_add(
        research=research,
        step="reconnaissance",
        dated=date(2024, 10, 2),
        text="baseline",
        by=member,
    )
    assert world.mentor is not None
    mentor = person_user(world.mentor)
    with pytest.raises(PermissionDeniedError) as caught:
        ar_entry_update(entry=entry, text="mentor's version", by=mentor)
    assert caught.value.code == "mentors_comment"
    with pytest.raises(PermissionDeniedError):
        ar_entry_add(research=research, step="plan", dated=date(2024, 10, 3), text="x", by=mentor)
    entry.refresh_from_db()
    assert entry.text == "baseline"
    comment = ar_comment_add(entry=entry, text="Add the Grade 5 results", by=mentor)
    assert comment.author == world.mentor


def test_upload_that_is_not_a_document_refused() -> None:
    world = make_world()
    research = make_research(world)
    member = person_user(world.teachers[2])
    picture = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(DomainError) as caught:
        ar_entry_add(
            research=research,
            step="observe",
            dated=date(2024, 11, 2),
            text="data",
            attachment=picture,
            by=member,
        )
    assert caught.value.code == "not_a_document"
    assert "photo.png" in str(caught.value.message)
    page = SimpleUploadedFile("table.csv", b"<html><script>alert(1)</script></html>")
    with pytest.raises(DomainError):
        ar_entry_add(
            research=research,
            step="observe",
            dated=date(2024, 11, 2),
            text="d",
            attachment=page,
            by=member,
        )
    assert not ArEntry.objects.exists()
    table = SimpleUploadedFile("scores.csv", b"pupil;score\nA;7\nB;5\n")
    entry = ar_entry_add(
        research=research,
        step="observe",
        dated=date(2024, 11, 2),
        text="d",
        attachment=table,
        by=member,
    )
    assert str(entry.attachment.name).endswith(".csv")


def test_publication_only_with_consent() -> None:
    world = make_world()
    research = make_research(world)
    with pytest.raises(DomainError):
        ar_publication_set(research=research, consent=False, ready=True, by=world.admin)
    research.refresh_from_db()
    assert not research.ready_to_publish
    ar_publication_set(research=research, consent=True, ready=True, by=world.admin)
    assert research.ready_to_publish
