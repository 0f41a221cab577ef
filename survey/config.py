"""Settings read from the environment inside the app factory, never at import time."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Every setting with its default and the help text shown in the README; a test checks the README names each one.
SETTINGS: dict[str, tuple[Any, str]] = {
    "DATABASE_URL": (None, "SQLAlchemy URL; default a SQLite file in instance/survey.sqlite3."),
    "SECRET_KEY": (None, "Signs sessions and form tokens. Required outside debug and testing."),
    "SURVEY_PARTICIPANT_CODE_KEY": (None, "HMAC key for participant codes. Required outside debug and testing."),
    "SURVEY_PUBLIC_URL": (
        None,
        "Public base URL of the site (https://survey.example.org) for QR codes and printed links. "
        "Required outside debug and testing; never taken from the request's Host header there.",
    ),
    "SURVEY_INSTRUMENTS_DIR": (str(PROJECT_ROOT / "instruments"), "Folder of instrument YAML files."),
    "SURVEY_INSTRUMENT_MAX_BYTES": (
        256 * 1024,
        "Largest instrument file (in the folder or uploaded) that is parsed at all; larger ones are refused.",
    ),
    "SURVEY_INSTRUMENTS_RECHECK_SECONDS": (
        2.0,
        "How often each app process looks for newly uploaded instruments (one small query; 0: every request).",
    ),
    "SURVEY_THANKS_MINUTES": (15, "Minutes a thank-you page stays reachable after sending; then a friendly 410."),
    "SURVEY_MIN_GROUP_SIZE": (5, "Default k: aggregates over fewer responses are suppressed (floor 3)."),
    "SURVEY_RELEASE_GRACE_HOURS": (
        24,
        "Hours after a meeting's answer window closes before its answers are released to dashboards "
        "(late offline sends arriving by then are included).",
    ),
    "SURVEY_SQLITE_SYNCHRONOUS": (
        "FULL",
        "SQLite synchronous pragma: FULL (acknowledged survives power loss) or NORMAL.",
    ),
    "REDIS_URL": (None, "Redis URL for shared rate-limit counters; default in-memory per process."),
    "SURVEY_RATE_LIMIT": ("30 per minute", "Submissions allowed per client address (counted in memory or Redis only)."),
    "SURVEY_PROXY_HOPS": (
        0,
        "Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).",
    ),
    "SURVEY_LOGIN_LIMIT_PER_ACCOUNT": (
        "5 per minute; 20 per hour",
        "Failed coordinator logins allowed per e-mail address (counted in memory or Redis only).",
    ),
    "SURVEY_LOGIN_LIMIT_PER_CLIENT": (
        "20 per minute; 100 per hour",
        "Failed coordinator logins allowed per client address (counted in memory or Redis only).",
    ),
    "SURVEY_MIN_FREE_BYTES": (
        64 * 1024 * 1024,
        "SQLite: /healthz fails when less than this many bytes are free beside the database file.",
    ),
    "SURVEY_HEALTH_WRITE_TIMEOUT": (
        2.0,
        "Seconds /healthz waits for SQLite's write lock before reporting that writes fail.",
    ),
    "SURVEY_REAUTH_LIMIT": (
        "5 per 15 minutes",
        "Wrong current passwords allowed per account on the change-password page, then 429 (memory or Redis).",
    ),
    "SURVEY_SESSION_IDLE_MINUTES": (
        30,
        "A coordinator's session ends after this many minutes without a request (checked by the server).",
    ),
    "SURVEY_SESSION_MAX_HOURS": (
        12,
        "A coordinator's session ends this many hours after login, however active (checked by the server).",
    ),
    "SURVEY_ACCOUNT_LINK_HOURS": (
        72,
        "Hours an invitation or password-reset link made by an admin stays valid; each works once.",
    ),
    "SURVEY_RETENTION": (
        "",
        "Retention policy sentence shown in the privacy notice, e.g. 'Answers are deleted after 3 years.'",
    ),
    "SURVEY_ORGANISATION_NAME": (
        "",
        "Name of the organisation running the groups, printed at the top of every group report.",
    ),
    "SURVEY_SUPPORT_RESOURCES": (
        None,
        "JSON list of support resources for the help page and alerts: {name, contact, href?, note?}; "
        "default: the US 988 Lifeline and SAMHSA Helpline.",
    ),
}

# Settings that are numbers: the environment gives text, so each is converted (and checked) once, here.
NUMBERS: dict[str, type[int] | type[float]] = {
    "SURVEY_MIN_GROUP_SIZE": int,
    "SURVEY_INSTRUMENT_MAX_BYTES": int,
    "SURVEY_INSTRUMENTS_RECHECK_SECONDS": float,
    "SURVEY_THANKS_MINUTES": int,
    "SURVEY_MIN_FREE_BYTES": int,
    "SURVEY_HEALTH_WRITE_TIMEOUT": float,
}


# Settings read as a positive number of minutes or hours.
DURATIONS = ("SURVEY_SESSION_IDLE_MINUTES", "SURVEY_SESSION_MAX_HOURS", "SURVEY_ACCOUNT_LINK_HOURS")


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message tells the administrator what to set."""


