"""One Settings object, read from the environment (prefix ``REGISTRY_``).

Every setting is listed in the README's configuration table; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "registry.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="unset: ./var/registry.db; sqlite:///PATH; postgresql://user@host:port/db",
    )
    secret_key: str | None = Field(
        default=None,
        description="JWT signing key; unset: a random key kept in var/secret.key (development only)",
    )
    token_ttl_minutes: int = Field(default=60, ge=1, le=24 * 60)
    session_check_seconds: int = Field(
        default=5,
        ge=0,
        le=300,
        description="seconds a process trusts what it last read of an account (active, session epoch); 0: always",
    )
    # Login throttling (OWASP Authentication Cheat Sheet: account lockout with growing delays, and
    # the denial of service it must not become): registry/accounts/throttle.py, docs/architecture.md.
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="failed logins for one username from one address before each further attempt there waits",
    )
    login_delay_seconds: int = Field(
        default=15, ge=1, description="the first wait; every further failure doubles it (growing delays)"
    )
    login_lock_minutes: int = Field(
        default=15, ge=1, description="the longest wait: the doubling stops here (per username and address)"
    )
    login_account_max_failures: int = Field(
        default=20,
        ge=1,
        description="failed logins for one username from all addresses before addresses it has not logged in "
        "from wait too (the same growing delays); its usual addresses never do",
    )
    login_trusted_days: int = Field(
        default=90, ge=1, description="an address stays usual for a username this long after a login from it"
    )
    login_window_hours: int = Field(
        default=24, ge=1, description="failed logins older than this are forgotten (the observation window)"
    )
    password_hash_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="password hashes (argon2id, 64 MiB each) computed at once, in worker threads",
    )
    password_hash_wait_seconds: float = Field(
        default=5.0, gt=0, description="how long a login waits for a free hashing worker before a 503"
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="request body limit (413 above)")
    import_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="largest file accepted by an import (413 above)"
    )
    import_max_rows: int = Field(default=200_000, ge=1, description="most data rows an import reads (413 above)")
    evidence_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="largest evidence file (PDF, JPEG, PNG) a teacher attaches to a credit claim (413 above)",
    )
    evidence_dir: Path | None = Field(
        default=None,
        description="where evidence files are kept, named by their SHA-256; unset: <var_dir>/evidence",
    )
    sqlite_timeout_seconds: float = Field(default=30.0, gt=0)
    max_concurrent_requests: int = Field(
        default=8, ge=1, description="requests worked on at once; the rest wait their turn (not /health)"
    )
    cpu_workers: int = Field(
        default=2, ge=1, le=64, description="worker processes for exports and PDFs (CPU-bound, off the event loop)"
    )
    cpu_queue: int = Field(
        default=16, ge=0, description="exports and PDFs that may wait for a worker; beyond: 503 with Retry-After"
    )
    cpu_retry_after_seconds: int = Field(default=5, ge=1, description="the Retry-After of that 503")
    pg_pool_max: int = Field(default=10, ge=1)
    pg_bin_dir: Path | None = Field(
        default=None,
        description="where pg_dump and pg_restore are (registry backup/restore); unset: the PATH, "
        "then the newest /usr/lib/postgresql/*/bin",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    host: str = "127.0.0.1"
    port: int = 8000
    bureau_name: str = "北京市朝阳区教育委员会"
    var_dir: Path = Path("var")
    cookie_secure: Literal["auto", "true", "false"] = Field(
        default="auto",
        description="web pages' session and CSRF cookies Secure: over https only (auto), always, never",
    )

    # Email (issue 16): registry/mail/, docs/architecture.md "Email". Unset: the inbox only.
    smtp_url: SecretStr | None = Field(
        default=None,
        description="smtp://user:pass@host:port (STARTTLS; ?security=starttls|tls|none) or smtps://… (implicit "
        "TLS); unset: no email is queued or sent. Secret: it holds the password",
    )
    mail_from: str = Field(
        default="registry@localhost",
        min_length=3,
        max_length=254,
        description="the From address of every email; its domain also ends each Message-ID",
    )
    mail_max_attempts: int = Field(
        default=10, ge=1, le=100, description="attempts before an email that keeps failing temporarily is 'failed'"
    )
    mail_backoff_seconds: float = Field(
        default=60.0, gt=0, description="the wait after the first failed attempt; it doubles with each further one"
    )
    mail_backoff_max_seconds: float = Field(default=6 * 3600.0, gt=0, description="the longest wait between attempts")
    mail_deliver_interval_seconds: float = Field(
        default=30.0, gt=0, description="how often the server sends the email that is due (in the background)"
    )
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description="the registry's address as its users reach it (https://registry.example.cn): emails link "
        "to its pages; unset: they name the page's path",
    )
    notify_sweep_at: str | None = Field(
        default="06:30",
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="the time of day (Beijing, HH:MM) the server writes the day's time-based notifications "
        "(expiring certificates, registrations due, credits behind pace), and once at start-up; unset or "
        "empty: only by `registry notifications sweep` (cron)",
    )
    mail_lease_seconds: float = Field(
        default=300.0,
        ge=10,
        description="how long a deliverer holds the emails it took; after a crash they are sent again after this",
    )
    mail_batch: int = Field(default=50, ge=1, le=1000, description="emails taken and sent over one connection")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, description="SMTP connect and command timeout")
    smtp_ca_file: Path | None = Field(
        default=None,
        description="PEM certificates to trust for the SMTP server's TLS (a relay with its own CA); "
        "unset: the system's. The server's name is always checked",
    )

    @field_validator("notify_sweep_at", "public_url", mode="before")
    @classmethod
    def _empty_is_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def engine_kind(self) -> Literal["sqlite", "postgres"]:
        url = self.database_url or ""
        if url.startswith(("postgresql://", "postgres://")):
            return "postgres"
        return "sqlite"

    @property
    def sqlite_path(self) -> Path:
        url = self.database_url
        if not url:
            return self.var_dir / DEFAULT_SQLITE_PATH.name
        if url.startswith("sqlite:///"):
            return Path(url.removeprefix("sqlite:///"))
        raise ValueError(f"REGISTRY_DATABASE_URL: not a sqlite URL: {url!r}")

    @property
    def evidence_path(self) -> Path:
        return self.evidence_dir or self.var_dir / "evidence"

    def jwt_secret(self) -> str:
        """The signing key: the configured one, else a per-installation random key on disk."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret.key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
