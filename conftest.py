"""Suite-wide test set-up."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser journeys and the transactional tests slow; give every transactional
    test a serialized rollback.

    Both kinds commit to the database and restore it afterwards (seconds each), so a fast run
    (`-m "not slow"`) leaves them out.

    A transactional test ends by emptying the database, which also removes the reference data
    the migrations load (areas, branches, programme areas). With a serialized rollback the
    next such test starts from the migrated state again; mixing the two kinds breaks it
    (a plain flush recreates content types that the restore then inserts a second time).
    """
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.slow)
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction"):
            continue
        item.add_marker(pytest.mark.slow)
        if marker.kwargs.get("serialized_rollback"):
            continue
        item.add_marker(
            pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False
        )


@pytest.fixture(autouse=True)
def _own_plagiarism_index(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each test gets an empty plagiarism index of its own: parallel workers never share one."""
    settings.KASKAD_PLAGIARISM_INDEX = tmp_path / "plagiarism-index"
