"""Configuration, read once at the edge (environment variables, then CLI flags).

Every setting has a ``SELO_`` environment variable; ``.env.example`` lists them all.
Nothing below the CLI or the flow entry points reads the environment itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from selo import __version__

DEFAULT_API_BASE = "https://servicos.gov.br"
DEFAULT_AGENCY_SIORG = 45013  # ANS, Agência Nacional de Saúde Suplementar
# Honest about what we are; operators add a contact address with SELO_USER_AGENT.
DEFAULT_USER_AGENT = (
    f"selo/{__version__} (Selo de Maturidade Digital builder; paced, retrying client)"
)


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Politeness and resilience of the catalogue client."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    concurrency: int = 4
    # Minimum seconds between two requests to the same host (per-host pacing).
    min_interval: float = 0.25
    retries: int = 5
    backoff_factor: float = 0.5
    max_backoff: float = 120.0
    # A response body past this is abandoned mid-read (no record is near it; a 50 MB answer is
    # an error page or an attack) and the record fails with "body larger than ...".
    max_body_bytes: int = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None = None
    data_dir: Path = Path(user_data_dir("selo", appauthor=False))
    api_base: str = DEFAULT_API_BASE
    agency_siorg: int = DEFAULT_AGENCY_SIORG
    http: HttpSettings = HttpSettings()
    # Set when the run should be tracked by a Prefect server (PREFECT_API_URL).
    prefect_api_url: str | None = None
    # Wayback Machine politeness (extract.wayback.WaybackPolicy); None: its defaults.
    wayback: Any = None
    report_root: Path | None = None

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def embedded_pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def report_dir(self) -> Path:
        """Where the scheduled September run writes the seal's site (SELO_REPORT_DIR)."""
        return self.report_root or self.data_dir / "reports"

    def with_overrides(self, **changes: object) -> Settings:
        """Apply CLI flags over the environment; ``None`` means 'not given'."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def _number(
    env: Mapping[str, str], name: str, default: float, kind: type[float] | type[int]
) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a valid {kind.__name__}") from None
    if value < 0:
        raise SettingsError(f"{name}={raw!r} must not be negative")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from environment variables (``os.environ`` by default)."""
    env = os.environ if env is None else env
    http_defaults = HttpSettings()
    http = HttpSettings(
        user_agent=env.get("SELO_USER_AGENT") or http_defaults.user_agent,
        connect_timeout=_number(env, "SELO_CONNECT_TIMEOUT", http_defaults.connect_timeout, float),
        read_timeout=_number(env, "SELO_READ_TIMEOUT", http_defaults.read_timeout, float),
        concurrency=max(1, int(_number(env, "SELO_CONCURRENCY", http_defaults.concurrency, int))),
        min_interval=_number(env, "SELO_MIN_INTERVAL", http_defaults.min_interval, float),
        retries=int(_number(env, "SELO_RETRIES", http_defaults.retries, int)),
        backoff_factor=_number(env, "SELO_BACKOFF_FACTOR", http_defaults.backoff_factor, float),
        max_backoff=_number(env, "SELO_MAX_BACKOFF", http_defaults.max_backoff, float),
        max_body_bytes=max(
            1, int(_number(env, "SELO_MAX_BODY_BYTES", http_defaults.max_body_bytes, int))
        ),
    )
    data_dir = env.get("SELO_DATA_DIR")
    return Settings(
        database_url=env.get("SELO_DATABASE_URL") or None,
        data_dir=Path(data_dir).expanduser() if data_dir else Settings().data_dir,
        api_base=(env.get("SELO_API_BASE") or DEFAULT_API_BASE).rstrip("/"),
        agency_siorg=int(_number(env, "SELO_AGENCY", DEFAULT_AGENCY_SIORG, int)),
        http=http,
        prefect_api_url=env.get("PREFECT_API_URL") or None,
        wayback=_wayback_policy(env),
        report_root=Path(env["SELO_REPORT_DIR"]).expanduser()
        if env.get("SELO_REPORT_DIR")
        else None,
    )


def _wayback_policy(env: Mapping[str, str]) -> Any:
    # Imported here: extract.wayback itself imports this module for HttpSettings.
    from extract.wayback import WaybackPolicy

    try:
        return WaybackPolicy.from_env(env)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