def exit_on_config_error(error: ConfigError) -> None:
    """Print the setting that is missing as one line on standard error and exit with code 2 (no traceback)."""
    print(f"Configuration error: {error}", file=sys.stderr)  # noqa: T201 (before any logging exists)
    raise SystemExit(2)


def check_environment(environ: Mapping[str, str]) -> None:
    """Exit with one clear line when the environment lacks a required setting (gunicorn's master calls this)."""
    instance = Path(environ.get("SURVEY_INSTANCE_PATH") or PROJECT_ROOT / "instance")
    try:
        load_settings(instance, None, environ)
    except ConfigError as error:
        exit_on_config_error(error)


def _instance_secret(instance_path: Path) -> str:
    """Return a development secret generated once and kept in the instance folder."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_settings(
    instance_path: Path, overrides: Mapping[str, Any] | None, environ: Mapping[str, str]
) -> dict[str, Any]:
    """Merge defaults, the environment and explicit overrides into one settings dict.

    :raises ConfigError: when SECRET_KEY is missing outside debug and testing.
    """
    overrides = dict(overrides or {})
    settings: dict[str, Any] = {name: default for name, (default, _help) in SETTINGS.items()}
    for name in SETTINGS:
        if name in environ and environ[name] != "":
            settings[name] = environ[name]
    settings.update(overrides)
    for name, kind in NUMBERS.items():
        settings[name] = _number(name, settings[name], kind)
    settings["SURVEY_MIN_GROUP_SIZE"] = max(3, settings["SURVEY_MIN_GROUP_SIZE"])
    for name in DURATIONS:
        settings[name] = _positive_number(name, settings[name])
    settings["SURVEY_RELEASE_GRACE_HOURS"] = _whole_hours(settings["SURVEY_RELEASE_GRACE_HOURS"])
    settings.setdefault("MAX_CONTENT_LENGTH", 64 * 1024)  # a survey form is a few KB; larger bodies get 413
    testing = bool(settings.get("TESTING"))
    debug = (
        bool(settings.get("DEBUG")) or environ.get("FLASK_DEBUG") in {"1", "true"} or environ.get("SURVEY_DEV") == "1"
    )
    settings["SURVEY_DEVELOPMENT"] = debug  # derived, not a setting: development mode (SURVEY_DEV=1 or debug)
    if not settings["SECRET_KEY"]:
        if not (testing or debug):
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random string "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        settings["SECRET_KEY"] = _instance_secret(instance_path)
    if not settings["SURVEY_PARTICIPANT_CODE_KEY"]:
        # Production needs its own key: rotating SECRET_KEY (logging everyone out) must not unlink every
        # participant's answers over time, and a leaked SECRET_KEY must not also reveal the codes.
        if not (testing or debug):
            raise ConfigError(
                "SURVEY_PARTICIPANT_CODE_KEY is not set. Set it to a long random string, different from "
                "SECRET_KEY, and keep it: changing it later unlinks earlier answers from participant codes "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        settings["SURVEY_PARTICIPANT_CODE_KEY"] = "participant-code:" + settings["SECRET_KEY"]
    settings["SURVEY_PUBLIC_URL"] = _public_url(settings["SURVEY_PUBLIC_URL"], required=not (testing or debug))
    url = settings["DATABASE_URL"] or f"sqlite:///{instance_path / 'survey.sqlite3'}"
    settings["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(url)
    return settings


def _number(name: str, value: Any, kind: type[int] | type[float]) -> int | float:
    """Return a numeric setting as a non-negative number of its kind.

    :raises ConfigError: naming the setting when the value is not such a number.
    """
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise ConfigError(f"{name} must be a {'whole ' if kind is int else ''}number of 0 or more, not {value!r}.")
    return number


def _positive_number(name: str, value: Any) -> float:
    """Read a duration setting as a positive number.

    :raises ConfigError: naming the setting when it is not one.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = 0.0
    if not number > 0 or number == float("inf"):
        raise ConfigError(f"{name} must be a positive number, not {value!r}.")
    return number


def _whole_hours(value: Any) -> int:
    """Read a number of hours (0 or more).

    :raises ConfigError: when it is not a whole number of hours.
    """
    try:
        hours = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"SURVEY_RELEASE_GRACE_HOURS must be a whole number of hours, not {value!r}.") from None
    if hours < 0:
        raise ConfigError(f"SURVEY_RELEASE_GRACE_HOURS cannot be negative ({hours}).")
    return hours


def _public_url(value: str | None, required: bool) -> str | None:
    """Check the public base URL (scheme and host, an optional path) and drop its trailing slash."""
    if not value:
        if required:
            raise ConfigError(
                "SURVEY_PUBLIC_URL is not set. Set it to the address participants open, for example "
                "https://survey.example.org (QR codes and printed links use it, never the request's Host header)."
            )
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"SURVEY_PUBLIC_URL must be an http(s) address such as https://survey.example.org, not {value!r}."
        )
    return value.rstrip("/")


def _normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain postgres:// URLs, as hosting providers hand them out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
