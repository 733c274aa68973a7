"""`manage.py seed`: realistic, deterministic registry data loaded through the import pipeline.

    manage.py seed --scale demo --seed 1          # 4 areas, ~200 organisations, ~5,000 people
    manage.py seed --scale national --seed 1 --no-users   # 20 areas, ~7,500 / ~400,000

The generated CSV files stay in ``--out`` (default ``var/seed/<scale>-<seed>/``) so they can
be inspected or imported again by hand; the same seed always writes the same bytes.
The demo logins (admin, coordinator, coordinator2, trainer, assessor, leader, teacher,
analyst) share the password ``Kaskad-demo-2026`` (see ``kaskad/accounts/demo.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from kaskad.accounts.demo import DemoSetupError, demo_users_create
from kaskad.catalogue.seeding import seed_catalogue
from kaskad.core.errors import DomainError
from kaskad.core.progress import TerminalProgress
from kaskad.demo.journey import seed_journey
from kaskad.demo.networks import seed_networks
from kaskad.registry.imports import import_file
from kaskad.registry.imports.engine import STAGE_LABELS
from kaskad.registry.models import Person
from kaskad.registry.seeding import SCALES, build_plan, default_as_of, write_files

IMPORT_ORDER = ("districts", "organisations", "people")
SHOWN_ISSUES = 20


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, ["-" * w for w in widths], *rows]
    )


class Command(BaseCommand):
    help = (
        "Generate realistic registry data (districts, organisations, people) as CSV files and "
        "load them through the import pipeline, then create one demo login per role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data")
        parser.add_argument(
            "--out", type=Path, default=None, help="folder for the CSV files (default var/seed/…)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the registry already has people",
        )
        parser.add_argument("--no-users", action="store_true", help="do not create demo logins")
        parser.add_argument(
            "--files-only", action="store_true", help="write the CSV files, load nothing"
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="reference date of the data (default: 1 September of this school year)",
        )
        # Smaller runs for tests and benchmarks.
        parser.add_argument("--people", type=int, default=None, help=argparse.SUPPRESS)
        parser.add_argument("--organisations", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Person.objects.exists():
            self.stdout.write(_("The registry already has people; nothing to seed."))
            return
        scale: str = options["scale"]
        seed: int = options["seed"]
        for name in ("people", "organisations"):
            if options[name] is not None and options[name] < 1:
                raise CommandError(_("--%(name)s must be 1 or more.") % {"name": name})
        out: Path = options["out"] or self.default_out(scale, seed, options)

        started = time.monotonic()
        plan = build_plan(
            scale,
            seed,
            people=options["people"],
            organisations=options["organisations"],
            as_of=options["as_of"] or default_as_of(),
        )
        files = write_files(plan, out)
        counts = ", ".join(f"{rows:,} {kind}" for kind, (_path, rows) in files.items())
        self.stdout.write(
            _(
                "Wrote %(scale)s data (seed %(seed)s, as of %(as_of)s) to %(out)s in "
                "%(seconds).1f s: %(counts)s"
            )
            % {
                "scale": scale,
                "seed": seed,
                "as_of": plan.as_of.isoformat(),
                "out": out,
                "seconds": time.monotonic() - started,
                "counts": counts,
            }
        )
        if options["files_only"]:
            return

        self.load(files, show_progress=options["verbosity"] > 0)
        # The real programmes of the catalogue belong to every data set (idempotent).
        seed_catalogue()
        self.stdout.write(_("Seeded in %(seconds).1f s.") % {"seconds": time.monotonic() - started})
        if not options["no_users"]:
            self.create_users()
            self.create_journey()

    @staticmethod
    def default_out(scale: str, seed: int, options: dict[str, Any]) -> Path:
        name = f"{scale}-{seed}"
        if options["people"] is not None or options["organisations"] is not None:
            name += f"-p{options['people'] or 'default'}-o{options['organisations'] or 'default'}"
        return Path(settings.DATA_DIR) / "seed" / name

    def load(self, files: dict[str, tuple[Path, int]], *, show_progress: bool = True) -> None:
        stream = getattr(self.stderr, "_out", sys.stderr)
        # The upload size limit protects the web server; these files were written just now by
        # this command (the national people file is ~75 MB), so the limit is raised to fit.
        largest = max(path.stat().st_size for path, _count in files.values())
        limit = max(settings.IMPORT_MAX_BYTES, largest)
        rows = []
        for kind in IMPORT_ORDER:
            path, _count = files[kind]
            bar = TerminalProgress(stream, labels=STAGE_LABELS) if show_progress else None
            began = time.monotonic()
            try:
                with override_settings(IMPORT_MAX_BYTES=limit):
                    result = import_file(
                        kind,  # type: ignore[arg-type]
                        path,
                        progress=bar,
                        original_name=path.name,
                    )
            except DomainError as exc:
                raise CommandError(f"{path.name}: {exc.message}") from exc
            finally:
                if bar is not None:
                    bar.close()
            seconds = time.monotonic() - began
            if not result.ok:
                for issue in result.errors[:SHOWN_ISSUES]:
                    self.stderr.write(str(issue))
                raise CommandError(result.summary())
            for issue in result.warnings[:SHOWN_ISSUES]:
                self.stderr.write(str(issue))
            rows.append(
                (
                    kind,
                    f"{result.total:,}",
                    f"{result.created:,}",
                    f"{result.updated:,}",
                    f"{result.unchanged:,}",
                    f"{result.warning_count:,}",
                    f"{seconds:.1f}",
                    f"{result.total / seconds:,.0f}" if seconds > 0 else "-",
                )
            )
        self.stdout.write(
            format_table(
                (
                    _("file"),
                    _("rows"),
                    _("created"),
                    _("updated"),
                    _("unchanged"),
                    _("warnings"),
                    _("s"),
                    _("rows/s"),
                ),
                rows,
            )
        )

    def create_journey(self) -> None:
        """Cohorts, portfolios and certificates of a demo year, through the services."""
        started = time.monotonic()
        summary = seed_journey()
        seed_networks()
        if summary:
            self.stdout.write(
                _("Demo training year (%(items)s) in %(seconds).1f s.")
                % {"items": ", ".join(summary), "seconds": time.monotonic() - started}
            )

    def create_users(self) -> None:
        try:
            logins = demo_users_create()
        except DemoSetupError as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write("\n" + _("Demo logins (one per role):"))
        self.stdout.write(
            format_table(
                (_("username"), _("password"), _("role"), _("scope")),
                [tuple(login) for login in logins],
            )
        )
