"""A project's manager adds schools they may see in the registry: a school of another branch
answers like a code nobody has, byte for byte, and is not added."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from kaskad.projects.models import ProjectSchool
from kaskad.projects.tests.factories import coordinator, make_world
from kaskad.registry.tests.factories import area_of, make_organisation

pytestmark = pytest.mark.django_db

CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*')


def test_a_school_of_another_branch_looks_like_an_unknown_code() -> None:
    world = make_world()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(coordinator("AST"))
    url = f"/projects/{world.project.code}/"
    foreign = make_organisation(area=area_of("ALA"))
    before = ProjectSchool.objects.count()

    def post(value: str) -> tuple[int, bytes]:
        response = client.post(
            url, {"action": "school", "school-organisation": value, "school-year": 2025}
        )
        body = response.content.replace(value.encode(), b"V")
        return response.status_code, CSRF.sub(rb"\1", body)

    assert post(str(foreign.code)) == post("NO-SUCH-CODE")
    assert post(str(foreign.bin)) == post("999999999999")
    assert post(str(foreign.code))[0] == 400
    assert foreign.name.encode() not in post(str(foreign.code))[1]
    assert ProjectSchool.objects.count() == before
    own = make_organisation(area=area_of("AST"))
    assert post(str(own.code))[0] == 302
    assert ProjectSchool.objects.filter(project=world.project, organisation=own).exists()
