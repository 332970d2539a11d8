"""Settings, read from the environment with the prefix ``MASTHEAD_``."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MASTHEAD_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///masthead.db",
        description="SQLAlchemy URL; SQLite file in the working folder by default, "
        "or postgresql://user:pass@host/db.",
    )
    country_header: str = Field(
        default="CF-IPCountry", description="Header carrying the reader's ISO country code."
    )
    public_max_age: int = Field(default=30, description="Cache-Control max-age of public reads.")
    stale_while_revalidate: int = Field(default=60)
    pool_size: int = Field(default=20, description="PostgreSQL read connections per worker.")
    base_url: str = Field(
        default="", description="Public base URL used for Link headers and canonical links."
    )
    search_cache_size: int = Field(
        default=1024,
        ge=0,
        description="Search answers kept in memory per worker (0: none); "
        "each is dropped as soon as a write or the clock may change it.",
    )
    demo_on_start: bool = Field(
        default=False, description="Load the demo content when the server starts."
    )
    webhook_worker: bool = Field(
        default=True,
        description="Run the webhook delivery worker in each server process "
        "(it also records the changes the clock makes).",
    )
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Allow webhook URLs on loopback, private, link-local and other "
        "non-public addresses.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long a receiver has to answer a delivery."
    )
    webhook_retry_base_seconds: float = Field(
        default=5.0, gt=0, description="The first retry's delay; each next one is 4 times longer."
    )
    webhook_retry_max_seconds: float = Field(
        default=12 * 3600.0, gt=0, description="The longest delay between two attempts."
    )
    webhook_max_attempts: int = Field(
        default=12, ge=1, description="Attempts of one delivery before it is marked failed."
    )
    webhook_concurrency: int = Field(
        default=16, ge=1, description="Deliveries in flight at once, per server process."
    )
    webhook_concurrency_per_target: int = Field(
        default=4, ge=1, description="Deliveries in flight at once to one subscription."
    )
    webhook_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often the worker looks for work."
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a claimed delivery stays with its worker before another "
        "may take it over (a worker that died).",
    )
    webhook_retention_days: int = Field(
        default=30,
        ge=1,
        description="How long finished deliveries (succeeded or failed) and their "
        "attempts stay in the log, replayable; older ones are deleted.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
