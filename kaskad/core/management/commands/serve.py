"""`manage.py serve`: everything `make run` needs in one command.

Applies migrations, loads demo data into an empty database, then runs the web server
(gunicorn) and the background worker (`db_worker`) as two child processes and watches them:
Ctrl-C or SIGTERM stops both cleanly; if either dies, the other is stopped and the command
exits non-zero.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, connections
from django.utils.module_loading import import_string

from kaskad.core.public_url import public_url, public_url_problem

PUBLIC_URL_WARNING = (
    "\n"
    "WARNING: KASKAD_PUBLIC_URL is {url}, a loopback address, but the server listens on {host}.\n"
    "Every certificate issued now prints {url} in its QR code, which nobody else can open.\n"
    "Set KASKAD_PUBLIC_URL to the address people use (for example https://kaskad.example.kz)\n"
    "and restart.\n"
)
# Seconds a child gets to finish its current request or task before it is killed.
STOP_GRACE_SECONDS = 15
# Seconds to wait for the web server to accept connections after it starts.
READY_TIMEOUT_SECONDS = 60
POLL_SECONDS = 0.2
SQLITE_ENGINE = "django.db.backends.sqlite3"


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


def port_problem(host: str, port: int) -> str | None:
    """Return why (host, port) cannot be bound, or None when it is free."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"cannot resolve host {host!r}: {exc.strerror}"
    family, socktype, proto, _canon, address = infos[0]
    with socket.socket(family, socktype, proto) as sock:
        # The same option gunicorn sets, so a port in TIME_WAIT counts as free here too.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use by another program"
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def wait_until_listening(
    host: str, port: int, child: Child, timeout: float, stop_signal: list[int]
) -> bool:
    """Wait until something accepts connections on (host, port) while `child` lives."""
    connect_host = "127.0.0.1" if host in {"0.0.0.0", ""} else host  # noqa: S104
    connect_host = "::1" if connect_host == "::" else connect_host
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None or stop_signal:
            return False
        try:
            with socket.create_connection((connect_host, port), timeout=1):
                return True
        except OSError:
            time.sleep(POLL_SECONDS)
    return False


