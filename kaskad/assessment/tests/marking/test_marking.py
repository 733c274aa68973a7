"""Marking: criterion by criterion with required comments, double marking (random sample and
every provisional unsatisfactory), agreement, moderation; the pages and the API; scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaskad.assessment.marking.services import (
    COMMENT_MAX,
    MarksInvalid,
    assignment_mark,
    assignment_save_draft,
    in_sample,
)
from kaskad.assessment.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    CriterionMark,
    EventKind,
    PortfolioEvent,
    PortfolioStatus,
)
from kaskad.assessment.tests.factories import (
    GOOD,
    SATISFACTORY,
    UNSATISFACTORY,
    give_task,
    live,
    marking_world,
    marks_for,
    need,
    user_of,
)
from kaskad.core.errors import DomainError, NotFoundError
from kaskad.delivery.tests.factories import coordinator_of, national_admin

pytestmark = pytest.mark.django_db


def mark(assignment: Assignment, levels: list[int], comment: str = "Well argued overall."):
    return assignment_mark(
        assignment=assignment,
        marks=marks_for(assignment.portfolio.rubric, levels),
        comment=comment,
        by=user_of(assignment),
    )


def kinds(portfolio) -> list[str]:
    return list(portfolio.events.order_by("at", "id").values_list("kind", flat=True))


# --- Double marking -----------------------------------------------------------------------------


def test_sample_at_0_percent_first_rating_stands():
    world = marking_world(percent=0)
    first = give_task(world.portfolio, world.assessors[0])
    marked = mark(first, GOOD)
    assert marked.status == AssignmentStatus.MARKED and marked.rating == "good"
    assert marked.marked_at is not None and marked.comment == "Well argued overall."
    assert CriterionMark.objects.filter(assignment=first).count() == 4
    world.portfolio.refresh_from_db()
    assert world.portfolio.rating == "good"
    assert world.portfolio.status == PortfolioStatus.CERTIFIED
    assert live(world.portfolio, AssignmentRole.SECOND) is None
    assert kinds(world.portfolio) == [EventKind.MARKED, EventKind.CERTIFIED, EventKind.RELEASED]
    event = world.portfolio.events.get(kind=EventKind.MARKED)
    assert event.actor == user_of(first) and event.data["rating"] == "good"


def test_sample_at_100_percent_every_portfolio_gets_a_second_marker():
    world = marking_world(percent=100)
    first = give_task(world.portfolio, world.assessors[0])
    mark(first, SATISFACTORY)
    world.portfolio.refresh_from_db()
    assert world.portfolio.status == PortfolioStatus.IN_ASSESSMENT
    assert world.portfolio.released_at is None
    second = need(world.portfolio, AssignmentRole.SECOND)
    assert second is not None and second.status == AssignmentStatus.ALLOCATED
    assert second.assessor_id != first.assessor_id
    event = world.portfolio.events.get(kind=EventKind.SECOND_MARKING)
    assert event.reason == "random sample" and event.data["sampled"] is True


def test_every_provisional_unsatisfactory_is_double_marked_even_at_0_percent():
    world = marking_world(percent=0)
    first = give_task(world.portfolio, world.assessors[0])
    mark(first, UNSATISFACTORY)
    world.portfolio.refresh_from_db()
    assert world.portfolio.status == PortfolioStatus.IN_ASSESSMENT
    second = need(world.portfolio, AssignmentRole.SECOND)
    assert second is not None and second.assessor_id != first.assessor_id
    assert world.portfolio.events.get(kind=EventKind.SECOND_MARKING).data["unsatisfactory"]


def test_in_sample_draws_about_the_stated_share():
    assert not any(in_sample(0) for _ in range(200))
    assert all(in_sample(100) for _ in range(200))
    hits = sum(in_sample(10) for _ in range(4000))
    assert 250 < hits < 550


def test_agreement_settles_the_rating():
    world = marking_world(percent=100)
    first = give_task(world.portfolio, world.assessors[0])
    mark(first, UNSATISFACTORY)
    second = need(world.portfolio, AssignmentRole.SECOND)
    mark(second, [1, 1, 2, 2])
    world.portfolio.refresh_from_db()
    settled = world.portfolio.events.get(kind=EventKind.NOT_CERTIFIED)
    assert settled.data["rating"] == "unsatisfactory" and settled.attempt == 1
    assert EventKind.MODERATION not in kinds(world.portfolio)
    # Not certified at the first attempt: the re-evaluation is open.
    assert world.portfolio.status == PortfolioStatus.RESUBMISSION
    assert world.portfolio.attempt == 2
    assert live(world.portfolio, AssignmentRole.MODERATION, attempt=1) is None


def test_disagreement_goes_to_a_moderator_who_decides():
    world = marking_world(percent=100)
    first = give_task(world.portfolio, world.assessors[0])
    mark(first, UNSATISFACTORY)
    second = need(world.portfolio, AssignmentRole.SECOND)
    mark(second, SATISFACTORY)
    world.portfolio.refresh_from_db()
    assert world.portfolio.status == PortfolioStatus.MODERATION
    assert world.portfolio.released_at is None
    moderation = need(world.portfolio, AssignmentRole.MODERATION)
    assert moderation is not None
    moderator_ids = {p.pk for p, _u in world.moderators}
    assert moderation.assessor_id in moderator_ids
    assert moderation.assessor_id not in (first.assessor_id, second.assessor_id)
    assert world.portfolio.events.get(kind=EventKind.MODERATION).data["ratings"] == [
        "unsatisfactory",
        "satisfactory",
    ]
    mark(moderation, GOOD)
    world.portfolio.refresh_from_db()
    assert world.portfolio.rating == "good"
    assert world.portfolio.status == PortfolioStatus.CERTIFIED
    assert EventKind.MODERATED in kinds(world.portfolio)
    world.portfolio.enrolment.refresh_from_db()
    assert world.portfolio.enrolment.assessment_passed is True


def test_no_eligible_second_marker_leaves_the_portfolio_waiting():
    world = marking_world(percent=100, assessors=1, moderators=0)
    first = give_task(world.portfolio, world.assessors[0])
    mark(first, SATISFACTORY)
    world.portfolio.refresh_from_db()
    assert world.portfolio.status == PortfolioStatus.IN_ASSESSMENT
    assert live(world.portfolio, AssignmentRole.SECOND) is None


# --- Bad input: clear messages, nothing written ---------------------------------------------------


def _nothing_written(world, assignment):
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ALLOCATED
    assert not CriterionMark.objects.filter(assignment=assignment).exists()
    assert not PortfolioEvent.objects.filter(portfolio=world.portfolio).exists()


def test_comment_is_required_on_every_criterion():
    world = marking_world()
    task = give_task(world.portfolio, world.assessors[0])
    marks = marks_for(world.rubric, SATISFACTORY)
    criterion = world.rubric.criteria.get(order=3)
    marks[criterion.pk] = (2, "   ")
    with pytest.raises(MarksInvalid) as error:
        assignment_mark(assignment=task, marks=marks, comment="ok", by=user_of(task))
    assert error.value.errors == {
        f"criterion-{criterion.pk}": f"Write a comment on “{criterion.title}”."
    }
    _nothing_written(world, task)


def test_every_criterion_needs_a_level_in_range_and_an_overall_comment():
    world = marking_world()
    task = give_task(world.portfolio, world.assessors[0])
    criteria = list(world.rubric.criteria.order_by("order"))
    marks = marks_for(world.rubric, SATISFACTORY)
    del marks[criteria[0].pk]  # not marked
    marks[criteria[1].pk] = (4, "too high")  # above max_level 3
    marks[criteria[2].pk] = (0, "too low")
    marks[criteria[3].pk] = ("x", "not a number")
    marks[999999] = (2, "not in this rubric")
    with pytest.raises(MarksInvalid) as error:
        assignment_mark(assignment=task, marks=marks, comment="", by=user_of(task))
    errors = {k: str(v) for k, v in error.value.errors.items()}
    assert errors[f"criterion-{criteria[0].pk}"] == f"Choose a level for “{criteria[0].title}”."
    assert errors[f"criterion-{criteria[1].pk}"] == (
        f"The level for “{criteria[1].title}” must be from 1 to 3."
    )
    assert f"criterion-{criteria[2].pk}" in errors
    assert f"criterion-{criteria[3].pk}" in errors
    assert "999999" in errors["marks"]
    assert errors["comment"] == "Write an overall comment."
    _nothing_written(world, task)


def test_only_the_assigned_assessor_may_mark():
    world = marking_world()
    task = give_task(world.portfolio, world.assessors[0])
    for someone in (world.assessors[1][1], national_admin(), world.moderators[0][1]):
        with pytest.raises(NotFoundError):
            assignment_mark(
                assignment=task,
                marks=marks_for(world.rubric, SATISFACTORY),
                comment="ok",
                by=someone,
            )
    _nothing_written(world, task)


def test_marked_and_withdrawn_tasks_cannot_be_marked():
    world = marking_world(percent=100)
    task = give_task(world.portfolio, world.assessors[0])
    mark(task, SATISFACTORY)
    with pytest.raises(DomainError) as error:
        mark(task, GOOD)
    assert error.value.code == "assignment_already_marked"
    second = need(world.portfolio, AssignmentRole.SECOND)
    Assignment.objects.filter(pk=second.pk).update(status=AssignmentStatus.WITHDRAWN)
    with pytest.raises(NotFoundError):
        mark(second, GOOD)


# --- Pages --------------------------------------------------------------------------------------


def _post(
    levels: dict[int, int], comments: dict[int, str], overall: str, *, final: bool = True
) -> dict[str, str]:
    data = {"comment": overall}
    if final:
        data["confirm_final"] = "yes"
    for cid, level in levels.items():
        data[f"level-{cid}"] = str(level)
    for cid, text in comments.items():
        data[f"comment-{cid}"] = text
    return data


def test_queue_and_marking_page(client):
    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    client.force_login(world.assessors[0][1])
    page = client.get(reverse("assessment:marking_queue"))
    assert page.status_code == 200
    assert f"P-{world.portfolio.pk}" in page.content.decode()
    page = client.get(reverse("assessment:marking_task", args=[task.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "does not meet the standard" in body  # level descriptors
    assert 'type="radio"' in body
    assert "Portfolio 1" in body or "fractions" in body  # the extracted text


def test_the_plagiarism_report_is_linked_once_the_check_has_finished(client):
    world = marking_world(percent=0, plagiarism_status="pending")
    task = give_task(world.portfolio, world.assessors[0])
    client.force_login(world.assessors[0][1])
    url = reverse("assessment:marking_task", args=[task.pk])
    report = reverse("plagiarism:portfolio_report", args=[world.portfolio.pk])
    assert report not in client.get(url).content.decode()  # no report yet: no dead link
    world.portfolio.plagiarism_status = "clear"
    world.portfolio.save(update_fields=["plagiarism_status"])
    assert report in client.get(url).content.decode()


def test_marking_page_reshows_what_was_typed_on_errors(client):
    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    client.force_login(world.assessors[0][1])
    criteria = list(world.rubric.criteria.order_by("order"))
    levels = {c.pk: 2 for c in criteria}
    comments = {c.pk: f"typed comment {c.order}" for c in criteria}
    comments[criteria[1].pk] = ""
    url = reverse("assessment:marking_task", args=[task.pk])
    response = client.post(url, _post(levels, comments, "my overall words"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "typed comment 1" in body and "typed comment 4" in body
    assert "my overall words" in body
    assert f"Write a comment on “{criteria[1].title}”." in body
    assert body.count("checked") >= 4
    _nothing_written(world, task)
    comments[criteria[1].pk] = "now filled"
    response = client.post(url, _post(levels, comments, "my overall words"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == AssignmentStatus.MARKED and task.rating == "satisfactory"
    # Read-only afterwards, still reachable by its assessor.
    page = client.get(url)
    assert page.status_code == 200 and "now filled" in page.content.decode()


def test_pages_404_for_an_assessor_not_assigned(client):
    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    file = world.portfolio.files.get()
    urls = [
        reverse("assessment:marking_task", args=[task.pk]),
        reverse("assessment:moderation_task", args=[task.pk]),
        reverse("assessment:marking_file", args=[task.pk, file.pk]),
    ]
    client.force_login(world.assessors[1][1])
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(urls[0], {"comment": "x"}).status_code == 404
    # Withdrawn from the assessor: gone for them too.
    client.force_login(world.assessors[0][1])
    assert client.get(urls[0]).status_code == 200
    Assignment.objects.filter(pk=task.pk).update(status=AssignmentStatus.WITHDRAWN)
    for url in urls:
        assert client.get(url).status_code == 404
    assert (
        f"P-{world.portfolio.pk}"
        not in client.get(reverse("assessment:marking_queue")).content.decode()
    )


def test_second_marker_does_not_see_the_first_marking(client):
    world = marking_world(percent=100)
    first = give_task(world.portfolio, world.assessors[0])
    mark(first, SATISFACTORY, comment="FIRST-MARKER-OVERALL")
    second = need(world.portfolio, AssignmentRole.SECOND)
    client.force_login(user_of(second))
    body = client.get(reverse("assessment:marking_task", args=[second.pk])).content.decode()
    assert "FIRST-MARKER-OVERALL" not in body and "Clear evidence." not in body
    assert "Assessor A" not in body
    assert "checked" not in body  # nothing pre-selected from the first marking


def test_moderator_sees_both_markings_anonymously(client):
    world = marking_world(percent=100)
    first = give_task(world.portfolio, world.assessors[0])
    mark(first, UNSATISFACTORY, comment="FIRST-OVERALL")
    second = need(world.portfolio, AssignmentRole.SECOND)
    mark(second, GOOD, comment="SECOND-OVERALL")
    moderation = need(world.portfolio, AssignmentRole.MODERATION)
    moderator = user_of(moderation)
    client.force_login(moderator)
    queue = client.get(reverse("assessment:moderation_queue")).content.decode()
    assert f"P-{world.portfolio.pk}" in queue
    url = reverse("assessment:moderation_task", args=[moderation.pk])
    body = client.get(url).content.decode()
    assert "Assessor A" in body and "Assessor B" in body
    assert "FIRST-OVERALL" in body and "SECOND-OVERALL" in body
    for person in (first.assessor, second.assessor):
        assert person.surname not in body and person.iin not in body
    # A first marker cannot open the moderation page nor the moderation queue's tasks.
    client.force_login(user_of(first))
    assert client.get(url).status_code == 404
    # The moderator decides through the page.
    client.force_login(moderator)
    criteria = list(world.rubric.criteria.order_by("order"))
    response = client.post(
        url,
        _post({c.pk: 2 for c in criteria}, {c.pk: "ok" for c in criteria}, "decided"),
    )
    assert response.status_code == 302
    world.portfolio.refresh_from_db()
    assert world.portfolio.status == PortfolioStatus.CERTIFIED
    assert world.portfolio.rating == "satisfactory"


def test_queues_need_the_role(client):
    world = marking_world()
    client.force_login(coordinator_of("ALA"))
    assert client.get(reverse("assessment:marking_queue")).status_code == 404
    assert client.get(reverse("assessment:moderation_queue")).status_code == 404
    client.force_login(world.assessors[0][1])
    assert client.get(reverse("assessment:moderation_queue")).status_code == 404


def test_staff_history(client):
    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    mark(task, GOOD, comment="history overall")
    url = reverse("assessment:history_detail", args=[world.portfolio.pk])
    for user in (national_admin(), coordinator_of(world.portfolio.branch.code)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert world.assessors[0][0].surname in body  # staff see who marked
        assert "history overall" in body and "Certified" in body
        listing = client.get(reverse("assessment:history_list"), {"q": f"P-{world.portfolio.pk}"})
        assert f"P-{world.portfolio.pk}" in listing.content.decode()
    for user in (coordinator_of("AST"), world.assessors[0][1]):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(world.assessors[0][1])
    assert client.get(reverse("assessment:history_list")).status_code == 404


# --- API ----------------------------------------------------------------------------------------


def test_api_queue_task_and_marks(client):
    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    client.force_login(world.assessors[0][1])
    queue = client.get("/api/assessment/tasks").json()
    assert [t["code"] for t in queue] == [f"P-{world.portfolio.pk}"]
    detail = client.get(f"/api/assessment/tasks/{task.pk}").json()
    assert len(detail["criteria"]) == 4 and detail["files"][0]["name"].startswith("P-")
    criteria = list(world.rubric.criteria.order_by("order"))
    bad = {"marks": [{"criterion_id": c.pk, "level": 2, "comment": ""} for c in criteria]}
    response = client.post(
        f"/api/assessment/tasks/{task.pk}/marks", bad, content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "marks_invalid" and len(error["details"]) == 5
    _nothing_written(world, task)
    good = {
        "marks": [{"criterion_id": c.pk, "level": 3, "comment": "fine"} for c in criteria],
        "comment": "all good",
    }
    response = client.post(
        f"/api/assessment/tasks/{task.pk}/marks", good, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "marked" and response.json()["rating"] == "good"
    again = client.post(
        f"/api/assessment/tasks/{task.pk}/marks", good, content_type="application/json"
    )
    assert again.status_code == 409


def test_api_404_for_someone_else(client):
    world = marking_world()
    task = give_task(world.portfolio, world.assessors[0])
    client.force_login(world.assessors[1][1])
    assert client.get("/api/assessment/tasks").json() == []
    assert client.get(f"/api/assessment/tasks/{task.pk}").status_code == 404
    response = client.post(
        f"/api/assessment/tasks/{task.pk}/marks",
        {"marks": [], "comment": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_a_draft_is_kept_and_shown_again_without_deciding_anything(client):
    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    client.force_login(world.assessors[0][1])
    criteria = list(world.rubric.criteria.order_by("order"))
    url = reverse("assessment:marking_task", args=[task.pk])
    data = _post({criteria[0].pk: 3}, {criteria[0].pk: "half-way thoughts"}, "", final=False)
    response = client.post(url, {**data, "action": "draft"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == AssignmentStatus.ALLOCATED and task.draft_saved_at is not None
    _nothing_written(world, task)
    page = client.get(url)
    body = page.content.decode()
    assert "half-way thoughts" in body
    assert "These marks are not final yet" in body
    assert body.count("checked") == 1
    assert any("Draft saved at" in str(m) for m in page.context["messages"])


@pytest.mark.parametrize("level", ["99999999999999999999", "-1", "0", "abc"])
def test_a_draft_level_outside_the_rubric_is_refused_naming_the_criterion(client, level):
    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    assessor = world.assessors[0][1]
    criteria = list(world.rubric.criteria.order_by("order"))
    marks = {criteria[0].pk: (2, "fine so far"), criteria[1].pk: (level, "too much")}
    with pytest.raises(MarksInvalid) as refused:
        assignment_save_draft(assignment=task, marks=marks, comment="", by=assessor)
    field = f"criterion-{criteria[1].pk}"
    assert list(refused.value.errors) == [field]
    assert refused.value.field == field
    assert criteria[1].title in str(refused.value.message)
    assert f"from 1 to {world.rubric.max_level}" in str(refused.value.message)
    task.refresh_from_db()
    assert task.draft_saved_at is None and not task.draft  # nothing partially written

    client.force_login(assessor)
    url = reverse("assessment:marking_task", args=[task.pk])
    data = _post({criteria[1].pk: level}, {}, "", final=False)
    response = client.post(url, {**data, "action": "draft"}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any(criteria[1].title in m and "must be from 1 to" in m for m in shown)
    task.refresh_from_db()
    assert task.draft_saved_at is None


def test_a_draft_keeps_empty_levels_and_rubric_levels_and_cuts_long_comments():
    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    criteria = list(world.rubric.criteria.order_by("order"))
    top = world.rubric.max_level
    marks = {
        criteria[0].pk: ("", "only a thought"),
        criteria[1].pk: (str(top), "x" * (COMMENT_MAX + 50)),
        criteria[2].pk: (None, ""),
    }
    saved = assignment_save_draft(
        assignment=task, marks=marks, comment="", by=world.assessors[0][1]
    )
    drafted = saved.draft["marks"]
    assert drafted[str(criteria[0].pk)] == [None, "only a thought"]
    assert drafted[str(criteria[1].pk)] == [top, "x" * COMMENT_MAX]
    assert str(criteria[2].pk) not in drafted
    with pytest.raises(MarksInvalid) as refused:
        assignment_save_draft(
            assignment=task, marks={987654: (1, "")}, comment="", by=world.assessors[0][1]
        )
    assert "not in this rubric: 987654" in str(refused.value.message)


def test_the_final_save_needs_a_ticked_confirmation_and_lists_errors_at_the_top(client):
    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    client.force_login(world.assessors[0][1])
    criteria = list(world.rubric.criteria.order_by("order"))
    url = reverse("assessment:marking_task", args=[task.pk])
    levels = {c.pk: 3 for c in criteria}
    comments = {c.pk: "fine" for c in criteria}
    unconfirmed = client.post(url, _post(levels, comments, "all good", final=False))
    assert unconfirmed.status_code == 400
    assert "cannot be changed after saving" in unconfirmed.content.decode()
    _nothing_written(world, task)
    comments[criteria[2].pk] = ""
    refused = client.post(url, _post(levels, comments, ""))
    body = refused.content.decode()
    summary = body.index('id="error-summary"')
    assert summary < body.index('id="files-heading"')  # at the top, before the portfolio
    assert f'href="#criterion-{criteria[2].pk}"' in body[summary:]
    assert 'href="#overall-comment"' in body[summary:]
    assert "2 problems to fix" in body
    # Without the confirmation too: every problem is listed at once, not one by one.
    everything = client.post(url, _post(levels, comments, "", final=False)).content.decode()
    assert "3 problems to fix" in everything
    assert 'href="#confirm-final"' in everything


def test_the_programme_title_is_in_the_reader_s_language():
    from django.utils import translation

    from kaskad.assessment.marking import selectors as marking_selectors

    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    version = world.rubric.version
    version.title_kk, version.title_ru, version.title_en = (  # type: ignore[attr-defined]
        "Тиімді оқыту",
        "Эффективное обучение",
        "Effective learning",
    )
    version.save()
    user = world.assessors[0][1]
    for language, title in (("ru", "Эффективное обучение"), ("kk", "Тиімді оқыту")):
        with translation.override(language):
            assert (
                marking_selectors.task_for_assessor(user=user, pk=task.pk).programme_title == title
            )
            rows = marking_selectors.assessor_queue(user=user)
            assert [r.programme_title for r in rows] == [title]
    version.title_ru = ""  # type: ignore[attr-defined]
    version.save()
    with translation.override("ru"):  # no Russian title: the Kazakh one, not an empty line
        shown = marking_selectors.task_for_assessor(user=user, pk=task.pk)
        assert (shown.programme_title, shown.programme_title_language) == ("Тиімді оқыту", "kk")
    # ... and the page says so.
    from django.test import Client

    client = Client()
    user.language = "ru"
    user.save(update_fields=["language"])
    client.force_login(user)
    page = client.get(reverse("assessment:marking_task", args=[task.pk])).content.decode()
    assert '<span lang="kk">Тиімді оқыту</span>' in page and "Қазақ" in page
