"""Where the fingerprint index lives and how it is opened: one writer at a time.

The index (`kaskad.plagiarism.engine.Index`) is a file structure under
``settings.KASKAD_PLAGIARISM_INDEX`` (default ``MEDIA_ROOT/plagiarism-index``; MEDIA_ROOT is
never served as is, and it is what operations back up). Every process that adds to it — the
worker checking a submitted portfolio, a bulk re-check, a management command — takes an
exclusive ``fcntl`` lock on a file beside it for the whole open → add → save, so two writers
never lose each other's additions. Readers that need a source's text read it from the
database instead (the portfolio's frozen files), so report pages never wait for the lock.

Document ids: ``portfolio:<portfolio id>:<attempt>``; group ``person:<person id>``, so the
attempts of one participant never match each other. Programme templates are added under
``template:<template id>:<hash of its text>``: a changed template is a new key, and the keys
already added are remembered in a small JSON file beside the index.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from kaskad.plagiarism.engine import Index


def index_path() -> Path:
    configured = getattr(settings, "KASKAD_PLAGIARISM_INDEX", None)
    if configured:
        return Path(configured)
    return Path(settings.MEDIA_ROOT) / "plagiarism-index"


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _templates_path(path: Path) -> Path:
    return path.with_name(path.name + ".templates.json")


def doc_id(portfolio_id: int, attempt: int) -> str:
    return f"portfolio:{portfolio_id}:{attempt}"


def parse_doc_id(value: str) -> tuple[int, int] | None:
    """(portfolio id, attempt) of a portfolio document id; None for anything else."""
    parts = value.split(":")
    if len(parts) != 3 or parts[0] != "portfolio":
        return None
    try:
        return int(parts[1]), int(parts[2])
    except ValueError:
        return None


def group_of(person_id: int) -> str:
    return f"person:{person_id}"


def template_key(template_id: int, text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"template:{template_id}:{digest}"


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class IndexSession:
    """An index opened under the lock, with the template keys it already holds."""

    def __init__(self, index: Index, path: Path) -> None:
        self.index = index
        self.path = path
        self.dirty = False
        self._templates_file = _templates_path(path)
        try:
            self.template_keys: set[str] = set(json.loads(self._templates_file.read_text()))
        except (OSError, ValueError, TypeError):
            self.template_keys = set()
        if len(index) == 0:
            # A new (or lost) index holds no template, whatever the list beside it says.
            self.template_keys = set()
        self._templates_changed = False

    def add_templates(self, templates: list[tuple[int, str]]) -> int:
        """Add the programme templates (id, text) not yet in the index; returns how many."""
        added = 0
        for template_id, text in templates:
            if not text.strip():
                continue
            key = template_key(template_id, text)
            if key in self.template_keys:
                continue
            self.index.add_template(key, text)
            self.template_keys.add(key)
            self._templates_changed = True
            self.dirty = True
            added += 1
        return added

    def add(self, doc: str, text: str, *, group: str) -> None:
        self.index.add(doc, text, group=group)
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            self.index.save()
            self.dirty = False
        if self._templates_changed:
            temporary = self._templates_file.with_suffix(".tmp")
            temporary.write_text(json.dumps(sorted(self.template_keys)))
            os.replace(temporary, self._templates_file)
            self._templates_changed = False


@contextmanager
def index_session(path: Path | None = None) -> Iterator[IndexSession]:
    """Lock, open, yield; on a clean exit save what was added. An exception leaves the index
    on disk as it was (nothing partial: the engine's save is an atomic write)."""
    from kaskad.plagiarism.engine import Index

    path = path or index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock_path(path).open("a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            session = IndexSession(Index.open(path), path)
            yield session
            session.save()
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def index_size(path: Path | None = None) -> int:
    """Documents in the index (opens it; for commands and tests)."""
    from kaskad.plagiarism.engine import Index

    path = path or index_path()
    with _lock_path(path).open("a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        try:
            index: Any = Index.open(path)
            return len(index)
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
