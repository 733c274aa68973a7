"""The navigation of the base layout."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    """Assertions below read English text; the site's default language is Kazakh."""
    settings.LANGUAGE_CODE = "en"


@override_settings(ROOT_URLCONF="kaskad.web.tests.urls_without_imports")
def test_a_missing_route_leaves_its_link_out_instead_of_breaking_pages(client: Client) -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    client.force_login(coordinator)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    labels = [str(item.label) for item in response.context["nav_items"]]
    assert "People" in labels
    assert "Imports" not in labels


def test_the_current_page_is_marked(client: Client) -> None:
    client.force_login(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    response = client.get(reverse("registry:organisation_list"))
    current = [item for item in response.context["nav_items"] if item.current]
    assert [item.url for item in current] == [reverse("registry:organisation_list")]
    assert 'aria-current="page">Organisations<' in response.content.decode()


def test_staff_see_the_administration_link(client: Client) -> None:
    client.force_login(make_user(is_staff=True))
    urls = [item.url for item in client.get(reverse("home")).context["nav_items"]]
    assert reverse("admin:index") in urls


def test_others_do_not(client: Client) -> None:
    client.force_login(make_user(roles=[(Role.ANALYST, None)]))
    urls = [item.url for item in client.get(reverse("home")).context["nav_items"]]
    assert reverse("admin:index") not in urls


def test_anonymous_visitors_get_no_menu_but_a_sign_in_link(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.context["nav_items"] == []
    assert b"mainnav" not in response.content


def test_the_user_menu_signs_out_with_a_post_form(client: Client) -> None:
    client.force_login(make_user())
    html = client.get(reverse("home")).content.decode()
    logout = reverse("accounts:logout")
    assert f'<form method="post" action="{logout}">' in html
