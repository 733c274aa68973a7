"""`manage.py serve` (what `make run` starts), run as a real process on a free port."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from kaskad.core.management.commands.serve import Command, format_table, login_rows

BASE_DIR = Path(settings.BASE_DIR)
START_TIMEOUT = 90
STOP_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "State:\tZ" not in status


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


class Serve:
    """A running `manage.py serve` whose output is collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern: str, timeout: float = START_TIMEOUT) -> re.Match[str]:
        regex = re.compile(pattern)
        for seen in self.lines:
            if match := regex.search(seen):
                return match
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            self.lines.append(line)
            if match := regex.search(line):
                return match
        pytest.fail(f"serve never printed {pattern!r}; output:\n" + self.output())

    def output(self) -> str:
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.lines.append(line)
        return "\n".join(self.lines)

    def pid_of(self, child: str) -> int:
        return int(self.wait_for(rf"Started {child} \(pid (\d+)\)").group(1))

    def wait_exit(self, timeout: float = STOP_TIMEOUT) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail("serve did not exit in time; output:\n" + self.output())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def serve_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for a fresh instance: its own data folder and its own empty database."""
    env = {**os.environ, "KASKAD_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)  # the embedded default: SQLite in the data folder
        yield env
        return

    # On PostgreSQL, a database of its own beside the test database, dropped afterwards.
    import psycopg

    parsed = dj_database_url.parse(url)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{parsed['NAME']}_serve_{worker}"
    dsn: dict[str, Any] = {
        "host": parsed.get("HOST") or None,
        "port": parsed.get("PORT") or None,
        "user": parsed.get("USER") or None,
        "password": parsed.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    try:
        yield env
    finally:
        with psycopg.connect(**dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def get(url: str) -> int:
    try:
        # Generous: the first request of a worker may be slow on a busy machine.
        with urllib.request.urlopen(url, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.slow  # starts the real server and worker: seconds
def test_serve_runs_web_server_and_worker_and_stops_both_on_sigterm(serve_env):
    port = free_port()
    serve = Serve(["--port", str(port), "--no-seed"], serve_env)
    try:
        web_pid = serve.pid_of("web server")
        worker_pid = serve.pid_of("background worker")
        serve.wait_for(rf"open http://127\.0\.0\.1:{port}/")

        assert get(f"http://127.0.0.1:{port}/admin/login/") == 200
        assert "gunicorn" in cmdline(web_pid)
        assert "worker" in cmdline(worker_pid)
        assert pid_alive(worker_pid)

        serve.process.send_signal(signal.SIGTERM)
        assert serve.wait_exit() == 0, serve.output()
        assert not pid_alive(web_pid)
        assert not pid_alive(worker_pid)
        assert "Stopped." in serve.output()
    finally:
        serve.stop()


@pytest.mark.slow  # starts the real server and worker: seconds
def test_serve_stops_the_web_server_and_fails_when_the_worker_dies(serve_env):
    port = free_port()
    serve = Serve(["--port", str(port), "--no-seed"], serve_env)
    try:
        web_pid = serve.pid_of("web server")
        worker_pid = serve.pid_of("background worker")
        serve.wait_for(r"open http://")

        os.kill(worker_pid, signal.SIGKILL)
        assert serve.wait_exit() != 0
        assert not pid_alive(web_pid)
        assert "background worker" in serve.output()
        assert "stopped unexpectedly" in serve.output()
    finally:
        serve.stop()


def test_serve_refuses_a_port_in_use_with_a_clear_message(tmp_path):
    env = {
        **os.environ,
        "KASKAD_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "manage.py", "serve", "--port", str(port), "--no-seed"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_explains_an_unreachable_database(tmp_path):
    closed_port = free_port()  # nothing listens there
    env = {
        **os.environ,
        "KASKAD_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://kaskad@127.0.0.1:{closed_port}/kaskad",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "serve", "--port", str(free_port()), "--no-seed"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Cannot use the database (postgresql database 'kaskad' on 127.0.0.1" in result.stderr
    assert "Check DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_login_table_accepts_dicts_and_tuples():
    rows = login_rows(
        [
            {"username": "kz.admin", "password": "pw-1", "role": "national admin", "scope": "all"},
            ("teacher1", "pw-2", "teacher", "self"),
        ]
    )
    assert rows == [
        ("national admin", "kz.admin", "pw-1", "all"),
        ("teacher", "teacher1", "pw-2", "self"),
    ]
    table = format_table(("role", "username", "password", "scope"), rows).splitlines()
    assert table[0].split() == ["role", "username", "password", "scope"]
    assert table[2].split() == ["national", "admin", "kz.admin", "pw-1", "all"]
    # Columns line up: every row starts its username at the same offset.
    assert table[2].index("kz.admin") == table[3].index("teacher1") == table[0].index("username")


@pytest.mark.django_db
def test_demo_logins_come_from_the_configured_function():
    """The setting names a real function; with no demo users there is nothing to print."""
    assert callable(import_string(settings.KASKAD_DEMO_LOGINS))
    assert Command.demo_logins() == []


@pytest.mark.parametrize(
    ("host", "public", "warned"),
    [
        ("0.0.0.0", "", True),
        ("0.0.0.0", "https://kaskad.example.kz", False),
        ("127.0.0.1", "", False),
    ],
)
def test_serve_warns_when_certificates_would_point_at_a_loopback_address(
    tmp_path, host, public, warned
):
    env = {
        **os.environ,
        "KASKAD_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # Unreachable: the command stops right after its start-up checks.
        "DATABASE_URL": f"postgres://kaskad@127.0.0.1:{free_port()}/kaskad",
    }
    env.pop("KASKAD_PUBLIC_URL", None)
    if public:
        env["KASKAD_PUBLIC_URL"] = public
    result = subprocess.run(
        [sys.executable, "manage.py", "serve", "--host", host, "--port", str(free_port())],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    message = "WARNING: KASKAD_PUBLIC_URL is http://127.0.0.1:8000, a loopback address"
    assert (message in result.stderr) is warned, result.stderr
