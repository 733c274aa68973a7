"""The audit trail and jobs in the Django admin are for reading only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kaskad.core.models import AuditEntry, Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.kz", "x-long-pass-1")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["auditentry", "job"])
def test_list_and_detail_open_but_nothing_can_change(admin_client: Client, model: str) -> None:
    obj: AuditEntry | Job
    if model == "auditentry":
        obj = AuditEntry.objects.create(action="create", object_type="x.y", object_id="1")
    else:
        obj = Job.objects.create(kind="registry_import", title="t")
    assert admin_client.get(reverse(f"admin:core_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:core_{model}_change", args=[obj.pk])).status_code == 200
    assert admin_client.get(reverse(f"admin:core_{model}_add")).status_code == 403
    assert admin_client.get(reverse(f"admin:core_{model}_delete", args=[obj.pk])).status_code == 403
    response = admin_client.post(reverse(f"admin:core_{model}_change", args=[obj.pk]), {})
    assert response.status_code == 403
