"""A finished team's Action Research report goes to the library's collection with the authors'
consent, through the library's services; withdrawing the consent takes it down."""

from __future__ import annotations

import pytest
from django.test import Client

from kaskad.core.errors import DomainError, PermissionDeniedError, StateConflict
from kaskad.library.models import Material
from kaskad.projects.services import action_research_finish, ar_publication_set, ar_publish
from kaskad.projects.tests.factories import make_research, make_world, person_user

pytestmark = pytest.mark.django_db


def test_published_with_consent_and_taken_down_when_consent_is_withdrawn() -> None:
    world = make_world()
    research = make_research(world)
    author = person_user(world.teachers[0])
    action_research_finish(research=research, by=world.admin)
    ar_publication_set(research=research, consent=True, ready=True, by=author)
    material = ar_publish(research=research, by=world.admin)
    assert material.status == "published"
    assert material.type == "recommendation"
    assert material.project == str(world.project.name)
    assert {p.pk for p in world.teachers} <= set(
        material.authors.values_list("person_id", flat=True)
    )
    research.refresh_from_db()
    assert research.library_material == material
    with pytest.raises(StateConflict):
        ar_publish(research=research, by=world.admin)
    ar_publication_set(research=research, consent=False, ready=False, by=author)
    material.refresh_from_db()
    assert material.status == "withdrawn"


def test_not_published_without_consent_unfinished_or_by_a_non_editor() -> None:
    world = make_world()
    research = make_research(world)
    ar_publication_set(research=research, consent=True, ready=True, by=world.admin)
    with pytest.raises(StateConflict):
        ar_publish(research=research, by=world.admin)
    action_research_finish(research=research, by=world.admin)
    with pytest.raises(PermissionDeniedError):
        ar_publish(research=research, by=person_user(world.teachers[0]))
    ar_publication_set(research=research, consent=False, ready=False, by=world.admin)
    with pytest.raises(DomainError):
        ar_publish(research=research, by=world.admin)
    assert not Material.objects.exists()


def test_publish_from_the_page() -> None:
    world = make_world()
    research = make_research(world)
    action_research_finish(research=research, by=world.admin)
    ar_publication_set(research=research, consent=True, ready=True, by=world.admin)
    client = Client()
    client.force_login(world.admin)
    url = f"/projects/action-research/{research.pk}/"
    assert "Publish to the collection" in client.get(url).content.decode()
    assert client.post(url, {"action": "publish"}).status_code == 302
    assert Material.objects.get().status == "published"
    assert "Published in the collection" in client.get(url).content.decode()
