"""Settings read from the environment: database choice, SQLite's WAL mode, security defaults.

Each environment is tried in a fresh Python process, because settings are read once at start.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

SHOW_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "database": s.DATABASES["default"],
    "debug": s.DEBUG,
    "secure_cookies": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE],
    "hsts_seconds": s.SECURE_HSTS_SECONDS,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
}, default=str))
"""

SQLITE_BEHAVIOUR = """
import json, sqlite3
import django
django.setup()
from django.db import connection, transaction
out = {}
with connection.cursor() as cursor:
    for pragma in ("journal_mode", "foreign_keys", "synchronous"):
        cursor.execute(f"PRAGMA {pragma}")
        out[pragma] = cursor.fetchone()[0]
with transaction.atomic():
    # Only a read inside the transaction, yet IMMEDIATE mode already holds the write lock...
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        out["second_writer"] = "allowed"
        other.rollback()
    except sqlite3.OperationalError as exc:
        out["second_writer"] = str(exc)
    # ...while WAL still lets other connections read.
    out["reader_sees"] = other.execute("SELECT 1").fetchone()[0]
    other.close()
print(json.dumps(out))
"""


def run_python(code: str, env: dict[str, str], tmp_path: Path) -> Any:
    """Run `code` with the given KASKAD_*/DATABASE_URL variables only; return its JSON."""
    result = run_process(code, env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_process(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KASKAD_") and key != "DATABASE_URL"
    }
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "config.settings", "KASKAD_DATA_DIR": str(tmp_path)}
    )
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


# --- database from DATABASE_URL ----------------------------------------------------------------
def test_without_database_url_sqlite_file_in_data_dir(tmp_path):
    db = run_python(SHOW_SETTINGS, {}, tmp_path)["database"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "kaskad.sqlite3")
    assert db["CONN_MAX_AGE"] == 0
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_postgres_database_url_selects_postgresql(tmp_path):
    url = "postgres://kaskad:s3cret@db.internal:5433/kaskad_prod"
    db = run_python(SHOW_SETTINGS, {"DATABASE_URL": url}, tmp_path)["database"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("kaskad_prod", "kaskad", "s3cret")
    assert (db["HOST"], int(db["PORT"])) == ("db.internal", 5433)
    # Persistent connections with health checks, unlike SQLite.
    assert db["CONN_MAX_AGE"] == 60
    assert db["CONN_HEALTH_CHECKS"] is True
    assert "transaction_mode" not in db.get("OPTIONS", {})


def test_sqlite_database_url_gets_the_same_sqlite_options(tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    db = run_python(SHOW_SETTINGS, {"DATABASE_URL": url}, tmp_path)["database"]
    assert db["NAME"] == str(tmp_path / "elsewhere.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    behaviour = run_python(SQLITE_BEHAVIOUR, {}, tmp_path)
    assert behaviour["journal_mode"] == "wal"
    assert behaviour["foreign_keys"] == 1
    assert behaviour["synchronous"] == 1  # NORMAL: safe in WAL mode, and faster than FULL
    assert behaviour["second_writer"] == "database is locked"
    assert behaviour["reader_sees"] == 1


def test_suite_runs_on_the_database_named_by_the_environment():
    """CI's PostgreSQL run really is on PostgreSQL, and the SQLite run has the real options."""
    db = settings.DATABASES["default"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        assert db["ENGINE"] == "django.db.backends.postgresql"
    else:
        assert db["ENGINE"] == "django.db.backends.sqlite3"
        assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


# --- security --------------------------------------------------------------------------------
def test_security_defaults():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF is True
    for middleware in (
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ):
        assert middleware in settings.MIDDLEWARE


def test_password_validators():
    validators = cast(list[dict[str, Any]], settings.AUTH_PASSWORD_VALIDATORS)
    names = {v["NAME"].rsplit(".", 1)[-1]: v for v in validators}
    assert set(names) >= {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    assert names["MinimumLengthValidator"]["OPTIONS"]["min_length"] >= 10


def test_production_defaults_without_environment(tmp_path):
    shown = run_python(SHOW_SETTINGS, {}, tmp_path)
    assert shown["debug"] is False
    assert shown["secure_cookies"] == [False, False]  # plain HTTP on a laptop must still work
    assert (shown["hsts_seconds"], shown["ssl_redirect"]) == (0, False)


def test_debug_only_when_asked_for(tmp_path):
    assert run_python(SHOW_SETTINGS, {"KASKAD_DEBUG": "1"}, tmp_path)["debug"] is True


def test_https_turns_on_secure_cookies_hsts_and_redirect(tmp_path):
    key = secrets.token_urlsafe(50)
    shown = run_python(SHOW_SETTINGS, {"KASKAD_HTTPS": "1", "KASKAD_SECRET_KEY": key}, tmp_path)
    assert shown["secure_cookies"] == [True, True]
    assert shown["ssl_redirect"] is True
    assert shown["hsts_seconds"] >= 60 * 60 * 24 * 180


def test_the_public_development_key_is_refused_where_others_can_reach_the_site(tmp_path):
    for env in ({"KASKAD_HTTPS": "1"}, {"KASKAD_ALLOWED_HOSTS": "kaskad.example.kz"}):
        result = run_process(SHOW_SETTINGS, env, tmp_path)
        assert result.returncode != 0, env
        assert "ImproperlyConfigured" in result.stderr
        assert "KASKAD_SECRET_KEY is not set" in result.stderr
        assert next(iter(env)) in result.stderr  # says which setting makes it reachable
    # The same with the development key set explicitly.
    env = {"KASKAD_HTTPS": "1", "KASKAD_SECRET_KEY": settings.DEVELOPMENT_SECRET_KEY}
    assert run_process(SHOW_SETTINGS, env, tmp_path).returncode != 0
    # On this machine only (`make run`, the tests) the development key still works.
    assert run_python(SHOW_SETTINGS, {}, tmp_path)["debug"] is False
    hosts = {"KASKAD_ALLOWED_HOSTS": "localhost,127.0.0.1"}
    assert run_python(SHOW_SETTINGS, hosts, tmp_path)["debug"] is False


def test_https_deployment_passes_djangos_deploy_checks(tmp_path):
    """With KASKAD_HTTPS and a real key, `check --deploy` finds nothing but two HSTS choices.

    HSTS for subdomains and preloading depend on the domain, so they stay a deployer's decision.
    """
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KASKAD_") and key != "DATABASE_URL"
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "KASKAD_DATA_DIR": str(tmp_path),
            "KASKAD_HTTPS": "1",
            "KASKAD_SECRET_KEY": secrets.token_urlsafe(50),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    issues = set(re.findall(r"\((\w+\.[EW]\d+)\)", result.stdout + result.stderr))
    assert issues <= {"security.W005", "security.W021"}, result.stdout + result.stderr
    assert result.returncode == 0, result.stderr