def gunicorn_has_setting(name: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS  # only needed when serving

    return any(setting.name == name for setting in KNOWN_SETTINGS)


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM when the parent dies.

    Covers the parent being killed outright (SIGKILL), so no orphan keeps the port.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
        except (OSError, AttributeError):
            pass


def login_rows(logins: Iterable[Any]) -> list[tuple[str, str, str, str]]:
    """Normalise demo logins (dicts or 4-tuples) to (role, username, password, scope) rows."""
    rows = []
    for entry in logins:
        if isinstance(entry, Mapping):
            username, password = entry.get("username", ""), entry.get("password", "")
            role, scope = entry.get("role", ""), entry.get("scope", "")
        else:
            username, password, role, scope = [*entry, "", "", "", ""][:4]
        rows.append((str(role), str(username), str(password), str(scope)))
    return rows


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, ["-" * w for w in widths], *rows]
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Prepare the database and run the web server and the background worker together. "
        "Ctrl-C stops both."
    )
    # Checks run in the children; running them here too would only slow start-up.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="web server processes (default: 1 on SQLite, 2-3 on PostgreSQL)",
        )
        parser.add_argument(
            "--no-seed", action="store_true", help="do not load demo data into an empty database"
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start the background worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError(f"--workers must be 1 or more, not {options['workers']}.")
        problem = port_problem(host, port)
        if problem:
            raise CommandError(
                f"Cannot start: {problem}. Stop the other program or choose another port "
                f"with --port (for example: make run ARGS='--port {port + 1}')."
            )

        if public_url_problem(reached_at=host):
            warning = PUBLIC_URL_WARNING.format(url=public_url(), host=host)
            self.stderr.write(self.style.ERROR(warning))

        db = settings.DATABASES["default"]
        on_sqlite = db["ENGINE"] == SQLITE_ENGINE
        workers, threads = self.web_concurrency(on_sqlite, options["workers"])

        self.stdout.write(f"Database: {self.describe_database(db)}")
        try:
            self.stdout.write("Applying database migrations...")
            call_command("migrate", interactive=False, verbosity=0)
            if not options["no_seed"]:
                self.seed_demo_data()
        except OperationalError as exc:
            raise CommandError(
                f"Cannot use the database ({self.describe_database(db)}): {exc}".strip()
                + "\nCheck DATABASE_URL and that the database server is running."
            ) from exc
        except KeyboardInterrupt:
            self.stderr.write("Interrupted before the server started.")
            sys.exit(130)
        # WhiteNoise serves through the finders, but warns when its root folder is absent.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        # The children open their own connections; keep none open across their lifetime.
        connections.close_all()

        children: list[Child] = []
        stop_signal: list[int] = []
        maintenance: Any = None

        def on_signal(signum: int, frame: FrameType | None) -> None:
            if stop_signal:  # a second Ctrl-C: stop waiting for a graceful end
                for child in children:
                    if child.process.poll() is None:
                        child.process.kill()
            stop_signal.append(signum)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, on_signal)

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        try:
            children.append(self.start_web(env, host, port, workers, threads))
            if not options["no_worker"]:
                children.append(self.start_worker(env))
            for child in children:
                self.stdout.write(f"Started {child.name} (pid {child.pid})")

            web = children[0]
            if wait_until_listening(host, port, web, READY_TIMEOUT_SECONDS, stop_signal):
                self.announce(host, port)
            elif web.process.poll() is None and not stop_signal:
                self.stderr.write(
                    f"The web server has not answered on port {port} after "
                    f"{READY_TIMEOUT_SECONDS} seconds; still waiting."
                )
            maintenance = self.start_maintenance(options["no_worker"])
            exit_code = self.supervise(children, stop_signal)
        finally:
            self.stop(children)
            if maintenance is not None:
                maintenance.stopped.set()

        if exit_code:
            sys.exit(exit_code)
        self.stdout.write("Stopped.")

    # --- start-up ------------------------------------------------------------------------
    @staticmethod
    def web_concurrency(on_sqlite: bool, requested: int | None) -> tuple[int, int]:
        """Return (processes, threads per process) for gunicorn."""
        if on_sqlite:
            # One process with threads: SQLite allows one writer, and several processes
            # competing for the write lock only queue up behind each other.
            return (requested or 1), 4
        return (requested or max(2, min(3, os.cpu_count() or 1))), 4

    @staticmethod
    def describe_database(db: Mapping[str, Any]) -> str:
        if db["ENGINE"] == SQLITE_ENGINE:
            return f"SQLite file {db['NAME']}"
        host = db.get("HOST") or "local socket"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"{db['ENGINE'].rsplit('.', 1)[-1]} database {db['NAME']!r} on {host}{port}"

    def seed_demo_data(self) -> None:
        if "seed" not in get_commands():
            self.stdout.write("Demo data is not available yet (no 'seed' command); skipping.")
            return
        self.stdout.write("Loading demo data if the database is empty...")
        call_command("seed", scale="demo", seed=1, if_empty=True)

    def start_web(
        self, env: dict[str, str], host: str, port: int, workers: int, threads: int
    ) -> Child:
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", bind,
            "--workers", str(workers),
            "--threads", str(threads),
            "--timeout", "120",
            "--graceful-timeout", str(STOP_GRACE_SECONDS - 5),
            "--access-logfile", "-",
            # Load Django before listening, so "running" is printed only once pages can answer.
            "--preload",
        ]  # fmt: skip
        if gunicorn_has_setting("control_socket_disable"):
            # Newer gunicorn opens a control socket at one fixed path in the home directory,
            # which a second instance (a test run beside `make run`) would fight over.
            command.append("--no-control-socket")
        return Child("web server", self.spawn(command, env))

    @staticmethod
    def start_maintenance(no_worker: bool) -> Any:
        """Every minute or so: fail the jobs of a lost worker, delete old task rows and job
        files (`manage.py jobs_maintain`), in a thread of this process."""
        if no_worker:
            return None
        from kaskad.core.jobs import Maintenance

        maintenance = Maintenance()
        maintenance.start()
        return maintenance

    def start_worker(self, env: dict[str, str]) -> Child:
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        # `worker` is db_worker named "host:pid" with a heartbeat, so a lost one is recognised.
        command = [sys.executable, manage, "worker", "--queue-name", "*", "--no-reload"]
        return Child("background worker", self.spawn(command, env))

    @staticmethod
    def spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        # A process group of their own: Ctrl-C reaches only this command, which then stops
        # the children once and in order, instead of each child reacting on its own.
        return subprocess.Popen(  # noqa: S603 - fixed argument lists, no shell
            command,
            env=env,
            cwd=str(settings.BASE_DIR),
            process_group=0,
            preexec_fn=_die_with_parent,  # the parent is single-threaded here
        )

    def announce(self, host: str, port: int) -> None:
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
        shown_host = f"[{shown_host}]" if ":" in shown_host else shown_host
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Kaskad is running: open http://{shown_host}:{port}/"))
        if host not in {"127.0.0.1", "localhost", "::1"}:
            out.write(
                "Listening on all addresses: add this machine's name to KASKAD_ALLOWED_HOSTS "
                "so other computers can open it."
            )
        rows = self.demo_logins()
        if rows:
            out.write("\nDemo logins (one per role):")
            out.write(format_table(("role", "username", "password", "scope"), rows))
        out.write("\nPress Ctrl-C to stop.\n")

    @staticmethod
    def demo_logins() -> list[tuple[str, str, str, str]]:
        # Named in settings because core may not import the accounts app.
        path = getattr(settings, "KASKAD_DEMO_LOGINS", "")
        try:
            demo_logins = import_string(path) if path else None
        except ImportError:
            demo_logins = None
        if demo_logins is None:
            return []
        try:
            return login_rows(demo_logins())
        finally:
            connections.close_all()  # the children do the database work from here on

    # --- supervision ------------------------------------------------------------------------
    def supervise(self, children: list[Child], stop_signal: list[int]) -> int:
        """Wait for a stop signal (return 0) or a child's death (return 1)."""
        while not stop_signal:
            for child in children:
                code = child.process.poll()
                if code is not None:
                    others = [c.name for c in children if c is not child]
                    stopping = f"; stopping the {others[0]}" if others else ""
                    self.stderr.write(
                        f"The {child.name} (pid {child.pid}) stopped unexpectedly with "
                        f"exit code {code}{stopping}. See its messages above."
                    )
                    return 1
            time.sleep(POLL_SECONDS)
        self.stdout.write(f"\nReceived {signal.Signals(stop_signal[0]).name}; stopping...")
        return 0

    def stop(self, children: list[Child]) -> None:
        for child in children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {child.name} did not stop in time; killing it.")
                child.process.kill()
                child.process.wait()
