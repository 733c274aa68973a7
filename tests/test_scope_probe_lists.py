"""List pages and search results show no row the user may not open (ADR 0002).

tests/test_route_access.py and tests/test_route_access_roles.py ask every route with an object
id as every user; the pages without one (the lists, the searches, the reports) are walked here,
for the rows they show. Every link a list page of the newer apps (networks, observations,
projects, monitoring, surveys, online courses, library) holds to a page of one object must lead
to a page that user may open: a link to a 404 is a row of another branch, school or course that
leaked into the list. The same world serves (branches A and B), walked as the eight roles and
as the users who came later (monitoring officer, library editor, e-mail learner, no role,
participant abroad).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.test_route_access import World, world
from tests.test_route_access_roles import Extras, extras

__all__ = ["extras", "world"]

LIST_PAGES = (
    "networks:network",
    "networks:event_list",
    "networks:request_list",
    "networks:reports",
    "observations:list",
    "observations:change_index",
    "observations:agreement",
    "observations:instrument_list",
    "projects:list",
    "projects:report",
    "monitoring:index",
    "monitoring:form_list",
    "surveys:list",
    "learning:home",
    "library:search",
    "library:queue",
    "library:mine",
    "library:publications",
)
# The list pages again, with a query: the search and the filters.
QUERIES = {
    "library:search": "?q=lesson",
    "networks:event_list": "?year=0",
    "networks:request_list": "?queue=",
}
NAMESPACES = {
    "networks",
    "observations",
    "projects",
    "monitoring",
    "surveys",
    "learning",
    "library",
}
HREF = re.compile(r'href="(/[^"#?]*)')


def _clients(world: World, extra: Extras) -> dict[str, Client]:
    clients: dict[str, Client] = {}
    for role, user in {**world.users, **extra.users}.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


def _object_links(body: str) -> set[str]:
    """The links of a page to pages of one object of the newer apps."""
    found = set()
    for path in HREF.findall(body):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.namespace in NAMESPACES and match.kwargs:
            found.add(path)
    return found


def _get(client: Client, url: str) -> Any:
    client.cookies.pop("messages", None)
    with transaction.atomic():
        response = client.get(url)
        transaction.set_rollback(True)
    return response


@pytest.mark.slow  # builds the route walk's world and opens every list as thirteen users
@pytest.mark.django_db
def test_every_row_of_a_list_page_links_to_an_object_the_user_may_open(
    world: World, extras: Extras
) -> None:
    wrong: list[str] = []
    seen_links = 0
    for role, client in _clients(world, extras).items():
        for name in LIST_PAGES:
            for query in ("", QUERIES.get(name, "")):
                url = reverse(name) + query
                response = _get(client, url)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                for link in sorted(_object_links(response.content.decode())):
                    seen_links += 1
                    target = _get(client, link)
                    if target.status_code == 404:
                        wrong.append(f"{url} as {role} lists {link}, which answers 404")
    assert seen_links, "the walk followed no link: the list pages show nothing"
    assert not wrong, "\n".join(sorted(set(wrong)))
