"""The overdue check runs on its own: the maintenance pass queues it, the real worker
(`manage.py db_worker --batch`) runs it, and each request is notified once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import Notification
from kaskad.networks.models import SupportRequest
from kaskad.networks.support_requests import request_file, requests_overdue_sweep
from kaskad.networks.tasks import notify_overdue_requests
from kaskad.networks.tests.factories import make_network
from kaskad.networks.years import academic_year
from kaskad.registry.tests.factories import branch, make_person

# The worker commits and closes connections like the real one: a transactional test, with
# the reference areas and branches restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TASK = notify_overdue_requests.module_path


def run_worker() -> str:
    out = io.StringIO()
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out, stderr=out
    )
    return out.getvalue()


def _overdue_request() -> tuple[SupportRequest, User]:
    _leading, partners = make_network(year=academic_year(), partners=1)
    teacher = make_user(roles=[(Role.TEACHER, None)], person=make_person(organisation=partners[0]))
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    request = request_file(by=teacher, topic="planning", text="Help")
    SupportRequest.objects.filter(pk=request.pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    return request, coordinator


def test_the_maintenance_pass_queues_the_check_and_the_worker_notifies_once() -> None:
    request, coordinator = _overdue_request()

    call_command("jobs_maintain", stdout=io.StringIO())  # the scheduled pass
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    call_command("jobs_maintain", stdout=io.StringIO())  # not run yet: not queued twice
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1

    run_worker()

    task = DBTaskResult.objects.get(task_path=TASK)
    assert task.status == "SUCCESSFUL" and task.return_value == {"notified": 1}
    request.refresh_from_db()
    assert request.overdue_notified_at is not None
    assert Notification.objects.filter(recipient=coordinator).count() == 1

    # Notified: the next passes find nothing overdue and queue nothing.
    call_command("jobs_maintain", stdout=io.StringIO())
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1


def test_the_check_run_twice_notifies_once() -> None:
    _request, coordinator = _overdue_request()
    notify_overdue_requests.enqueue()
    notify_overdue_requests.enqueue()

    run_worker()

    returned = sorted(
        t.return_value["notified"] for t in DBTaskResult.objects.filter(task_path=TASK)
    )
    assert returned == [0, 1]
    assert Notification.objects.filter(recipient=coordinator).count() == 1


def test_nothing_overdue_queues_nothing_in_one_query(django_assert_num_queries) -> None:
    _leading, partners = make_network(year=academic_year(), partners=1)
    teacher = make_user(roles=[(Role.TEACHER, None)], person=make_person(organisation=partners[0]))
    request_file(by=teacher, topic="planning", text="Help")  # due later, not overdue

    with django_assert_num_queries(1):
        assert requests_overdue_sweep() is False
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()


def test_the_command_stays_for_manual_use() -> None:
    _request, coordinator = _overdue_request()
    out = io.StringIO()
    call_command("requests_overdue", stdout=out)
    assert "1 overdue requests notified." in out.getvalue()
    assert Notification.objects.filter(recipient=coordinator).count() == 1
