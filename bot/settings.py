"""Settings from the environment (and an optional `.env`), validated once at start-up.

Service URLs use their conventional names (`DATABASE_URL`, `REDIS_URL`, `AMQP_URL`); everything
else is `WAKALA_*`. A missing service URL means "use the embedded default", which only the
development environment allows. Secrets refuse their development defaults outside development.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent

DEV_APP_SECRET = "dev-app-secret"  # noqa: S105 - the development default, refused elsewhere
DEV_VERIFY_TOKEN = "dev-verify-token"  # noqa: S105
DEV_ACTIONS_TOKEN = "dev-actions-token"  # noqa: S105
DEV_DEMO_ACCESS_TOKEN = "dev-demo-access-token"  # noqa: S105
# HS256 wants a key of at least 256 bits (RFC 7518 §3.2); the default is long enough to sign
# with, and refused outside development like the others.
DEV_ADMIN_SECRET = "dev-admin-secret-for-local-tokens-only"  # noqa: S105
MAX_ADMIN_TOKEN_SECONDS = 900  # admin tokens live at most 15 minutes


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "wakala"


class SettingsError(ValueError):
    """A setting is missing or unsafe; the message names it and the fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WAKALA_", env_file=".env", extra="ignore", frozen=True
    )

    env: Literal["development", "test", "production"] = "development"

    # Services. None = embedded default (development only).
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "WAKALA_DATABASE_URL")
    )
    app_database_url: str | None = None  # the app role's URL; derived from database_url if unset
    app_db_role: str = "wakala_app"
    app_db_password: SecretStr | None = None
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "WAKALA_REDIS_URL")
    )
    amqp_url: str | None = Field(
        default=None, validation_alias=AliasChoices("AMQP_URL", "WAKALA_AMQP_URL")
    )

    # WhatsApp
    app_secret: SecretStr = SecretStr(DEV_APP_SECRET)
    # During a rotation, the old value is still accepted until every sender has the new one.
    app_secret_previous: SecretStr | None = None
    verify_token: SecretStr = SecretStr(DEV_VERIFY_TOKEN)
    graph_base_url: str | None = None  # None = the embedded Graph API fake
    graph_api_version: str = "v21.0"

    # Internal services
    actions_token: SecretStr = SecretStr(DEV_ACTIONS_TOKEN)
    actions_token_previous: SecretStr | None = None
    actions_url: str | None = None  # None = the in-process action server
    nlu_url: str | None = None  # None = start the Rasa service from the Rasa environment
    host: str = "127.0.0.1"
    gateway_port: int = 8000
    actions_port: int = 5055
    nlu_port: int = 5005
    simulator_port: int = 8001
    metrics_port: int | None = None  # health/metrics for a process without the gateway
    otlp_endpoint: str | None = None  # an OpenTelemetry collector (http), e.g. http://otel:4318

    # Queues and keys: the namespace prefixes RabbitMQ names and Redis keys, so several
    # deployments (or test runs) can share one broker and one Redis.
    namespace: str = Field(default="wakala", pattern=r"^[a-z][a-z0-9_-]{0,39}$")
    shards: int = Field(default=8, ge=1, le=256)

    # WhatsApp limits (FACTS.md §6): sends per second per business number, overrides per
    # number (upgraded numbers reach 1,000/s), per-shopper pacing, and the inbound flood limit.
    send_rate: float = Field(default=80.0, gt=0, le=1000)
    send_rates: dict[str, float] = Field(default_factory=dict)
    pair_interval: float = Field(default=6.0, gt=0)
    pair_burst: int = Field(default=20, ge=1)
    flood_limit: int = Field(default=100, ge=1)
    flood_window: float = Field(default=60.0, gt=0)
    # Approved templates that invite a shopper back once the 24 h window has closed:
    # language -> [template name, template language code], as JSON in the environment.
    reengagement_templates: dict[str, tuple[str, str]] = Field(default_factory=dict)

    # Conversations: a session ends after this much silence (a half-done checkout is
    # forgotten); a handoff to a person ends after handoff_minutes unless staff end it first.
    session_minutes: float = Field(default=60.0, gt=0)
    handoff_minutes: float = Field(default=120.0, gt=0)

    # Files
    project_dir: Path = PROJECT_DIR
    data_dir: Path = PROJECT_DIR / ".wakala"
    model_dir: Path = PROJECT_DIR / "models"
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    rasa_python: Path | None = None  # Python 3.10 for Rasa; found on PATH or with pyenv if unset

    seed_demo: bool | None = None  # None = seed the demo shop in development only
    # None = migrate when a process starts, except in production, where one `wakala db
    # migrate` (a deploy job) runs before the processes and they need no owner rights.
    migrate_on_start: bool | None = None

    # Payments. public_url: where the gateways reach the payment webhooks (None: the gateway's
    # own address, development only). A gateway without its keys is not offered.
    public_url: str | None = None
    payment_gateways: dict[str, str] = Field(
        default_factory=lambda: {"card": "paystack", "eft": "ozow"}
    )  # order payment method -> gateway
    paystack_secret_key: SecretStr | None = None
    paystack_base_url: str = "https://api.paystack.co"
    paystack_callback_url: str | None = None  # None: the payments "return to WhatsApp" page
    ozow_site_code: str | None = None
    ozow_private_key: SecretStr | None = None
    ozow_api_key: SecretStr | None = None
    ozow_is_test: bool = False
    ozow_api_base_url: str = "https://api.ozow.com"
    ozow_pay_base_url: str = "https://pay.ozow.com"
    ozow_success_url: str | None = None  # None: the payments "return to WhatsApp" page
    ozow_cancel_url: str | None = None
    ozow_error_url: str | None = None

    # Operator admin API: bearer tokens signed with admin_secret (HS256), each living at most
    # 15 minutes; every request counts against admin_rate_limit per admin_rate_window seconds.
    admin_secret: SecretStr = SecretStr(DEV_ADMIN_SECRET)
    admin_token_ttl: int = Field(default=MAX_ADMIN_TOKEN_SECONDS, ge=30, le=MAX_ADMIN_TOKEN_SECONDS)
    admin_port: int = 8002
    admin_rate_limit: int = Field(default=120, ge=1)
    admin_rate_window: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.env == "development":
            return self
        defaults = {
            "WAKALA_APP_SECRET": (self.app_secret, DEV_APP_SECRET),
            "WAKALA_VERIFY_TOKEN": (self.verify_token, DEV_VERIFY_TOKEN),
            "WAKALA_ACTIONS_TOKEN": (self.actions_token, DEV_ACTIONS_TOKEN),
            "WAKALA_ADMIN_SECRET": (self.admin_secret, DEV_ADMIN_SECRET),
        }
        unsafe = [
            name for name, (value, dev) in defaults.items() if value.get_secret_value() == dev
        ]
        if unsafe and self.env == "production":
            raise SettingsError(
                f"{', '.join(unsafe)} still hold the development default; "
                "set real secrets in the environment before running in production"
            )
        if self.env == "production":
            self._refuse_unsafe_production()
        return self

    def _refuse_unsafe_production(self) -> None:
        if len(self.admin_secret.get_secret_value().encode()) < 32:
            raise SettingsError(
                "WAKALA_ADMIN_SECRET is shorter than 32 bytes; HS256 tokens need a key of at "
                "least 256 bits: `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        key = self.paystack_secret_key
        if key is not None and key.get_secret_value().startswith("sk_test_"):
            raise SettingsError(
                "WAKALA_PAYSTACK_SECRET_KEY is a test key (sk_test_...) in production: test "
                "payments move no money; set the live key (sk_live_...)"
            )
        if self.ozow_is_test:
            raise SettingsError(
                "WAKALA_OZOW_IS_TEST is true in production: such payments skip the bank; "
                "set it to false"
            )
        online = self.paystack_secret_key is not None or self.ozow_site_code is not None
        if online and self.public_url is None:
            raise SettingsError(
                "WAKALA_PUBLIC_URL is not set: payment gateways need the public https address "
                "of the gateway service to send notifications to"
            )

    @property
    def payments_url(self) -> str:
        """The base URL the payment gateways post to (and send shoppers back to)."""
        base = self.public_url or f"http://{self.host}:{self.gateway_port}"
        return base.rstrip("/")

    @property
    def embedded(self) -> bool:
        """True when no external services are configured: run on embedded parts."""
        return not (self.database_url or self.redis_url or self.amqp_url)

    @property
    def should_migrate_on_start(self) -> bool:
        if self.migrate_on_start is None:
            return self.env != "production"
        return self.migrate_on_start

    @property
    def should_seed_demo(self) -> bool:
        return self.env == "development" if self.seed_demo is None else self.seed_demo

    @property
    def nlu_data_dir(self) -> Path:
        return self.project_dir / "nlu_data"

    @property
    def rasa_config(self) -> Path:
        return self.project_dir / "config.yml"

    @property
    def domain_file(self) -> Path:
        return self.project_dir / "domain.yml"

    @property
    def flows_dir(self) -> Path:
        return self.project_dir / "dialogue" / "flows"

    def require_complete_services(self) -> None:
        """Either all three service URLs or none: half-configured is a mistake worth stopping."""
        given = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "AMQP_URL": self.amqp_url,
        }
        missing = [name for name, value in given.items() if not value]
        if missing and len(missing) < len(given):
            raise SettingsError(
                f"{', '.join(missing)} not set while other service URLs are: set all of "
                "DATABASE_URL, REDIS_URL and AMQP_URL, or none of them for the embedded defaults"
            )
        if missing and self.env == "production":
            raise SettingsError(
                "production needs DATABASE_URL, REDIS_URL and AMQP_URL; the embedded defaults "
                "are for development"
            )
        if self.env == "production" and not self.graph_base_url:
            raise SettingsError(
                "production needs WAKALA_GRAPH_BASE_URL (https://graph.facebook.com); without it "
                "replies would go to the local simulator"
            )


def load_settings() -> Settings:
    return Settings()
